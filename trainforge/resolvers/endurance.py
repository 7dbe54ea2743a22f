"""Resolvers for endurance templates and the sessions made from them."""

from __future__ import annotations

import uuid
from datetime import date, time

from sqlalchemy import Row

from trainforge.resolvers.common import Outcome, in_transaction, page_arguments
from trainforge.resolvers.context import Context
from trainforge.services import endurance, training
from trainforge.services.pagination import Page


async def template(ctx: Context, template_id: uuid.UUID) -> Row | None:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await endurance.get_template(conn, me, template_id)


async def template_page(ctx: Context, first: int | None, after: str | None) -> Page[Row]:
    me = ctx.require_viewer()
    request = page_arguments(ctx, first, after)
    async with ctx.reader.connect() as conn:
        return await endurance.list_templates(conn, me, request)


async def template_count(ctx: Context) -> int:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await endurance.count_templates(conn, me)


async def create_template(ctx: Context, fields: endurance.TemplateFields) -> Outcome[Row]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda s: endurance.create_template(s, me, fields))


async def edit_template(ctx: Context, template_id: uuid.UUID, fields: endurance.TemplateFields) -> Outcome[Row]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda s: endurance.edit_template(s, me, template_id, fields))


async def delete_template(ctx: Context, template_id: uuid.UUID) -> Outcome[None]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda s: endurance.delete_template(s, me, template_id))


async def schedule(
    ctx: Context, template_id: uuid.UUID, athlete_id: uuid.UUID | None, on: date, at: time | None
) -> Outcome[Row]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda s: endurance.schedule(s, me, template_id, athlete_id or me.id, on, at))


async def log_execution(ctx: Context, execution: endurance.Execution) -> Outcome[Row]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda s: endurance.log_execution(s, me, execution, training.utc_now()))
