"""Resolvers for `node(id)` and `nodes(ids)`: find each id's type, then load the rows by type."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from sqlalchemy import Row

from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context, PublicError
from trainforge.resolvers.loaders import OneLoader
from trainforge.services import nodes

Found = tuple[str, Row]
"""(kind, row): the kind is one of `nodes.KINDS`."""


def _loaders(ctx: Context) -> dict[str, OneLoader]:
    loaders = ctx.loaders
    return {
        nodes.USER: loaders.user,
        nodes.PROGRAM: loaders.program,
        nodes.MACROCYCLE: loaders.macrocycle,
        nodes.MESOCYCLE: loaders.mesocycle,
        nodes.MICROCYCLE: loaders.microcycle,
        nodes.WORKOUT: loaders.workout,
    }


def parse_ids(ctx: Context, ids: Sequence[str], argument: str) -> list[uuid.UUID]:
    """The ids as UUIDs; too many, or a malformed one, is a BAD_USER_INPUT error naming the argument."""
    limit = ctx.settings.max_page_size
    if len(ids) > limit:
        raise PublicError(f"{argument} takes at most {limit} ids", "BAD_USER_INPUT", field=argument)
    return [parse_id(value, argument) for value in ids]


async def find(ctx: Context, ids: Sequence[uuid.UUID]) -> list[Found | None]:
    """One entry per asked id, in order: None for unknown ids and rows the viewer may not read alike.

    Statements: one finding the types of all ids, then one per type present
    (through the per-request loaders, so rows already loaded cost nothing).
    """
    me = ctx.require_viewer()
    if not ids:
        return []
    async with ctx.reader.connect() as conn:
        kinds = await nodes.find_kinds(conn, me, set(ids))
    loaders = _loaders(ctx)

    async def load(node_id: uuid.UUID) -> Found | None:
        kind = kinds.get(node_id)
        if kind is None:
            return None
        row = await loaders[kind].load(node_id)
        # Gone between the two statements: as if it never existed.
        return None if row is None else (kind, row)

    # Loads started together batch into one statement per loader.
    return list(await asyncio.gather(*(load(node_id) for node_id in ids)))
