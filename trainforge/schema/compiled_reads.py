"""Execution-context mixin answering `TableRead`s with one compiled SQL statement.

When a resolver returns a `TableRead`, the selection under that field is
compiled (schema/compiled_sql.py) and PostgreSQL returns the field's whole JSON
as text, which goes into the response as an `orjson.Fragment`: embedded as is,
never decoded. When the compiler left fields to the resolvers (holes), the
text is decoded instead, and each hole is completed by graphql-core's own
`execute_field` on the row its type's loader gives: the two paths mix in one
response, with errors and null propagation as graphql-core has them. A
selection with @defer goes through the resolvers whole.

Compiled statements are cached across requests, keyed by the field's nodes in
the (parser-cached) document, the read's condition, and the values of the
variables that @skip/@include read.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DirectiveNode,
    GraphQLError,
    GraphQLNonNull,
    GraphQLObjectType,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)
from graphql.pyutils import Path

from trainforge.resolvers.compiled import TableRead
from trainforge.schema.compiled_sql import CompiledRead, Holes, compile_read

_CACHE_SIZE = 512
_statements: OrderedDict[tuple[Any, ...], tuple[Any, CompiledRead | None]] = OrderedDict()
_directive_variables: OrderedDict[int, tuple[OperationDefinitionNode, tuple[str, ...]]] = OrderedDict()


def _remember(cache: OrderedDict, key: Any, value: Any) -> None:
    cache[key] = value
    if len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


@dataclass(frozen=True, slots=True)
class _Position:
    """Where an object with holes sits in the decoded JSON: `container[key]`, at `path`."""

    parent: _Position | None  # the position of the object holding this one's field, if any
    container: Any  # a dict (the parent object) or a list (the field's items)
    key: str | int
    nullable: bool
    path: Path


def _find_holes(
    holes: Holes, value: dict[str, Any], path: Path, at: _Position | None,
    found: list[tuple[Holes, dict[str, Any], Path, _Position | None]],
) -> None:
    """Every object with holes under `value` (itself included), in document order."""
    if holes.fields:
        found.append((holes, value, path, at))
    for key, below in holes.below.items():
        child = value[key]
        if child is None:
            continue
        key_path = path.add_key(key, holes.type_.name)
        field_at = _Position(at, value, key, below.nullable, key_path)
        if not below.is_list:
            _find_holes(below.holes, child, key_path, field_at, found)
            continue
        for index, item in enumerate(child):
            item_path = key_path.add_key(index, None)
            _find_holes(below.holes, item, item_path, _Position(field_at, child, index, below.item_nullable, item_path), found)


def _variables_in_directives(operation: OperationDefinitionNode, fragments: dict[str, Any]) -> tuple[str, ...]:
    """Names of the variables @skip/@include (or any directive) read anywhere in the operation."""
    cached = _directive_variables.get(id(operation))
    if cached is not None and cached[0] is operation:
        return cached[1]
    names: set[str] = set()

    class Find(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            for argument in node.arguments:
                if isinstance(argument.value, VariableNode):
                    names.add(argument.value.name.value)

    for node in (operation, *fragments.values()):
        visit(node, Find())
    found = tuple(sorted(names))
    _remember(_directive_variables, id(operation), (operation, found))
    return found


class CompiledReads:
    """Mixin for graphql-core's executor (before the plain-data one in the bases)."""

    operation: OperationDefinitionNode
    fragment_definitions: dict[str, Any]
    variable_values: Any

    def complete_value(
        self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any, position_context: Any
    ) -> Any:
        if type(result) is TableRead:
            return self._complete_table_read(return_type, field_details_list, info, path, result, position_context)
        return super().complete_value(  # type: ignore[misc]
            return_type, field_details_list, info, path, result, position_context
        )

    def _complete_table_read(
        self, return_type: Any, field_details_list: Any, info: Any, path: Any, read: TableRead, position_context: Any
    ) -> Any:
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        compiled = self._statement(named, field_details_list, read.where) if isinstance(named, GraphQLObjectType) else None

        async def complete() -> Any:
            if compiled is not None:
                text = await read.fetch_json(compiled.sql)
                if text is not None and compiled.holes is None:
                    return orjson.Fragment(text)
                if text is not None:
                    value = orjson.loads(text)
                    await self._fill(read, compiled.holes, value, path, position_context)
                    return value
                value = None  # no row: complete null as graphql-core would (an error if non-null)
            else:
                value = await read.fallback()
            completed = super(CompiledReads, self).complete_value(  # type: ignore[misc]
                return_type, field_details_list, info, path, value, position_context
            )
            return await completed if self.is_awaitable(completed) else completed  # type: ignore[attr-defined]

        return complete()

    async def _fill(self, read: TableRead, holes: Holes, value: dict[str, Any], path: Path, position: Any) -> None:
        """Complete the holes of the decoded object `value` and of the objects below it, in place.

        All holes start together, so each loader batches them into one statement.
        A non-null field that fails nulls the nearest nullable position above it,
        as graphql-core does; when there is none, the error is raised, for the
        root field to null.
        """
        objects: list[tuple[Holes, dict[str, Any], Path, _Position | None]] = []
        _find_holes(holes, value, path, None, objects)
        outcomes = await asyncio.gather(
            *(self._fill_fields(read, *found[:3], position) for found in objects), return_exceptions=True
        )
        for (_, _, _, at), outcome in zip(objects, outcomes, strict=True):
            if not isinstance(outcome, BaseException):
                continue
            if not isinstance(outcome, GraphQLError):
                raise outcome
            while at is not None and not at.nullable:
                at = at.parent
            if at is None:
                raise outcome
            if not self.collected_errors.has_nulled_position(at.path):  # type: ignore[attr-defined]
                at.container[at.key] = None
                self.collected_errors.add(outcome, at.path)  # type: ignore[attr-defined]

    async def _fill_fields(self, read: TableRead, holes: Holes, value: dict[str, Any], path: Path, position: Any) -> None:
        row_id = value[next(iter(holes.fields))]  # each hole holds the row's id
        row = await getattr(read.ctx.loaders, holes.loader).load(uuid.UUID(row_id))
        if row is None:  # deleted since the statement read it
            raise GraphQLError(f"{holes.type_.name} {row_id} changed while being read.", path=path.as_list())

        async def complete(key: str, details: Any) -> None:
            completed = self.execute_field(  # type: ignore[attr-defined]
                holes.type_, row, details, path.add_key(key, holes.type_.name), position
            )
            value[key] = await completed if self.is_awaitable(completed) else completed  # type: ignore[attr-defined]

        for outcome in await asyncio.gather(*(complete(k, d) for k, d in holes.fields.items()), return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome

    def _statement(self, type_: GraphQLObjectType, field_details_list: Sequence[Any], where: str) -> CompiledRead | None:
        nodes = tuple(details.node for details in field_details_list)
        directive_values = tuple(
            repr(self.variable_values.coerced.get(name))
            for name in _variables_in_directives(self.operation, self.fragment_definitions)
        )
        key = (tuple(map(id, nodes)), type_.name, where, directive_values)
        cached = _statements.get(key)
        if cached is not None and all(a is b for a, b in zip(cached[0], nodes, strict=True)):
            _statements.move_to_end(key)
            return cached[1]
        compiled = compile_read(type_, field_details_list, where, self._grouped_fields)
        _remember(_statements, key, (nodes, compiled))
        return compiled

    def _grouped_fields(self, type_: GraphQLObjectType, field_details_list: Any) -> dict[str, Any] | None:
        grouped, new_defer_usages, *_ = self.collect_subfields(type_, field_details_list)  # type: ignore[attr-defined]
        if new_defer_usages:
            return None
        for details in grouped.values():
            if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
                return None
        return grouped
