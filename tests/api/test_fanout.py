"""The grouped fan-out: one execution per event, frames per member, slow sockets dropped, flat memory.

graphql-core 3.3.2's per-event executor copies share and grow a cache (about 1.6 KB per delivered
event); the fan-out builds a fresh executor per event instead. 100,000 events through it must leave
memory flat (tracemalloc, after a warm-up).
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
import uuid

from trainforge.fanout import FEEDS, Group
from trainforge.websocket import SharedText
from trainforge.resolvers.context import Context
from trainforge.resolvers.loaders import Loaders
from trainforge.services.auth import Viewer
from trainforge.models import Role

EVENTS = 100_000
QUERY = "subscription ($id: ID!) { sessionEvents(sessionId: $id) { kind version position } }"


async def test_a_hundred_thousand_events_leave_memory_flat(app, settings):
    view = app.state.graphql
    hub = view.fanout
    session_id = uuid.uuid4()
    group = Group(hub, (QUERY, None, "{}"), FEEDS["sessionEvents"], session_id, QUERY, None, {"id": str(session_id)})
    context = Context(settings=settings, engine=view.engine, sessions=view.sessions, reader=view.reader,
                      loaders=Loaders(view.reader), generators=view.generators, broker=view.broker,
                      viewer=Viewer(uuid.uuid4(), Role.ATHLETE))

    async def deliver(version: int) -> bytes:
        message = {"kind": "set_logged", "session": str(session_id), "version": version, "position": version % 7}
        return await hub.execute(group, context, message)

    assert await deliver(3) == b'{"data":{"sessionEvents":{"kind":"SET_LOGGED","version":3,"position":3}}}'
    for version in range(2_000):  # warm-up: caches filled, lazy imports done
        await deliver(version)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for version in range(EVENTS):
            await deliver(version)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert grown < 256 * 1024, f"{grown} bytes more after {EVENTS} events:\n" + "\n".join(
        str(stat) for stat in after.compare_to(before, "lineno")[:10])


class FakeSocket:
    def __init__(self, writable: bool) -> None:
        self.frames: list[str] = []
        self._writable = writable

    def shared_frames(self) -> None:  # not served by SharedFrameProtocol: frames go through send_shared
        return None

    async def send_shared(self, message: SharedText, head: bytes, timeout: float) -> bool:
        if self._writable:
            self.frames.append((head + message.body).decode())
        return self._writable


class FakeHandler:
    """What a group uses of a connection's handler: its socket and context, and how to drop a member."""

    def __init__(self, context: Context, writable: bool) -> None:
        self.context = context
        self.websocket = FakeSocket(writable)
        self.dropped: list[object] = []

    async def drop(self, member: object) -> None:
        self.dropped.append(member)


async def test_one_execution_per_event_and_a_slow_socket_is_dropped_not_awaited(app, settings, make_user):
    """Members that may read the session get the same frame but their own id; a full socket is dropped;
    the stream of a member who may not read the session (any more) ends."""
    from trainforge.fanout import Member

    view = app.state.graphql
    athlete, stranger = await make_user(Role.ATHLETE), await make_user(Role.ATHLETE)
    async with view.engine.begin() as conn:
        session_id = uuid.uuid4()
        from sqlalchemy import text
        await conn.execute(text(
            "INSERT INTO training_sessions (id, athlete_id, source, scheduled_date, kind, status, workout_snapshot) "
            "VALUES (:id, :athlete, 'routine_assignment', current_date, 'strength', 'in_progress', '{\"name\": \"x\"}')"
        ), {"id": session_id, "athlete": athlete.id})

    def context(person) -> Context:  # noqa: ANN001
        return Context(settings=settings, engine=view.engine, sessions=view.sessions, reader=view.reader,
                       loaders=Loaders(view.reader), generators=view.generators, broker=view.broker,
                       viewer=Viewer(person.id, person.role))

    fast, slow, revoked = FakeHandler(context(athlete), True), FakeHandler(context(athlete), False), \
        FakeHandler(context(stranger), True)
    group = Group(view.fanout, (QUERY, None, "{}"), FEEDS["sessionEvents"], session_id, QUERY, None,
                  {"id": str(session_id)})
    members = [Member(fast, "a", athlete.id), Member(fast, "b", athlete.id), Member(slow, "c", athlete.id),
               Member(revoked, "d", stranger.id)]
    for member in members:
        group.join(member)
    await group.deliver(fast.context, {"kind": "set_logged", "session": str(session_id), "version": 7, "position": 0})
    payload = '"payload":{"data":{"sessionEvents":{"kind":"SET_LOGGED","version":7,"position":0}}}}'
    assert sorted(fast.websocket.frames) == ['{"id":"a","type":"next",' + payload, '{"id":"b","type":"next",' + payload]
    # The slow one is closed in a task of its own (its close waits for its buffer), the revoked one's stream
    # ended (its handler sends `complete`): neither is awaited by the others' delivery.
    await asyncio.gather(*view.fanout.closing)
    assert slow.websocket.frames == [] and slow.dropped == [members[2]]
    assert revoked.websocket.frames == [] and members[3].ended.is_set() and not members[0].ended.is_set()


def test_a_group_counts_its_viewers_as_members_join_and_leave(app):
    """Each event checks the group's viewers, counted as members come and go (not by a pass over them)."""
    from trainforge.fanout import Member

    class Handler:
        websocket = FakeSocket(True)

    alice, bob = uuid.uuid4(), uuid.uuid4()
    group = Group(app.state.graphql.fanout, (QUERY, None, "{}"), FEEDS["sessionEvents"], uuid.uuid4(), QUERY, None, {})
    phone, watch, coach = Member(Handler(), "a", alice), Member(Handler(), "b", alice), Member(Handler(), "c", bob)
    for member in (phone, watch, coach):
        group.join(member)
    assert group.viewers == {alice: 2, bob: 1}
    group.leave(phone)
    group.leave(phone)  # a second leave (the handler's cleanup after the group's) changes nothing
    assert group.viewers == {alice: 1, bob: 1}
    group.leave(coach)
    group.leave(watch)
    assert not group.viewers and not group.members
