"""Resolvers for wearable devices (credentials go in sealed and never come out)."""

from __future__ import annotations

import uuid

from sqlalchemy import Row

from trainforge.models.wearables import WearableType
from trainforge.resolvers.common import Outcome, in_transaction
from trainforge.resolvers.context import Context
from trainforge.services import wearables


def vault(ctx: Context) -> wearables.Vault:
    return wearables.Vault.from_settings(ctx.settings)


async def mine(ctx: Context) -> list[Row]:
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        return await wearables.of_user(conn, me.id)


async def connect(
    ctx: Context, kind: WearableType, name: str, model: str | None, credentials: wearables.Credentials
) -> Outcome[Row]:
    me, sealer = ctx.require_viewer(), vault(ctx)
    return await in_transaction(ctx, lambda s: wearables.connect(s, me, sealer, kind, name, model, credentials))


async def update(
    ctx: Context, wearable_id: uuid.UUID, name: str | None, model: str | None,
    credentials: wearables.Credentials | None,
) -> Outcome[Row]:
    me, sealer = ctx.require_viewer(), vault(ctx)
    return await in_transaction(
        ctx, lambda s: wearables.update_wearable(s, me, sealer, wearable_id, name, model, credentials))


async def disconnect(ctx: Context, wearable_id: uuid.UUID) -> Outcome[Row]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda s: wearables.disconnect(s, me, wearable_id))


async def remove(ctx: Context, wearable_id: uuid.UUID) -> Outcome[None]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda s: wearables.remove(s, me, wearable_id))
