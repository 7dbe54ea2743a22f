"""Execution-context mixin answering `TableRead`s with one compiled SQL statement.

When a resolver returns a `TableRead`, the selection under that field is
compiled (schema/compiled_sql.py) and PostgreSQL returns the field's whole JSON
as text, which goes into the response as an `orjson.Fragment`: embedded as is,
never decoded. A selection the compiler cannot express falls back to the
resolver path for that field.

Compiled statements are cached across requests, keyed by the field's nodes in
the (parser-cached) document, the read's condition, and the values of the
variables that @skip/@include read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import orjson
from graphql import (
    DirectiveNode,
    GraphQLNonNull,
    GraphQLObjectType,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)

from trainforge.resolvers.compiled import TableRead
from trainforge.schema.compiled_sql import compile_read

_CACHE_SIZE = 512
_statements: OrderedDict[tuple[Any, ...], tuple[Any, str | None]] = OrderedDict()
_directive_variables: OrderedDict[int, tuple[OperationDefinitionNode, tuple[str, ...]]] = OrderedDict()


def _remember(cache: OrderedDict, key: Any, value: Any) -> None:
    cache[key] = value
    if len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


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
        sql = self._statement(named, field_details_list, read.where) if isinstance(named, GraphQLObjectType) else None

        async def complete() -> Any:
            if sql is not None:
                text = await read.fetch_json(sql)
                if text is not None:
                    return orjson.Fragment(text)
                value = None  # no row: complete null as graphql-core would (an error if non-null)
            else:
                value = await read.fallback()
            completed = super(CompiledReads, self).complete_value(  # type: ignore[misc]
                return_type, field_details_list, info, path, value, position_context
            )
            return await completed if self.is_awaitable(completed) else completed  # type: ignore[attr-defined]

        return complete()

    def _statement(self, type_: GraphQLObjectType, field_details_list: Sequence[Any], where: str) -> str | None:
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
        sql = compile_read(type_, field_details_list, where, self._grouped_fields)
        _remember(_statements, key, (nodes, sql))
        return sql

    def _grouped_fields(self, type_: GraphQLObjectType, field_details_list: Any) -> dict[str, Any] | None:
        grouped, new_defer_usages, *_ = self.collect_subfields(type_, field_details_list)  # type: ignore[attr-defined]
        if new_defer_usages:
            return None
        for details in grouped.values():
            if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
                return None
        return grouped
