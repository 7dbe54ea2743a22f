"""Live events of a session: published after a write commits, received by its subscribers.

A message holds ids and versions only: subscribers re-read what their selection
asks for. A publish that fails is logged, never reported as the write's failure
(the write has committed); subscribers catch up from the version they see next.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

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


async def subscribed(conn: AsyncConnection, session_id: uuid.UUID) -> dict[str, Any]:
    """The first event of a `sessionEvents` stream: the progress version when it starts."""
    current = await live.progress_of(conn, [session_id])
    return {"kind": EventKind.SUBSCRIBED.value, "session": str(session_id),
            "version": current[0].version if current else None}


async def feed(
    ctx: Context, session_id: uuid.UUID, channel_name: str,
    first: Callable[[AsyncConnection, uuid.UUID], Awaitable[dict[str, Any]]],
) -> AsyncIterator[dict[str, Any]]:
    """A session's events one subscriber at a time (the fan-out serves groups; this is strawberry's own
    path): `first` once listening, then each message as published, for a viewer who may read the session;
    it ends when they no longer may (access revoked)."""
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        if not await training.readers_among(conn, session_id, [me.id]):
            raise PublicError("no such session", "NOT_FOUND", field="sessionId")
    async with await ctx.broker.subscribe(channel_name) as subscription:
        async with ctx.reader.connect() as conn:
            yield await first(conn, session_id)
        async for message in subscription:
            async with ctx.reader.connect() as conn:
                if not await training.readers_among(conn, session_id, [me.id]):
                    return
            yield message


def session_events(ctx: Context, session_id: uuid.UUID) -> AsyncIterator[dict[str, Any]]:
    """SUBSCRIBED with the current version, then each event as published."""
    return feed(ctx, session_id, channel(session_id), subscribed)
