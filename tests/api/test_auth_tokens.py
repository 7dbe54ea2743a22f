"""Bearer tokens over HTTP: anonymous, valid, expired, forged and malformed credentials; the `token` CLI."""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import jwt
import pytest

from trainforge.config import Settings
from trainforge.models import Role
from trainforge.services import auth
from trainforge.services.auth import Viewer
from trainforge.services.errors import Unauthenticated

REPO = Path(__file__).resolve().parents[2]
TRAINFORGE = REPO / ".venv" / "bin" / "trainforge"
VIEWER = "{ viewer { id email } }"


async def post(client, headers: dict[str, str] | None = None, query: str = VIEWER):  # noqa: ANN001, ANN201
    return await client.post("/graphql", json={"query": query}, headers=headers or {})


def assert_unauthenticated(response, message: str) -> None:  # noqa: ANN001
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == {"viewer": None}
    [error] = body["errors"]
    assert error["message"] == message
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["path"] == ["viewer"]
    assert "Traceback" not in response.text


async def test_viewer_is_null_without_credentials(client):
    response = await post(client)

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": None}}


async def test_valid_token_names_the_viewer(client, make_user):
    athlete = await make_user(Role.ATHLETE)

    response = await post(client, athlete.headers)

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"id": str(athlete.id), "email": athlete.email}}}


async def test_scheme_is_case_insensitive(client, make_user):
    athlete = await make_user(Role.ATHLETE)

    response = await post(client, {"Authorization": f"bearer {athlete.token}"})

    assert response.json() == {"data": {"viewer": {"id": str(athlete.id), "email": athlete.email}}}


async def test_expired_token_is_unauthenticated(client, make_user, settings):
    athlete = await make_user(Role.ATHLETE)
    expired = auth.issue_token(settings, Viewer(athlete.id, Role.ATHLETE), ttl=timedelta(seconds=-1))

    response = await post(client, {"Authorization": f"Bearer {expired}"})

    assert_unauthenticated(response, "token expired")


async def test_token_signed_with_another_secret_is_invalid(client, make_user, settings, tmp_path):
    athlete = await make_user(Role.ATHLETE)
    other = Settings(home=tmp_path, secret="another-secret-that-is-long-enough-0123456789", database_url=None)
    assert other.secret != settings.secret
    forged = auth.issue_token(other, Viewer(athlete.id, Role.ATHLETE))

    response = await post(client, {"Authorization": f"Bearer {forged}"})

    assert_unauthenticated(response, "invalid token")


async def test_unsigned_token_is_invalid(client, make_user):
    athlete = await make_user(Role.ATHLETE)
    now = datetime.now(UTC)
    claims = {"iss": "trainforge", "sub": str(athlete.id), "role": "athlete", "iat": now, "exp": now + timedelta(hours=1)}
    unsigned = jwt.encode(claims, None, algorithm="none")

    response = await post(client, {"Authorization": f"Bearer {unsigned}"})

    assert_unauthenticated(response, "invalid token")


async def test_token_without_expiry_is_invalid(client, make_user, settings):
    athlete = await make_user(Role.ATHLETE)
    claims = {"iss": "trainforge", "sub": str(athlete.id), "role": "athlete", "iat": datetime.now(UTC)}
    forever = jwt.encode(claims, settings.secret, algorithm="HS256")

    response = await post(client, {"Authorization": f"Bearer {forever}"})

    assert_unauthenticated(response, "invalid token")


async def test_token_with_an_unknown_role_is_invalid(client, make_user, settings):
    athlete = await make_user(Role.ATHLETE)
    now = datetime.now(UTC)
    claims = {"iss": "trainforge", "sub": str(athlete.id), "role": "admin", "iat": now, "exp": now + timedelta(hours=1)}
    token = jwt.encode(claims, settings.secret, algorithm="HS256")

    response = await post(client, {"Authorization": f"Bearer {token}"})

    assert_unauthenticated(response, "invalid token")


async def test_garbage_token_is_invalid(client):
    response = await post(client, {"Authorization": "Bearer this-is-not-a-jwt"})

    assert_unauthenticated(response, "invalid token")


async def test_header_without_bearer_scheme_is_refused(client, make_user):
    athlete = await make_user(Role.ATHLETE)

    for value in (athlete.token, f"Token {athlete.token}", "Bearer ", "Basic dXNlcjpwYXNz"):
        response = await post(client, {"Authorization": value})
        assert_unauthenticated(response, "Authorization header must be 'Bearer <token>'")


