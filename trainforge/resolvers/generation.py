"""Resolvers for generating programs and re-breaking mesocycles down."""

from __future__ import annotations

import uuid

from sqlalchemy import Row

from trainforge.resolvers.common import Outcome, attempt
from trainforge.resolvers.context import Context
from trainforge.services import programs
from trainforge.services.exercises import default_catalog
from trainforge.services.generation import service
from trainforge.services.generation.request import GenerationInput


async def generate_program(ctx: Context, raw: GenerationInput) -> Outcome[Row]:
    me = ctx.require_viewer()

    async def generate() -> uuid.UUID:
        async with ctx.reader.connect() as conn:
            request = await service.prepare(conn, me, raw, default_catalog().names())
        # No transaction is open while the generator runs (an LLM may take a while).
        plan = await service.build(request, ctx.generators.get(request.generator), me.id)
        async with ctx.sessions.begin() as session:
            return await service.store(session, plan)

    outcome = await attempt(generate())
    if outcome.errors:
        return Outcome(errors=outcome.errors)
    async with ctx.reader.connect() as conn:
        return Outcome(value=await programs.get_program(conn, me, outcome.value))


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
