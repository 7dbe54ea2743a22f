"""GraphQL over a real WebSocket: a uvicorn server in the test loop and the `websockets` client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from trainforge.models import Role
from trainforge.services import auth
from trainforge.services.auth import Viewer

VIEWER = "{ viewer { id email } }"
TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


@pytest.fixture(scope="module")
async def ws_url(app: Any) -> AsyncIterator[str]:
    """ws://127.0.0.1:<port>/graphql served by uvicorn from the shared app, in this event loop."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()  # surface a startup failure
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        async with asyncio.timeout(10):
            await task


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: ClientConnection) -> dict[str, Any]:
    """The next protocol message, skipping keep-alives (`ka`, `ping`)."""
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == "ping":
            await send(ws, {"type": "pong"})
            continue
        if message["type"] != "ka":
            return message


def assert_ack(message: dict[str, Any]) -> None:
    # The protocol allows an absent or null payload; this server sends none of its own.
    assert message["type"] == "connection_ack", message
    assert set(message) <= {"type", "payload"} and message.get("payload") is None, message


async def transport_ws_query(url: str, payload: dict[str, Any] | None, query: str = VIEWER) -> list[dict[str, Any]]:
    """connection_init (+payload), then one `subscribe`; every message up to `complete`/`error`."""
    async with asyncio.timeout(10):
        async with connect(url, subprotocols=[TRANSPORT_WS]) as ws:
            assert ws.subprotocol == TRANSPORT_WS
            await send(ws, {"type": "connection_init"} if payload is None else {"type": "connection_init", "payload": payload})
            assert_ack(await receive(ws))
            await send(ws, {"id": "op-1", "type": "subscribe", "payload": {"query": query}})
            messages = []
            while not messages or messages[-1]["type"] not in ("complete", "error"):
                messages.append(await receive(ws))
            return messages


async def test_transport_ws_authorization_payload(ws_url, make_user):
    athlete = await make_user(Role.ATHLETE)

    messages = await transport_ws_query(ws_url, {"authorization": f"Bearer {athlete.token}"})

    assert messages == [
        {"id": "op-1", "type": "next", "payload": {"data": {"viewer": {"id": str(athlete.id), "email": athlete.email}}}},
        {"id": "op-1", "type": "complete"},
    ]


async def test_transport_ws_capitalised_authorization_payload(ws_url, make_user):
    coach = await make_user(Role.COACH)

    messages = await transport_ws_query(ws_url, {"Authorization": f"Bearer {coach.token}"})

    assert messages[0]["payload"] == {"data": {"viewer": {"id": str(coach.id), "email": coach.email}}}
    assert messages[1] == {"id": "op-1", "type": "complete"}


async def test_transport_ws_legacy_token_payload(ws_url, make_user):
    athlete = await make_user(Role.ATHLETE)

    messages = await transport_ws_query(ws_url, {"token": athlete.token})

    assert messages == [
        {"id": "op-1", "type": "next", "payload": {"data": {"viewer": {"id": str(athlete.id), "email": athlete.email}}}},
        {"id": "op-1", "type": "complete"},
    ]


async def test_transport_ws_without_payload_is_anonymous(ws_url, engine):
    messages = await transport_ws_query(ws_url, None)

    assert messages == [
        {"id": "op-1", "type": "next", "payload": {"data": {"viewer": None}}},
        {"id": "op-1", "type": "complete"},
    ]


async def test_transport_ws_empty_payload_is_anonymous(ws_url, engine):
    messages = await transport_ws_query(ws_url, {})

    assert messages == [
        {"id": "op-1", "type": "next", "payload": {"data": {"viewer": None}}},
        {"id": "op-1", "type": "complete"},
    ]