async def test_bad_token_also_blocks_mutations(client, make_user, settings):
    athlete = await make_user(Role.ATHLETE)
    expired = auth.issue_token(settings, Viewer(athlete.id, Role.ATHLETE), ttl=timedelta(seconds=-1))

    response = await post(
        client,
        {"Authorization": f"Bearer {expired}"},
        query="mutation { updateProfile(input: {maxHr: 180}) { errors { message } } }",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["message"] == "token expired"
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- verified tokens are cached ------------------------------------------------------------------


def count_decodes(monkeypatch) -> list[str]:  # noqa: ANN001
    """Every jwt.decode call from now on, by token."""
    calls: list[str] = []
    decode = jwt.decode

    def counting(token: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    return calls


async def test_a_token_is_decoded_once(client, make_user, settings, monkeypatch):
    athlete = await make_user(Role.ATHLETE)
    # A token of its own (tokens issued in the same second for the same viewer are equal).
    token = auth.issue_token(settings, Viewer(athlete.id, Role.ATHLETE), ttl=timedelta(hours=1, seconds=7))
    decodes = count_decodes(monkeypatch)

    for _ in range(3):
        response = await post(client, {"Authorization": f"Bearer {token}"})
        assert response.json() == {"data": {"viewer": {"id": str(athlete.id), "email": athlete.email}}}

    assert decodes == [token]


async def test_a_cached_token_is_refused_once_it_expires(client, make_user, settings, monkeypatch):
    athlete = await make_user(Role.ATHLETE)
    token = auth.issue_token(settings, Viewer(athlete.id, Role.ATHLETE), ttl=timedelta(minutes=5))
    assert auth.verify_token(settings, token) == Viewer(athlete.id, Role.ATHLETE)  # cached now
    decodes = count_decodes(monkeypatch)
    later = time.time() + 301
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: later))

    response = await post(client, {"Authorization": f"Bearer {token}"})

    assert_unauthenticated(response, "token expired")
    assert decodes == []  # refused from the cache, by its own expiry


async def test_a_refused_token_is_never_cached(client, make_user, settings, tmp_path, monkeypatch):
    athlete = await make_user(Role.ATHLETE)
    other = Settings(home=tmp_path, secret="another-secret-that-is-long-enough-0123456789", database_url=None)
    forged = auth.issue_token(other, Viewer(athlete.id, Role.ATHLETE))
    expired = auth.issue_token(settings, Viewer(athlete.id, Role.ATHLETE), ttl=timedelta(seconds=-1))
    decodes = count_decodes(monkeypatch)

    for _ in range(2):
        assert_unauthenticated(await post(client, {"Authorization": f"Bearer {forged}"}), "invalid token")
        assert_unauthenticated(await post(client, {"Authorization": f"Bearer {expired}"}), "token expired")
        assert_unauthenticated(await post(client, {"Authorization": "Bearer not-a-jwt"}), "invalid token")

    assert decodes == [forged, expired, "not-a-jwt"] * 2


async def test_a_token_cached_under_one_secret_is_refused_under_another(make_user, settings, tmp_path):
    athlete = await make_user(Role.ATHLETE)
    token = auth.issue_token(settings, Viewer(athlete.id, Role.ATHLETE))
    assert auth.verify_token(settings, token) == Viewer(athlete.id, Role.ATHLETE)
    other = Settings(home=tmp_path, secret="another-secret-that-is-long-enough-0123456789", database_url=None)

    with pytest.raises(Unauthenticated, match="invalid token"):
        auth.verify_token(other, token)
    assert auth.verify_token(settings, token) == Viewer(athlete.id, Role.ATHLETE)


# --- `trainforge token EMAIL` ---------------------------------------------------------------------


async def run_cli(*args: str, database_url: str, secret: str, home: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINFORGE_") and k != "DATABASE_URL"}
    env.update({"DATABASE_URL": database_url, "TRAINFORGE_SECRET": secret, "TRAINFORGE_HOME": str(home)})
    executable = str(TRAINFORGE) if TRAINFORGE.exists() else sys.executable
    argv = [executable, *args] if TRAINFORGE.exists() else [executable, "-m", "trainforge.cli", *args]
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=home, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(60):
        stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_cli_token_works_for_the_viewer(gql, make_user, settings, database_url, tmp_path):
    coach = await make_user(Role.COACH, email="cli.coach@example.com")

    code, out, err = await run_cli(
        "token", "CLI.Coach@example.com", database_url=database_url, secret=settings.secret, home=tmp_path
    )

    assert code == 0, err
    token = out.strip()
    assert token.count(".") == 2 and "\n" not in token
    assert auth.verify_token(settings, token) == Viewer(coach.id, Role.COACH)
    result = await gql(VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert result == {"data": {"viewer": {"id": str(coach.id), "email": "cli.coach@example.com"}}}


async def test_cli_token_for_unknown_email_exits_1(engine, settings, database_url, tmp_path):
    code, out, err = await run_cli(
        "token", f"ghost-{uuid.uuid4().hex[:6]}@example.com", database_url=database_url, secret=settings.secret, home=tmp_path
    )

    assert code == 1
    assert out == ""
    assert "no user with email ghost-" in err
