"""sessionEvents across processes: two `trainforge serve` on one database, the writer on one, the subscriber on the other.

Once through PostgreSQL LISTEN/NOTIFY, once through Redis pub/sub (the Redis on 127.0.0.1:6379, or
REDIS_URL; the test is skipped only when no Redis answers there, as on a newcomer's machine).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from ws_client import TRANSPORT_WS, assert_ack, receive, send

TRAINFORGE = Path(sys.executable).parent / "trainforge"
SECRET = "events-across-processes-secret-0123456789"
EVENTS = "subscription ($id: ID!) { sessionEvents(sessionId: $id) { kind version set { reps device } } }"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_answers() -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except RedisError:
        return False


async def _start(database_url: str, broker: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "TRAINFORGE_SECRET": SECRET, "TRAINFORGE_BROKER": broker,
           "REDIS_URL": REDIS_URL, "TRAINFORGE_ARGON2_MEMORY_KIB": "1024", "TRAINFORGE_ARGON2_TIME_COST": "1"}
    with log.open("w") as out:
        proc = subprocess.Popen([str(TRAINFORGE), "serve", "--port", str(port), "--no-access-log"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            if proc.poll() is not None:
                raise AssertionError(f"serve exited early:\n{log.read_text()}")
            try:
                if (await client.get(f"{url}/healthz", timeout=2)).status_code == 200:
                    return proc, url
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"serve not healthy:\n{log.read_text()}")


@pytest.fixture
async def database(scratch_server) -> AsyncIterator[str]:  # noqa: ANN001
    name = await scratch_server.create("trainforge_events")
    try:
        yield scratch_server.database_url(name)
    finally:
        await scratch_server.drop(name)


async def _gql(client: httpx.AsyncClient, url: str, query: str, variables: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


@pytest.mark.parametrize("broker", ["postgres", "redis"])
async def test_a_set_logged_on_one_process_reaches_a_subscriber_on_the_other(database, tmp_path, broker):
    if broker == "redis" and not _redis_answers():
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    writer, writer_url = await _start(database, broker, tmp_path / "writer.log")
    reader = None
    try:
        reader, reader_url = await _start(database, broker, tmp_path / "reader.log")  # after: migrations run once
        async with httpx.AsyncClient(timeout=10) as client:
            signed = await _gql(client, writer_url, "mutation ($input: SignUpInput!) { signUp(input: $input) { token } }",
                                {"input": {"email": f"{uuid.uuid4().hex[:8]}@example.com", "password": "long enough",
                                           "displayName": "A"}})
            token = signed["signUp"]["token"]
            routine = await _gql(client, writer_url, "mutation ($input: RoutineInput!) { createRoutine(input: $input) "
                                 "{ routine { latestVersion { id } } } }", {"input": {
                                     "name": "Legs", "type": "STRENGTH", "sections": [
                                         {"name": "Main", "exercises": [{"exercise": "Barbell Squat", "sets": 5, "reps": 5}]}]}},
                                 token)
            weekday = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"][date.today().weekday()]
            assigned = await _gql(client, writer_url, "mutation ($input: AssignRoutineInput!) { assignRoutine(input: $input) "
                                  "{ sessions { id } } }", {"input": {
                                      "versionId": routine["createRoutine"]["routine"]["latestVersion"]["id"],
                                      "startDate": date.today().isoformat(), "endDate": date.today().isoformat(),
                                      "weekdays": [weekday]}}, token)
            session_id = assigned["assignRoutine"]["sessions"][0]["id"]
            await _gql(client, writer_url, "mutation ($id: ID!) { startWorkout(sessionId: $id, device: \"phone\") "
                       "{ errors { message } } }", {"id": session_id}, token)

            ws_url = reader_url.replace("http://", "ws://") + "/graphql"
            async with connect(ws_url, subprotocols=[TRANSPORT_WS]) as ws:
                await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
                assert_ack(await receive(ws))
                await send(ws, {"id": "e", "type": "subscribe", "payload": {"query": EVENTS, "variables": {"id": session_id}}})
                async with asyncio.timeout(10):
                    first = await receive(ws)
                assert first["payload"]["data"]["sessionEvents"] == {"kind": "SUBSCRIBED", "version": 1, "set": None}
                for reps in (5, 4):
                    await _gql(client, writer_url, "mutation ($input: LogSetInput!) { logSet(input: $input) "
                               "{ errors { message } } }", {"input": {"clientId": str(uuid.uuid4()), "sessionId": session_id,
                                                                      "device": "phone", "position": 0, "reps": reps}}, token)
                events = []
                async with asyncio.timeout(10):
                    while len(events) < 2:
                        events.append((await receive(ws))["payload"]["data"]["sessionEvents"])
                assert events == [{"kind": "SET_LOGGED", "version": 2, "set": {"reps": 5, "device": "phone"}},
                                  {"kind": "SET_LOGGED", "version": 3, "set": {"reps": 4, "device": "phone"}}]
    finally:
        for proc in (writer, reader):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