async def test_transport_ws_anonymous_program_query_is_unauthenticated(ws_url, engine):
    messages = await transport_ws_query(ws_url, None, '{ program(id: "00000000-0000-0000-0000-000000000000") { id } }')

    assert messages[0]["type"] == "next"
    assert messages[0]["payload"]["data"] == {"program": None}
    assert messages[0]["payload"]["errors"][0]["message"] == "authentication required"
    assert messages[0]["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert messages[1] == {"id": "op-1", "type": "complete"}


async def test_transport_ws_sees_fresh_data_on_a_long_lived_connection(ws_url, make_user, link):
    """The connection's loaders batch but never cache: a second query sees a change made in between."""
    coach, athlete = await make_user(Role.COACH), await make_user(Role.ATHLETE)
    query = "{ viewer { athletes { totalCount edges { node { id } } } } }"

    async with asyncio.timeout(10):
        async with connect(ws_url, subprotocols=[TRANSPORT_WS]) as ws:
            await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {coach.token}"}})
            assert_ack(await receive(ws))

            await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": query}})
            first = await receive(ws)
            assert await receive(ws) == {"id": "1", "type": "complete"}

            await link(coach, athlete)

            await send(ws, {"id": "2", "type": "subscribe", "payload": {"query": query}})
            second = await receive(ws)
            assert await receive(ws) == {"id": "2", "type": "complete"}

    assert first["payload"]["data"]["viewer"]["athletes"] == {"totalCount": 0, "edges": []}
    assert second["payload"]["data"]["viewer"]["athletes"] == {
        "totalCount": 1,
        "edges": [{"node": {"id": str(athlete.id)}}],
    }


@pytest.mark.parametrize(
    "payload",
    [
        {"authorization": "Bearer not-a-jwt"},
        {"authorization": "Token abc"},
        {"token": "not-a-jwt"},
    ],
)
async def test_transport_ws_invalid_token_closes_with_4403(ws_url, engine, payload):
    async with asyncio.timeout(10):
        async with connect(ws_url, subprotocols=[TRANSPORT_WS]) as ws:
            await send(ws, {"type": "connection_init", "payload": payload})
            with pytest.raises(ConnectionClosed):
                await ws.recv()
            assert ws.close_code == 4403
            assert ws.close_reason == "Forbidden"


async def test_transport_ws_expired_token_closes_with_4403(ws_url, make_user, settings):
    athlete = await make_user(Role.ATHLETE)
    expired = auth.issue_token(settings, Viewer(athlete.id, Role.ATHLETE), ttl=timedelta(seconds=-1))

    async with asyncio.timeout(10):
        async with connect(ws_url, subprotocols=[TRANSPORT_WS]) as ws:
            await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {expired}"}})
            with pytest.raises(ConnectionClosed):
                await ws.recv()
            assert ws.close_code == 4403


async def test_transport_ws_subscribe_before_init_closes_with_4401(ws_url, engine):
    async with asyncio.timeout(10):
        async with connect(ws_url, subprotocols=[TRANSPORT_WS]) as ws:
            await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": VIEWER}})
            with pytest.raises(ConnectionClosed):
                await ws.recv()
            assert ws.close_code == 4401


# --- the legacy `graphql-ws` (subscriptions-transport-ws) protocol -----------------------------------


async def test_legacy_graphql_ws_runs_the_viewer_query(ws_url, make_user):
    athlete = await make_user(Role.ATHLETE)

    async with asyncio.timeout(10):
        async with connect(ws_url, subprotocols=[LEGACY_WS]) as ws:
            assert ws.subprotocol == LEGACY_WS
            await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {athlete.token}"}})
            assert_ack(await receive(ws))

            await send(ws, {"id": "1", "type": "start", "payload": {"query": VIEWER}})
            messages = []
            while not messages or messages[-1]["type"] not in ("complete", "error"):
                messages.append(await receive(ws))
            await send(ws, {"type": "connection_terminate"})

    assert messages == [
        {"id": "1", "type": "data", "payload": {"data": {"viewer": {"id": str(athlete.id), "email": athlete.email}}}},
        {"id": "1", "type": "complete"},
    ]


async def test_legacy_graphql_ws_invalid_token_is_a_connection_error(ws_url, engine):
    async with asyncio.timeout(10):
        async with connect(ws_url, subprotocols=[LEGACY_WS]) as ws:
            await send(ws, {"type": "connection_init", "payload": {"authorization": "Bearer not-a-jwt"}})
            error = await receive(ws)
            with pytest.raises(ConnectionClosed):
                await ws.recv()

    assert error == {"type": "connection_error", "payload": {"reason": "invalid token"}}
