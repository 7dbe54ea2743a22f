"""Resolvers for training sessions and the calendar."""

from __future__ import annotations

import uuid
from datetime import time

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.models.training import SessionStatus
from trainforge.resolvers import events
from trainforge.resolvers.common import Outcome, bad_input, in_transaction, page_arguments
from trainforge.resolvers.compiled import TableRead
from trainforge.resolvers.context import Context
from trainforge.resolvers.events import EventKind
from trainforge.resolvers.heart_rate import coefficients
from trainforge.services import calendar, heart_rate, training
from trainforge.services.errors import InvalidInput
from trainforge.services.pagination import Page

async def session(ctx: Context, session_id: uuid.UUID) -> Row | None:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await training.get_session(conn, me, session_id)


def session_read(ctx: Context, session_id: uuid.UUID) -> TableRead | None:
    """The session as a read the execution context may compile into one statement."""
    me = ctx.require_viewer()
    if not ctx.settings.compiled_reads:
        return None
    return TableRead(ctx, training.READABLE_SESSION_SQL, (session_id, me.id), lambda: session(ctx, session_id))


async def schedule_workout(ctx: Context, workout_id: uuid.UUID, at: time | None, start: bool) -> Outcome[Row]:
    me = ctx.require_viewer()
    return await in_transaction(
        ctx, lambda s: training.schedule_workout(s, me, workout_id, at, start, training.utc_now())
    )


async def change_status(
    ctx: Context, session_id: uuid.UUID, target: SessionStatus, notes: str | None = None
) -> Outcome[Row]:
    me = ctx.require_viewer()
    outcome = await in_transaction(
        ctx, lambda s: training.change_status(s, me, session_id, target, training.utc_now(), notes)
    )
    if outcome.value is not None:
        await events.publish(ctx, session_id, EventKind.STATUS_CHANGED)
    return outcome


async def complete(ctx: Context, session_id: uuid.UUID, done: training.Completion) -> Outcome[Row]:
    me = ctx.require_viewer()
    async def work(s: AsyncSession) -> Row:
        row = await training.complete(s, me, session_id, done, training.utc_now())
        return await heart_rate.summarized(s, row, coefficients(ctx))

    outcome = await in_transaction(ctx, work)
    if outcome.value is not None:
        await events.publish(ctx, session_id, EventKind.SESSION_COMPLETED)
    return outcome


async def calendar_page(ctx: Context, query: calendar.CalendarQuery, first: int | None, after: str | None) -> Page[Row]:
    me = ctx.require_viewer()
    request = page_arguments(ctx, first, after)
    async with ctx.reader.connect() as conn:
        try:
            return await calendar.calendar(conn, me, query, request)
        except InvalidInput as exc:
            raise bad_input(exc) from None


async def calendar_count(ctx: Context, query: calendar.CalendarQuery) -> int:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await calendar.count(conn, me, query)
