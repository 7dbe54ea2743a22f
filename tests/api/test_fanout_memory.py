"""The grouped fan-out's execution path does not grow with the events it delivers.

graphql-core 3.3.2's per-event executor copies share and grow a cache (about 1.6 KB per delivered
event); the fan-out builds a fresh executor per event instead. 100,000 events through it must leave
memory flat (tracemalloc, after a warm-up).
"""

from __future__ import annotations

import gc
import tracemalloc
import uuid

from trainforge.fanout import Group
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
    group = Group(hub, (QUERY, None, "{}"), session_id, QUERY, None, {"id": str(session_id)})
    context = Context(settings=settings, engine=view.engine, sessions=view.sessions, reader=view.reader,
                      loaders=Loaders(view.reader), generators=view.generators, broker=view.broker,
                      viewer=Viewer(uuid.uuid4(), Role.ATHLETE))

    async def deliver(version: int) -> str:
        message = {"kind": "set_logged", "session": str(session_id), "version": version, "position": version % 7}
        return await hub.execute(group, context, message)

    assert await deliver(3) == '{"data":{"sessionEvents":{"kind":"SET_LOGGED","version":3,"position":3}}}'
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
