"""Wearables: credentials sealed at rest and never returned, key rotation, devices per user, sync on samples."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from trainforge.models import Role
from trainforge.services.wearables import Vault

from test_heart_rate import RECORD, batch, training_now  # noqa: F401 (fixture)

TRAINFORGE = Path(sys.executable).parent / "trainforge"
WEARABLE = "id type name model status lastSyncAt hasCredentials"
ERRORS = "errors { __typename message field }"
CONNECT = f"mutation ($input: ConnectWearableInput!) {{ connectWearable(input: $input) {{ wearable {{ {WEARABLE} }} {ERRORS} }} }}"
UPDATE = f"mutation ($input: UpdateWearableInput!) {{ updateWearable(input: $input) {{ wearable {{ {WEARABLE} }} {ERRORS} }} }}"
DISCONNECT = f"mutation ($id: ID!) {{ disconnectWearable(id: $id) {{ wearable {{ {WEARABLE} }} {ERRORS} }} }}"
REMOVE = f"mutation ($id: ID!) {{ removeWearable(id: $id) {{ removedId {ERRORS} }} }}"
MINE = f"{{ wearables {{ {WEARABLE} }} }}"
TOKEN = "ya29.a0AfB_byC-access-token-of-the-vendor"


def garmin(name: str = "Forerunner", token: str = TOKEN) -> dict:
    return {"input": {"type": "GARMIN", "name": name, "model": "965", "accessToken": token,
                      "refreshToken": "refresh-" + token, "expiresAt": "2027-01-01T00:00:00Z"}}


async def test_credentials_are_sealed_and_never_returned(gql, make_user, engine, settings):
    athlete = await make_user()
    body = (await gql(CONNECT, garmin(), as_=athlete))["data"]["connectWearable"]
    assert body["errors"] == []
    device = body["wearable"]
    assert (device["type"], device["status"], device["hasCredentials"]) == ("GARMIN", "CONNECTED", True)
    async with engine.connect() as conn:
        sealed = await conn.scalar(text("SELECT credentials FROM wearables WHERE id = :id"), {"id": device["id"]})
    assert TOKEN.encode() not in sealed and b"refresh" not in sealed
    assert Vault.from_settings(settings).open(sealed) == {
        "access_token": TOKEN, "refresh_token": "refresh-" + TOKEN, "expires_at": "2027-01-01T00:00:00+00:00"}
    # No field of the API carries them.
    fields = (await gql('{ __type(name: "Wearable") { fields { name } } }', as_=athlete))["data"]["__type"]["fields"]
    assert not [f["name"] for f in fields if "token" in f["name"].lower() or f["name"] == "credentials"]


async def test_devices_of_a_user(gql, make_user):
    athlete, other = await make_user(), await make_user()
    first = (await gql(CONNECT, garmin(), as_=athlete))["data"]["connectWearable"]["wearable"]
    again = (await gql(CONNECT, garmin(), as_=athlete))["data"]["connectWearable"]
    assert again["errors"][0]["__typename"] == "ConflictError" and again["wearable"] is None
    empty = (await gql(CONNECT, garmin("Strap", token=""), as_=athlete))["data"]["connectWearable"]
    assert empty["errors"][0]["field"] == "input.accessToken"
    polar = {"input": {"type": "POLAR", "name": "H10", "accessToken": "t"}}
    assert (await gql(CONNECT, polar, as_=athlete))["data"]["connectWearable"]["errors"] == []

    renamed = (await gql(UPDATE, {"input": {"id": first["id"], "name": "Race watch"}}, as_=athlete))["data"]
    assert renamed["updateWearable"]["wearable"]["name"] == "Race watch"
    taken = (await gql(UPDATE, {"input": {"id": first["id"], "name": "H10"}}, as_=athlete))["data"]["updateWearable"]
    assert taken["errors"][0]["__typename"] == "ConflictError"
    off = (await gql(DISCONNECT, {"id": first["id"]}, as_=athlete))["data"]["disconnectWearable"]["wearable"]
    assert (off["status"], off["hasCredentials"]) == ("DISCONNECTED", False)
    back = (await gql(UPDATE, {"input": {"id": first["id"], "accessToken": "new"}}, as_=athlete))["data"]
    assert back["updateWearable"]["wearable"]["status"] == "CONNECTED"

    assert [w["name"] for w in (await gql(MINE, as_=athlete))["data"]["wearables"]] == ["Race watch", "H10"]
    assert (await gql(MINE, as_=other))["data"]["wearables"] == []
    for mutation, variables in ((UPDATE, {"input": {"id": first["id"], "name": "mine"}}), (DISCONNECT, {"id": first["id"]}),
                                (REMOVE, {"id": first["id"]})):
        body = (await gql(mutation, variables, as_=other))["data"]
        assert next(iter(body.values()))["errors"][0]["__typename"] == "NotFoundError"
    assert (await gql(REMOVE, {"id": first["id"]}, as_=athlete))["data"]["removeWearable"]["removedId"] == first["id"]
    assert len((await gql(MINE, as_=athlete))["data"]["wearables"]) == 1


async def test_samples_from_a_device_mark_it_synced(gql, training_now):
    athlete, _, session_id = training_now
    device = (await gql(CONNECT, garmin("chest strap"), as_=athlete))["data"]["connectWearable"]["wearable"]
    assert device["lastSyncAt"] is None
    start = datetime.now(timezone.utc) - timedelta(seconds=20)
    await gql(RECORD, batch(session_id, start, [140, 141, 142]), as_=athlete)  # device "chest strap"
    [mine] = (await gql(MINE, as_=athlete))["data"]["wearables"]
    assert abs(datetime.fromisoformat(mine["lastSyncAt"]) - (start + timedelta(seconds=2))) < timedelta(milliseconds=1)


async def test_rotating_keys_reseals_every_credential(gql, make_user, engine, database_url, tmp_path, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    athlete = await make_user()
    # Rows sealed under the old key (as a server configured with it would).
    async with engine.begin() as conn:
        for name in ("a", "b"):
            await conn.execute(text(
                "INSERT INTO wearables (id, user_id, type, name, status, credentials) "
                "VALUES (:id, :user, 'whoop', :name, 'connected', :sealed)"),
                {"id": uuid.uuid4(), "user": athlete.id, "name": name, "sealed": Vault([old.encode()]).seal({"t": name})})
    env = {**os.environ, "DATABASE_URL": database_url, "TRAINFORGE_HOME": str(tmp_path),
           "TRAINFORGE_SECRET": settings.jwt_secret}

    missing = subprocess.run([str(TRAINFORGE), "rotate-token-keys"], env={**env, "TRAINFORGE_TOKEN_KEYS": new},
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and "nothing changed" in missing.stderr
    done = subprocess.run([str(TRAINFORGE), "rotate-token-keys"], env={**env, "TRAINFORGE_TOKEN_KEYS": f"{new},{old}"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "sealed under the first key" in done.stdout and "re-sealed" in done.stderr
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT name, credentials FROM wearables WHERE user_id = :u ORDER BY name"),
                                   {"u": athlete.id})).all()
    assert [Vault([new.encode()]).open(sealed) for _, sealed in rows] == [{"t": "a"}, {"t": "b"}]
    with pytest.raises(InvalidToken):
        Vault([old.encode()]).open(rows[0][1])
    bad = subprocess.run([str(TRAINFORGE), "rotate-token-keys"], env={**env, "TRAINFORGE_TOKEN_KEYS": "not-a-key"},
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "TRAINFORGE_TOKEN_KEYS" in bad.stderr
