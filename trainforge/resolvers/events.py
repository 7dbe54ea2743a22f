"""Live events of a session: published after a write commits, received by its subscribers.

A message holds ids and versions only: subscribers re-read what their selection
asks for. A publish that fails is logged, never reported as the write's failure
(the write has committed); subscribers catch up from the version they see next.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

from trainforge.resolvers.context import Context, PublicError
from trainforge.services import live, training

log = logging.getLogger(__name__)


class EventKind(str, enum.Enum):
    SUBSCRIBED = "subscribed"  # the first event: the state when the subscription started
    ATTEMPT_STARTED = "attempt_started"
    SET_LOGGED = "set_logged"
    PROGRESS_SAVED = "progress_saved"
    EXERCISE_STATUS_CHANGED = "exercise_status_changed"
    STATUS_CHANGED = "status_changed"  # scheduled, started, skipped, cancelled
    SESSION_COMPLETED = "session_completed"


def channel(session_id: uuid.UUID) -> str:
    return f"session:{session_id}"


async def publish(
    ctx: Context, session_id: uuid.UUID, kind: EventKind, *, version: int | None = None, position: int | None = None,
    set_id: uuid.UUID | None = None, attempt_id: uuid.UUID | None = None,
) -> None:
    message = {
        "kind": kind.value, "session": str(session_id), "version": version, "position": position,
        "set": str(set_id) if set_id else None, "attempt": str(attempt_id) if attempt_id else None,
    }
    try:
        await ctx.broker.publish(channel(session_id), message)
    except Exception:  # the write has committed; a lost event is caught up by the next version
        log.exception("publishing %s of session %s failed", kind.value, session_id)


async def session_events(ctx: Context, session_id: uuid.UUID) -> AsyncIterator[dict[str, Any]]:
    """The session's events for a viewer who may read it: first SUBSCRIBED with the current version, then each
    event as published. Ends when the viewer may no longer read the session (access revoked)."""
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        if await training.get_session(conn, me, session_id) is None:
            raise PublicError("no such session", "NOT_FOUND", field="sessionId")
    async with await ctx.broker.subscribe(channel(session_id)) as subscription:
        async with ctx.reader.connect() as conn:
            [current] = await live.progress_of(conn, [session_id]) or [None]
        yield {"kind": EventKind.SUBSCRIBED.value, "session": str(session_id),
               "version": current.version if current is not None else None}
        async for message in subscription:
            async with ctx.reader.connect() as conn:
                if await training.get_session(conn, me, session_id) is None:
                    return
            yield message
