"""Relay global object identification: the `Node` interface and `node(id)` / `nodes(ids)`.

Ids are the rows' own UUIDs (see docs/decisions.md): the server finds the
type of an id, so nothing is encoded per row.

Two things keep the rows we return acceptable to graphql-core without making
them instances of the strawberry classes:
- once a type implements an interface, strawberry gives it an `is_type_of`
  doing `isinstance` checks, which every `Row` would fail. Node types inherit
  `Node.is_type_of` instead, which accepts what our resolvers return; it looks
  at the value only, and says so (`plain_data_check`), so the compiled plans
  of schema/execution.py keep serving these types;
- a bare `Row` does not say which table it came from, so `node`/`nodes`
  return `NodeRow`s, which carry their GraphQL type for `Node.resolve_type`.
"""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry import Info

from trainforge.resolvers import node as resolve
from trainforge.resolvers.context import Context
from trainforge.services import nodes

# GraphQL type of each kind of row `node` finds.
TYPE_NAMES = {
    nodes.USER: "User",
    nodes.PROGRAM: "Program",
    nodes.MACROCYCLE: "Macrocycle",
    nodes.MESOCYCLE: "Mesocycle",
    nodes.MICROCYCLE: "Microcycle",
    nodes.WORKOUT: "Workout",
}


class NodeRow:
    """A row found by `node`/`nodes`: its columns as attributes (the field
    resolvers read them as they read a Row's), and its GraphQL type."""

    def __init__(self, graphql_type: str, row: Row) -> None:
        self.__dict__.update(row._mapping)
        self.graphql_type = graphql_type


def _is_type_of(cls: type, value: Any, info: Any) -> bool:
    kind = type(value)
    if kind is Row:
        return True
    if kind is NodeRow:
        return value.graphql_type == cls.__strawberry_definition__.name  # type: ignore[attr-defined]
    return isinstance(value, cls)


# Reads `value` only (not `info`), no side effect, plain bool: compiled plans may call it.
_is_type_of.plain_data_check = True  # type: ignore[attr-defined]


@strawberry.interface(description="An object with an id unique across all types: `node(id)` fetches it again.")
class Node:
    id: strawberry.ID

    is_type_of = classmethod(_is_type_of)

    @classmethod
    def resolve_type(cls, value: Any, info: Any, abstract_type: Any) -> str | None:
        return value.graphql_type if type(value) is NodeRow else None


def _node(found: resolve.Found | None) -> NodeRow | None:
    return None if found is None else NodeRow(TYPE_NAMES[found[0]], found[1])


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="The object with this id, whatever its type; null for unknown ids and objects the viewer "
        "may not read alike."
    )
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        ctx = info.context
        [found] = await resolve.find(ctx, resolve.parse_ids(ctx, [id], "id"))
        return _node(found)  # type: ignore[return-value]

    @strawberry.field(
        description="The objects with these ids, in the same order; null for each unknown or unreadable one. "
        "At most TRAINFORGE_MAX_PAGE_SIZE ids."
    )
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        ctx = info.context
        return [_node(found) for found in await resolve.find(ctx, resolve.parse_ids(ctx, ids, "ids"))]  # type: ignore[misc]
