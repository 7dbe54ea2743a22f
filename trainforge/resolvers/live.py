"""Resolvers for training a session live: attempts, progress writes, completion, recovery."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.models.live_content import ExerciseStatus
from trainforge.resolvers import events
from trainforge.resolvers.common import Outcome, attempt, in_autocommit, in_transaction
from trainforge.resolvers.context import Context
from trainforge.resolvers.events import EventKind
from trainforge.resolvers.heart_rate import coefficients
from trainforge.services import heart_rate, live, progress, training


async def start(ctx: Context, session_id: uuid.UUID, device: str, rest: int | None) -> Outcome[live.Started]:
    me = ctx.require_viewer()
    outcome = await in_transaction(ctx, lambda s: live.start(s, me, session_id, device, rest, training.utc_now()))
    if outcome.value is not None:
        started = outcome.value
        await events.publish(ctx, session_id, EventKind.ATTEMPT_STARTED, version=started.progress.version,
                             attempt_id=started.attempt.id)
    return outcome


async def resume(ctx: Context, session_id: uuid.UUID) -> Outcome[tuple]:
    me = ctx.require_viewer()

    async def read() -> tuple:
        async with ctx.reader.connect() as conn:
            return await live.resume(conn, me, session_id)

    return await attempt(read())


async def complete(ctx: Context, session_id: uuid.UUID) -> Outcome[live.Completed]:
    me = ctx.require_viewer()
    async def work(s: AsyncSession) -> live.Completed:
        done = await live.complete(s, me, session_id, training.utc_now())
        return dataclasses.replace(done, session=await heart_rate.summarized(s, done.session, coefficients(ctx)))

    outcome = await in_transaction(ctx, work)
    if outcome.value is not None:
        done = outcome.value
        await events.publish(ctx, session_id, EventKind.SESSION_COMPLETED,
                             version=done.progress.version if done.progress is not None else None,
                             attempt_id=done.attempt.id if done.attempt is not None else None)
    return outcome


async def _published(
    ctx: Context, session_id: uuid.UUID, kind: EventKind, outcome: Outcome[progress.Written]
) -> Outcome[progress.Written]:
    """Publish a progress write that happened (a replay wrote nothing: no event)."""
    written = outcome.value
    if written is not None and not written.replayed:
        await events.publish(ctx, session_id, kind, version=written.version, position=written.item.position,
                             set_id=written.set_id)
    return outcome


async def log_set(
    ctx: Context, device: progress.Device, session_id: uuid.UUID, done: progress.SetDone
) -> Outcome[progress.Written]:
    me = ctx.require_viewer()
    outcome = await in_autocommit(
        ctx, lambda db: progress.log_set(db, me, device, session_id, done, training.utc_now())
    )
    return await _published(ctx, session_id, EventKind.SET_LOGGED, outcome)


async def save_exercise(
    ctx: Context, device: progress.Device, session_id: uuid.UUID, position: int, base_version: int,
    fields: dict[str, Any],
) -> Outcome[progress.Written]:
    me = ctx.require_viewer()
    outcome = await in_autocommit(ctx, lambda db: progress.save_exercise(
        db, me, device, session_id, position, base_version, fields, training.utc_now()
    ))
    return await _published(ctx, session_id, EventKind.PROGRESS_SAVED, outcome)


async def set_status(
    ctx: Context, device: progress.Device, session_id: uuid.UUID, position: int, base_version: int,
    status: ExerciseStatus,
) -> Outcome[progress.Written]:
    me = ctx.require_viewer()
    outcome = await in_autocommit(ctx, lambda db: progress.set_status(
        db, me, device, session_id, position, base_version, status, training.utc_now()
    ))
    return await _published(ctx, session_id, EventKind.EXERCISE_STATUS_CHANGED, outcome)


async def save_cursor(
    ctx: Context, session_id: uuid.UUID, device: str, position: int, set_number: int, state: str | None
) -> Outcome[Any]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda s: live.save_cursor(s, me, session_id, device, position, set_number, state))


async def active_session(ctx: Context, device: str | None) -> live.Active | None:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await live.active_session(conn, me, device, training.utc_now())
