"""sessionEvents over a real WebSocket (graphql-transport-ws): two devices and a coach on one session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from trainforge.models import Role
from trainforge.websocket import SharedFrameProtocol

from test_live_sessions import LOG_SET, SAVE, START, session_to_train, write  # noqa: F401 (fixture)
from ws_client import TRANSPORT_WS, assert_ack, receive, send, serving

EVENTS = """
subscription ($id: ID!) {
  sessionEvents(sessionId: $id) {
    kind version position
    session { id status }
    progress { version summary { inProgress } }
    set { reps device }
    attempt { device }
  }
}
"""


@pytest.fixture(params=[SharedFrameProtocol, "websockets-sansio"], ids=["shared frames", "uvicorn's protocol"])
async def url(app: Any, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """Served as `serve` serves (frames written from shared bytes) and by uvicorn's own protocol (each
    frame through ASGI), which the fan-out falls back to."""
    async with serving(app, ws=request.param) as served:
        yield served


@asynccontextmanager
async def subscribed(url: str, person: Any, session_id: str, deflate: bool = False) -> AsyncIterator[ClientConnection]:
    """A connection of `person` subscribed to the session's events (the SUBSCRIBED event is left to read),
    with permessage-deflate if `deflate` (as browsers negotiate it)."""
    async with connect(url, subprotocols=[TRANSPORT_WS], compression="deflate" if deflate else None) as ws:
        assert bool(ws.protocol.extensions) == deflate
        await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {person.token}"}})
        assert_ack(await receive(ws))
        await send(ws, {"id": "events", "type": "subscribe", "payload": {"query": EVENTS, "variables": {"id": session_id}}})
        yield ws


async def next_event(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(10):
        message = await receive(ws)
    assert message["type"] == "next" and message["id"] == "events", message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]["sessionEvents"]


@pytest.fixture
def shared_writes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The heads of the messages SharedFrameProtocol wrote from shared bytes."""
    heads: list[bytes] = []
    send_shared = SharedFrameProtocol.send_shared

    def spy(self: SharedFrameProtocol, message: Any, head: bytes) -> bool:
        heads.append(head)
        return send_shared(self, message, head)

    monkeypatch.setattr(SharedFrameProtocol, "send_shared", spy)
    return heads


async def test_two_devices_and_a_coach_see_every_event_in_order(gql, app, url, session_to_train, shared_writes, request):
    athlete, coach, session_id = session_to_train
    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    async with (
        subscribed(url, athlete, session_id) as phone,
        subscribed(url, athlete, session_id, deflate=True) as watch,
        subscribed(url, coach, session_id, deflate=True) as dashboard,
    ):
        viewers = (phone, watch, dashboard)
        for ws in viewers:
            first = await next_event(ws)
            assert first["kind"] == "SUBSCRIBED" and first["version"] == 1
            assert first["session"] == {"id": session_id, "status": "IN_PROGRESS"}
        # One group serves the three (same document and variables): one execution per event.
        [group] = app.state.graphql.fanout.groups.values()
        assert len(group.members) == 3

        await gql(START, {"id": session_id, "device": "watch"}, as_=athlete)
        await gql(LOG_SET, write(session_id, "phone", position=0, reps=5, loadKg=100.0), as_=athlete)
        await gql(LOG_SET, write(session_id, "watch", position=0, reps=4), as_=athlete)
        await gql(SAVE, write(session_id, "watch", position=1, baseVersion=3, notes="grip"), as_=athlete)
        replay = write(session_id, "phone", position=0, reps=6)
        await gql(LOG_SET, replay, as_=athlete)
        await gql(LOG_SET, replay, as_=athlete)  # a replay: no event

        for ws in viewers:
            seen = [await next_event(ws) for _ in range(5)]
            assert [(e["kind"], e["version"], e["position"]) for e in seen] == [
                ("ATTEMPT_STARTED", 1, None), ("SET_LOGGED", 2, 0), ("SET_LOGGED", 3, 0),
                ("PROGRESS_SAVED", 4, 1), ("SET_LOGGED", 5, 0),
            ]
            assert seen[0]["attempt"] == {"device": "watch"}
            assert [e["set"] for e in seen[1:3]] == [{"reps": 5, "device": "phone"}, {"reps": 4, "device": "watch"}]
            assert seen[4]["progress"]["version"] >= 5
        # Served by `serve`'s protocol, each of the 6 events to each of the 3 went out as a shared frame.
        assert len(shared_writes) == (18 if request.node.callspec.params["url"] is SharedFrameProtocol else 0)


