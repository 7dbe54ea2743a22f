"""Resolvers for routines, their versions and assignments."""

from __future__ import annotations

import uuid

from sqlalchemy import Row

from trainforge.resolvers.common import Outcome, in_transaction, page_arguments
from trainforge.resolvers.compiled import TableRead
from trainforge.resolvers.context import Context
from trainforge.services import assignments, routines, training
from trainforge.services.pagination import Page


async def routine(ctx: Context, routine_id: uuid.UUID) -> Row | None:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await routines.get_routine(conn, me, routine_id)


def routine_read(ctx: Context, routine_id: uuid.UUID) -> TableRead | None:
    """The routine as a read the execution context may compile into one statement."""
    me = ctx.require_viewer()
    if not ctx.settings.compiled_reads:
        return None
    return TableRead(ctx, routines.READABLE_ROUTINE_SQL, (routine_id, me.id), lambda: routine(ctx, routine_id))


async def routine_page(ctx: Context, first: int | None, after: str | None) -> Page[Row]:
    me = ctx.require_viewer()
    request = page_arguments(ctx, first, after)
    async with ctx.reader.connect() as conn:
        return await routines.list_routines(conn, me, request)


async def create_routine(ctx: Context, fields: routines.RoutineFields) -> Outcome[Row]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda s: routines.create_routine(s, me, fields))


async def edit_routine(ctx: Context, routine_id: uuid.UUID, fields: routines.RoutineFields) -> Outcome[Row]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda s: routines.edit_routine(s, me, routine_id, fields))


async def assign(
    ctx: Context, version_id: uuid.UUID, athlete_id: uuid.UUID, schedule: assignments.Schedule
) -> Outcome[assignments.Assigned]:
    me = ctx.require_viewer()
    horizon = ctx.settings.assignment_horizon_weeks
    return await in_transaction(ctx, lambda s: assignments.assign(s, me, version_id, athlete_id, schedule, horizon))


async def replace(
    ctx: Context, assignment_id: uuid.UUID, version_id: uuid.UUID, schedule: assignments.Schedule | None
) -> Outcome[assignments.Replaced]:
    me = ctx.require_viewer()
    horizon, today = ctx.settings.assignment_horizon_weeks, training.utc_today()
    return await in_transaction(
        ctx, lambda s: assignments.replace(s, me, assignment_id, version_id, schedule, today, horizon)
    )


async def assignment(ctx: Context, assignment_id: uuid.UUID) -> Row | None:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await assignments.get_assignment(conn, me, assignment_id)


def assignment_read(ctx: Context, assignment_id: uuid.UUID) -> TableRead | None:
    me = ctx.require_viewer()
    if not ctx.settings.compiled_reads:
        return None
    return TableRead(
        ctx, assignments.READABLE_ASSIGNMENT_SQL, (assignment_id, me.id), lambda: assignment(ctx, assignment_id)
    )


async def assignment_page(
    ctx: Context, first: int | None, after: str | None, athlete_id: uuid.UUID | None
) -> Page[Row]:
    me = ctx.require_viewer()
    request = page_arguments(ctx, first, after)
    async with ctx.reader.connect() as conn:
        return await assignments.list_assignments(conn, me, request, athlete_id)


async def sessions_of_assignment(
    ctx: Context, assignment_id: uuid.UUID, first: int | None, after: str | None
) -> Page[Row]:
    me = ctx.require_viewer()
    request = page_arguments(ctx, first, after)
    async with ctx.reader.connect() as conn:
        return await assignments.sessions_of_assignment(conn, me, assignment_id, request)


async def routine_count(ctx: Context) -> int:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await routines.count_routines(conn, me)


async def assignment_count(ctx: Context, athlete_id: uuid.UUID | None) -> int:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await assignments.count_assignments(conn, me, athlete_id)


async def session_count_of_assignment(ctx: Context, assignment_id: uuid.UUID) -> int:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await assignments.count_sessions_of_assignment(conn, me, assignment_id)
