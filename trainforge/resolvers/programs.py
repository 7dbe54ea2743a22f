"""Resolvers for reading programs."""

from __future__ import annotations

import uuid

from sqlalchemy import Row

from trainforge.resolvers.common import page_arguments
from trainforge.resolvers.compiled import TableRead
from trainforge.resolvers.context import Context
from trainforge.services import programs
from trainforge.services.pagination import Page


async def program(ctx: Context, program_id: uuid.UUID) -> Row | None:
    """None for an id that does not exist and for one the viewer may not read alike."""
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await programs.get_program(conn, me, program_id)


def program_read(ctx: Context, program_id: uuid.UUID) -> TableRead | None:
    """The program as a read the execution context may compile into one statement."""
    me = ctx.require_viewer()
    if not ctx.settings.compiled_reads:
        return None
    return TableRead(ctx, programs.READABLE_PROGRAM_SQL, (program_id, me.id), lambda: program(ctx, program_id))


async def program_page(
    ctx: Context, first: int | None, after: str | None, athlete_id: uuid.UUID | None
) -> Page[Row]:
    me = ctx.require_viewer()
    request = page_arguments(ctx, first, after)
    async with ctx.reader.connect() as conn:
        return await programs.list_programs(conn, me, request, athlete_id)


async def program_count(ctx: Context, athlete_id: uuid.UUID | None) -> int:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await programs.count_programs(conn, me, athlete_id)
