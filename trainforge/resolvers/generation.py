"""Resolvers for generating programs and re-breaking mesocycles down."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import Row
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from trainforge.resolvers.common import Outcome, attempt
from trainforge.resolvers.context import Context
from trainforge.services import programs, statistics
from trainforge.services.exercises import default_catalog
from trainforge.services.generation import service
from trainforge.services.generation.request import GenerationInput
from trainforge.services.generation.types import GenerationWarning

log = logging.getLogger(__name__)


async def generate_program(ctx: Context, raw: GenerationInput) -> Outcome[tuple[Row, list[GenerationWarning]]]:
    """The stored program and what it could not do for the athlete (equipment, time)."""
    me = ctx.require_viewer()

    async def generate() -> tuple[uuid.UUID, list[GenerationWarning]]:
        async with ctx.reader.connect() as conn:
            request = await service.prepare(conn, me, raw, default_catalog().names())
        # No transaction is open while the generator runs (an LLM may take a while).
        plan, warnings = await service.build(request, ctx.generators.get(request.generator), me.id)
        async with ctx.sessions.begin() as session:
            return await service.store(session, plan), warnings

    outcome = await attempt(generate())
    if outcome.errors:
        return Outcome(errors=outcome.errors)
    program_id, warnings = outcome.value
    async with ctx.reader.connect() as conn:
        await refresh_statistics(conn)
        return Outcome(value=(await programs.get_program(conn, me, program_id), warnings))


async def refresh_statistics(conn: AsyncConnection) -> None:
    """ANALYZE the program tables if the program just stored left them stale (see
    services/statistics.py). The program is committed by now: a failure here is
    logged, never reported as the mutation's. (`conn` is in autocommit, so it
    stays usable after a failed statement.)"""
    try:
        await statistics.analyze_stale(conn, statistics.PROGRAM_TABLES)
    except SQLAlchemyError:
        log.exception("refreshing planner statistics after a generation failed; autovacuum will catch up")


async def regenerate_mesocycle(ctx: Context, mesocycle_id: uuid.UUID, seed: int | None) -> Outcome[Row]:
    me = ctx.require_viewer()

    async def regenerate() -> None:
        async with ctx.reader.connect() as conn:
            regeneration = await service.prepare_regeneration(conn, me, mesocycle_id, seed)
        generator = ctx.generators.get(regeneration.request.generator)
        plan = await generator.breakdown(
            regeneration.request, regeneration.outline, regeneration.index, regeneration.first_week
        )
        async with ctx.sessions.begin() as session:
            await service.replace_mesocycle(session, regeneration, plan)

    outcome = await attempt(regenerate())
    if outcome.errors:
        return Outcome(errors=outcome.errors)
    async with ctx.reader.connect() as conn:
        return Outcome(value=await programs.get_mesocycle(conn, me, mesocycle_id))
