"""Refuse unstorable input where it enters: every argument of the operation.

One rule for all fields: before execution starts, each argument value of the
operation (literals and variables alike, after coercion) is checked by
`services.input_safety`. A NUL byte, a lone surrogate or a date out of range
fails the whole request with `BAD_USER_INPUT`, naming the argument as a path
(`input.displayName`), exactly like a variable that fails coercion: nothing
runs, so nothing is half-written.

Which arguments a document has, with their types, is worked out once per
parsed document (the parser cache hands back the same document object for
the same text); literal-only arguments are checked at that time too, so a
request pays only for the arguments that read variables.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLBoolean,
    GraphQLError,
    GraphQLFloat,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Undefined,
    ValueNode,
    Visitor,
    get_nullable_type,
    value_from_ast,
    visit,
)

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from trainforge.schema.compiled_reads import CompiledReads
from trainforge.schema.execution import PlainDataExecutionContext
from trainforge.services.input_safety import problem_in


NUMBERS = (GraphQLInt, GraphQLFloat, GraphQLBoolean)  # nothing in them can be unstorable


@dataclass(frozen=True, slots=True)
class _Site:
    """One argument in the document: its name, input type and value as written."""

    name: str
    type: GraphQLInputType
    value: ValueNode


@dataclass(frozen=True, slots=True)
class _DocumentArguments:
    document: DocumentNode  # kept alive, so its id() stays this document's
    with_variables: tuple[_Site, ...]
    literal_errors: tuple[GraphQLError, ...]


def _has_variable(node: ValueNode) -> bool:
    found = False

    class Find(Visitor):
        def enter_variable(self, *_: Any) -> Any:
            nonlocal found
            found = True
            return Visitor.BREAK

    visit(node, Find())
    return found


def _sites(schema: GraphQLSchema, document: DocumentNode) -> list[_Site]:
    type_info = TypeInfo(schema)
    sites: list[_Site] = []

    class Collect(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            argument = type_info.get_argument()
            if argument is not None:
                sites.append(_Site(node.name.value, argument.type, node.value))

    visit(document, TypeInfoVisitor(type_info, Collect()))
    return sites


def _walk(value: Any, type_: GraphQLInputType, path: str) -> tuple[str, str] | None:
    """The first unstorable part of a coerced argument value, named by GraphQL field names."""
    if value is None or value is Undefined:
        return None
    type_ = get_nullable_type(type_)  # type: ignore[assignment]
    if isinstance(type_, GraphQLList) and isinstance(value, list):
        if get_nullable_type(type_.of_type) in NUMBERS:  # numbers store as they come (heart-rate batches)
            return None
        for index, item in enumerate(value):
            if (found := _walk(item, type_.of_type, f"{path}.{index}")) is not None:
                return found
        return None
    if isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
        for name, field in type_.fields.items():
            key = field.out_name or name
            if key in value and (found := _walk(value[key], field.type, f"{path}.{name}")) is not None:
                return found
        return None
    # A leaf: text, a date, an enum, a number, or JSON content.
    found = problem_in(value)
    if found is None:
        return None
    inner, reason = found
    return (f"{path}.{inner}" if inner else path, reason)


def _error(site: _Site, variables: dict[str, Any] | None) -> GraphQLError | None:
    coerced = value_from_ast(site.value, site.type, variables)
    found = _walk(coerced, site.type, site.name)
    if found is None:
        return None
    path, reason = found
    # The message never repeats the value: it may be what cannot be encoded.
    return GraphQLError(
        f"{path} {reason}", site.value, extensions={"code": "BAD_USER_INPUT", "field": path}
    )


_CACHE_SIZE = 512
_cache: OrderedDict[int, _DocumentArguments] = OrderedDict()


def _document_arguments(schema: GraphQLSchema, document: DocumentNode) -> _DocumentArguments:
    key = id(document)
    cached = _cache.get(key)
    if cached is not None and cached.document is document:
        _cache.move_to_end(key)
        return cached
    with_variables, literal_errors = [], []
    for site in _sites(schema, document):
        if _has_variable(site.value):
            with_variables.append(site)
        elif (error := _error(site, None)) is not None:
            literal_errors.append(error)
    cached = _DocumentArguments(document, tuple(with_variables), tuple(literal_errors))
    _cache[key] = cached
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return cached


def unstorable_arguments(
    schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any]
) -> list[GraphQLError]:
    """Errors for every argument of `document` whose value PostgreSQL could not store."""
    arguments = _document_arguments(schema, document)
    errors = list(arguments.literal_errors)
    for site in arguments.with_variables:
        if (error := _error(site, variables)) is not None:
            errors.append(error)
    return errors


class CheckedInput:
    """Execution-context mixin: execution starts only when every argument value can be stored."""

    @classmethod
    def build(cls, schema: GraphQLSchema, document: DocumentNode, *args: Any, **kwargs: Any) -> Any:
        built = super().build(schema, document, *args, **kwargs)  # type: ignore[misc]
        if isinstance(built, list):  # variables failed coercion: those errors first
            return built
        return unstorable_arguments(schema, document, built.variable_values.coerced) or built


class CheckedPlainDataExecutionContext(CheckedInput, CompiledReads, PlainDataExecutionContext):
    """The server's execution: checked input, reads compiled to SQL, then compiled plans for plain data."""


class CheckedExecutionContext(CheckedInput, CompiledReads, StrawberryGraphQLCoreExecutionContext):
    """Checked input, reads compiled to SQL, then graphql-core's own per-field path (to compare the plans against)."""