@pytest.fixture
def server_protocols(monkeypatch: pytest.MonkeyPatch) -> list[SharedFrameProtocol]:
    """The server's SharedFrameProtocol of each WebSocket connection, in the order they connect."""
    protocols: list[SharedFrameProtocol] = []
    handle_connect = SharedFrameProtocol.handle_connect

    def spy(self: SharedFrameProtocol, event: Any) -> None:
        protocols.append(self)
        handle_connect(self, event)

    monkeypatch.setattr(SharedFrameProtocol, "handle_connect", spy)
    return protocols


@pytest.mark.parametrize("drains", [True, False], ids=["its buffer drains", "it never drains"])
async def test_a_subscriber_whose_buffer_is_full_is_closed_and_never_holds_the_others_back(
    gql, app, url, session_to_train, server_protocols, request, monkeypatch, drains
):
    if request.node.callspec.params["url"] is not SharedFrameProtocol:
        pytest.skip("uvicorn's own protocol does not say when its buffer is full: its sends get SEND_TIMEOUT")
    # Draining: a close that waited for the buffer inside the delivery would hold the dashboard back until
    # its events time out. Never draining: the connection is cut after the close's timeout.
    monkeypatch.setattr("trainforge.fanout.CLOSE_TIMEOUT", 30 if drains else 0.5)
    athlete, coach, session_id = session_to_train
    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    async with subscribed(url, athlete, session_id) as slow, subscribed(url, coach, session_id) as dashboard:
        for ws in (slow, dashboard):
            assert (await next_event(ws))["kind"] == "SUBSCRIBED"
        slow_side = server_protocols[0]
        slow_side.pause_writing()  # what the transport does when its buffer passes the high-water mark
        for reps in (5, 4):
            await gql(LOG_SET, write(session_id, "phone", position=0, reps=reps), as_=athlete)
            assert (await next_event(dashboard))["set"] == {"reps": reps, "device": "phone"}
        [group] = app.state.graphql.fanout.groups.values()
        assert len(group.members) == 1  # the slow one left its group at the first event it could not take
        if drains:
            slow_side.resume_writing()
        async with asyncio.timeout(10):
            await slow.wait_closed()
        # Closed by the server as too slow once its buffer drained, or the connection cut when it did not.
        assert slow.close_code == (4408 if drains else 1006)
        await gql(LOG_SET, write(session_id, "phone", position=0, reps=3), as_=athlete)
        assert (await next_event(dashboard))["set"] == {"reps": 3, "device": "phone"}


async def test_others_cannot_subscribe_and_revoked_access_ends_the_stream(gql, url, make_user, session_to_train):
    athlete, coach, session_id = session_to_train
    stranger = await make_user(Role.COACH)
    async with subscribed(url, stranger, session_id) as ws:
        async with asyncio.timeout(10):
            message = await receive(ws)
        assert message["type"] in ("error", "next"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"

    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    async with subscribed(url, coach, session_id, deflate=True) as dashboard:
        assert (await next_event(dashboard))["kind"] == "SUBSCRIBED"
        unlinked = await gql("mutation ($id: ID!) { unlinkCoach(coachId: $id) { errors { message } } }",
                             {"id": str(coach.id)}, as_=athlete)
        assert unlinked["data"]["unlinkCoach"]["errors"] == []
        await gql(LOG_SET, write(session_id, "phone", position=0, reps=5), as_=athlete)
        async with asyncio.timeout(10):
            message = await receive(dashboard)
        assert message == {"id": "events", "type": "complete"}


async def test_an_unknown_session_is_refused(url, make_user):
    athlete = await make_user()
    async with subscribed(url, athlete, str(uuid.uuid4())) as ws:
        async with asyncio.timeout(10):
            message = await receive(ws)
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"


async def test_serve_offers_deflate_without_server_context_takeover(app):
    """What lets one compressed event serve every socket (trainforge.websocket)."""
    async with serving(app) as url, connect(url, subprotocols=[TRANSPORT_WS], compression="deflate") as ws:
        [deflate] = ws.protocol.extensions
        assert deflate.remote_no_context_takeover and deflate.remote_max_window_bits == 12
