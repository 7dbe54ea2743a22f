"""GraphQL over a real WebSocket: a uvicorn server in the test loop and the `websockets` client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from trainforge.app import GraphQLApp
from trainforge.models import Role
from trainforge.services import auth
from trainforge.services.auth import Viewer
from ws_client import LEGACY_WS, TRANSPORT_WS, assert_ack, receive, receive_frame, send, serving

VIEWER = "{ viewer { id email } }"


@pytest.fixture(scope="module")
async def ws_url(app: Any) -> AsyncIterator[str]:
    async with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
async def keep_alive_ws_url(settings: Any, engine: Any) -> AsyncIterator[str]:
    """The GraphQL view alone, with legacy `ka` keep-alives on (the shared app sends none).

    The first `ka` follows `connection_ack` at once; the next would come a minute
    later, so none lands in the middle of a test's exchange.
    """
    view = GraphQLApp(settings, engine, keep_alive=True, keep_alive_interval=60)
    try:
        async with serving(view) as url:
            yield url
    finally:
        await view.generators.aclose()


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


# --- every server message is a text frame -------------------------------------------------------------

INVALID_DOCUMENT = "{ viewer { noSuchField } }"
# A Date variable graphql-core cannot coerce: strawberry's Date scalar echoes the value as given in the
# error message, here with a lone surrogate (raw JSON text, so the escape reaches the server as is).
LONE_SURROGATE_DOCUMENT = (
    "mutation($d: Date!) { generateProgram(input: "
    "{goal: STRENGTH, startDate: $d, totalWeeks: 8, weekdays: [MONDAY]}) { __typename } }"
)
LONE_SURROGATE_PAYLOAD = '{"query": %s, "variables": {"d": "a\\ud800"}}' % json.dumps(LONE_SURROGATE_DOCUMENT)


def assert_lone_surrogate_replaced(errors: list[dict[str, Any]]) -> None:
    """The error echoes the value with U+FFFD in place of the surrogate, as valid UTF-8."""
    message = errors[0]["message"]
    assert "Date" in message and "a\ufffd" in message, message
    message.encode("utf-8")  # strict: raises if a surrogate survived


async def test_transport_ws_every_message_of_an_exchange_is_a_text_frame(ws_url, make_user):
    """connection_init/ack, ping/pong, subscribe/next/complete, an invalid document's `error`:
    `receive_frame` fails on the first binary frame."""
    athlete = await make_user(Role.ATHLETE)

    async with asyncio.timeout(10):
        async with connect(ws_url, subprotocols=[TRANSPORT_WS]) as ws:
            await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {athlete.token}"}})
            assert_ack(await receive_frame(ws))

            await send(ws, {"type": "ping"})
            assert await receive_frame(ws) == {"type": "pong"}

            await send(ws, {"id": "q", "type": "subscribe", "payload": {"query": VIEWER}})
            assert await receive_frame(ws) == {
                "id": "q",
                "type": "next",
                "payload": {"data": {"viewer": {"id": str(athlete.id), "email": athlete.email}}},
            }
            assert await receive_frame(ws) == {"id": "q", "type": "complete"}

            await send(ws, {"id": "bad", "type": "subscribe", "payload": {"query": INVALID_DOCUMENT}})
            error = await receive_frame(ws)
            assert error["id"] == "bad" and error["type"] == "error", error
            assert "noSuchField" in error["payload"][0]["message"]

            # Still usable after an error: one more round trip.
            await send(ws, {"type": "ping"})
            assert await receive_frame(ws) == {"type": "pong"}


async def test_legacy_graphql_ws_every_message_of_an_exchange_is_a_text_frame(keep_alive_ws_url, make_user):
    """connection_init/ack, ka, start/data/complete, an invalid document's `error`, all text frames."""
    athlete = await make_user(Role.ATHLETE)

    async with asyncio.timeout(10):
        async with connect(keep_alive_ws_url, subprotocols=[LEGACY_WS]) as ws:
            await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {athlete.token}"}})
            assert_ack(await receive_frame(ws))
            assert await receive_frame(ws) == {"type": "ka"}

            await send(ws, {"id": "q", "type": "start", "payload": {"query": VIEWER}})
            assert await receive_frame(ws) == {
                "id": "q",
                "type": "data",
                "payload": {"data": {"viewer": {"id": str(athlete.id), "email": athlete.email}}},
            }
            assert await receive_frame(ws) == {"id": "q", "type": "complete"}

            await send(ws, {"id": "bad", "type": "start", "payload": {"query": INVALID_DOCUMENT}})
            error = await receive_frame(ws)
            assert error["id"] == "bad" and error["type"] == "error", error
            assert "noSuchField" in str(error["payload"])

            await send(ws, {"type": "connection_terminate"})
            with pytest.raises(ConnectionClosed):
                await ws.recv()
    assert ws.close_code == 1000


async def test_transport_ws_error_echoing_a_lone_surrogate_is_valid_json(ws_url, engine):
    async with asyncio.timeout(10):
        async with connect(ws_url, subprotocols=[TRANSPORT_WS]) as ws:
            await send(ws, {"type": "connection_init"})
            assert_ack(await receive_frame(ws))

            await ws.send('{"id": "s", "type": "subscribe", "payload": %s}' % LONE_SURROGATE_PAYLOAD)
            messages = [await receive_frame(ws)]
            while messages[-1]["type"] not in ("complete", "error"):
                messages.append(await receive_frame(ws))

    errors = messages[0]["payload"] if messages[0]["type"] == "error" else messages[0]["payload"]["errors"]
    assert_lone_surrogate_replaced(errors)


async def test_legacy_graphql_ws_error_echoing_a_lone_surrogate_is_valid_json(ws_url, engine):
    async with asyncio.timeout(10):
        async with connect(ws_url, subprotocols=[LEGACY_WS]) as ws:
            await send(ws, {"type": "connection_init"})
            assert_ack(await receive_frame(ws))

            await ws.send('{"id": "s", "type": "start", "payload": %s}' % LONE_SURROGATE_PAYLOAD)
            messages = [await receive_frame(ws)]
            while messages[-1]["type"] not in ("complete", "error"):
                messages.append(await receive_frame(ws))

    errors = messages[0]["payload"] if messages[0]["type"] == "error" else messages[0]["payload"]["errors"]
    assert_lone_surrogate_replaced(errors if isinstance(errors, list) else [errors])
