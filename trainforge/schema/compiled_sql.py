"""Compile a selection over table-backed types into one SQL statement that
returns the response JSON as text, byte for byte what the resolvers would give.

The JSON is assembled as text (`||`, `string_agg`, `to_json(column)`): jsonb
would reorder keys and costs several times more in PostgreSQL, and
`json_build_object` adds spaces. Every value is written the way the GraphQL
serialization writes it:
- strings, ids and dates through `to_json` (PostgreSQL escapes JSON strings as
  orjson does; dates are ISO 8601 whatever DateStyle says);
- timestamps in UTC as Python's `isoformat()` (`+00:00`, microseconds only
  when there are any) rather than PostgreSQL's trimmed fractions;
- floats as orjson writes them (PostgreSQL prints the same shortest digits,
  but `75` for `75.0`, and exponents differently);
- times of day as `isoformat()` writes them (six fraction digits or none);
- enums by their GraphQL name (the column holds the Python enum's value).
Non-null fields rely on the columns' NOT NULL constraints (and on the JSONB
content having been validated when written).

A field of a table-backed object the compiler cannot express (computed in
Python, with arguments, of an abstract type, or holding JSONB content with
such a field) is a hole: the JSON holds the row's id there, and the execution
context completes the field through the resolvers (schema/compiled_reads.py).
@defer anywhere makes `compile_read` answer None: the whole read then goes
through the resolvers, which give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)

from trainforge.schema.tables import (
    CONTENT_TYPES,
    TABLE_TYPES,
    Children,
    Content,
    ContentType,
    Expression,
    Parent,
    Single,
    TableType,
)

Collect = Callable[[GraphQLObjectType, Any], dict[str, Sequence[Any]] | None]
"""The grouped field set of a selection on an object type (fragments and @skip/@include applied),
or None when it has deferred parts."""


class _NotCompilable(Exception):
    """This field needs Python: the resolvers complete it."""


class _Deferred(Exception):
    """The selection has deferred parts: the whole read goes through the resolvers."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _float(number: str) -> str:
    """A float as orjson writes it. PostgreSQL prints the same shortest digits,
    but `75` for 75.0, exponents from 1e-4 down (orjson: from 1e-5) and
    zero-padded ones (`1e-07`, orjson `1e-7`)."""
    x = f"({number})::float8"
    return (
        f"CASE WHEN {x} = trunc({x}) AND abs({x}) < 1e15 THEN {x}::text || '.0' "
        f"WHEN abs({x}) >= 1e-4 AND abs({x}) < 1e15 THEN {x}::text "
        f"WHEN abs({x}) >= 1e-5 AND abs({x}) < 1e-4 THEN ({x})::numeric::text "
        f"ELSE regexp_replace({x}::text, 'e-0+', 'e-') END"
    )


def _jsonb_float(value: str) -> str:
    """A float stored in JSONB. Our content is written by orjson, and jsonb keeps a
    plain decimal's digits as written: those come back as they are. Whole numbers
    written without a point, and exponents (orjson's form below 1e-5, which jsonb
    keeps as `0.0000...`), take the float path."""
    text = f"({value})::text"
    slow = _float(value + " #>> '{}'")
    return (
        f"CASE WHEN strpos({text}, '.') > 0 AND {text} NOT LIKE '0.0000%' AND {text} NOT LIKE '-0.0000%' "
        f"THEN {text} ELSE {slow} END"
    )


def _timestamp(column: str) -> str:
    utc = f"({column} AT TIME ZONE 'UTC')"
    fraction = f"CASE WHEN extract(microseconds FROM {column})::bigint % 1000000 = 0 THEN '' ELSE to_char({utc}, '.US') END"
    written = f"""'"' || to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') || {fraction} || '+00:00"'"""
    # asyncpg reads ±infinity as Python's largest and smallest datetimes; NULL stays NULL.
    return (
        f"CASE WHEN isfinite({column}) THEN {written} WHEN {column} > 'epoch' "
        f"""THEN '"9999-12-31T23:59:59.999999+00:00"' WHEN {column} < 'epoch' THEN '"0001-01-01T00:00:00+00:00"' END"""
    )


def _date(column: str) -> str:
    # asyncpg reads ±infinity as Python's largest and smallest dates (and writes them back so); NULL stays NULL.
    return (
        f"CASE WHEN isfinite({column}) THEN to_json({column})::text "
        f"""WHEN {column} > 'epoch' THEN '"9999-12-31"' WHEN {column} < 'epoch' THEN '"0001-01-01"' END"""
    )


def _time(column: str) -> str:
    # Python's isoformat() writes all six digits of a fraction; PostgreSQL trims them.
    text = f"({column})::text"
    return f"""'"' || CASE WHEN strpos({text}, '.') > 0 THEN rpad({text}, 15, '0') ELSE {text} END || '"'"""


def _enum(type_: GraphQLEnumType, value: str) -> str:
    cases = " ".join(
        f"WHEN {_literal(str(getattr(v.value, 'value', v.value)))} THEN {_literal(chr(34) + name + chr(34))}"
        for name, v in type_.values.items()
    )
    return f"CASE {value} {cases} END"


def _leaf(type_: GraphQLScalarType | GraphQLEnumType, column: str, jsonb: bool) -> str:
    """SQL text of one leaf value (NULL stays NULL). `column` is a column, or a jsonb value when `jsonb`."""
    if isinstance(type_, GraphQLEnumType):
        return _enum(type_, f"({column} #>> '{{}}')" if jsonb else column)
    name = type_.name
    if jsonb:
        if name in ("String", "ID", "Int", "Boolean"):
            return f"({column})::text"  # jsonb writes JSON itself (strings escaped like to_json)
        if name == "Float":
            return _jsonb_float(column)
        raise _NotCompilable(name)
    if name in ("String", "ID", "Boolean"):
        return f"to_json({column})::text"
    if name == "Date":
        return _date(column)
    if name == "Int":
        return f"({column})::text"
    if name == "Float":
        return _float(column)
    if name == "DateTime":
        return _timestamp(column)
    if name == "Time":
        return _time(column)
    raise _NotCompilable(name)


@dataclass(slots=True)
class Holes:
    """Fields of one table-backed object that the compiled JSON leaves to the resolvers.

    In the JSON, each field of `fields` holds the object's id (which the
    request's `loader` turns back into the row the resolvers read); `below`
    leads to objects under this one that have holes of their own.
    """

    type_: GraphQLObjectType
    loader: str
    fields: dict[str, Sequence[Any]] = field(default_factory=dict)  # response key -> field details
    below: dict[str, Below] = field(default_factory=dict)  # response key -> holes under it


@dataclass(frozen=True, slots=True)
class Below:
    holes: Holes
    nullable: bool  # the field may be null
    is_list: bool
    item_nullable: bool  # for lists: an item may be null


@dataclass(frozen=True, slots=True)
class CompiledRead:
    sql: str
    holes: Holes | None  # None when PostgreSQL writes the whole answer


class _Compiler:
    def __init__(self, collect: Collect) -> None:
        self.collect = collect
        self.aliases = 0

    def alias(self) -> str:
        self.aliases += 1
        return f"t{self.aliases}"

    def grouped(self, type_: GraphQLObjectType, details: Any) -> dict[str, Sequence[Any]]:
        grouped = self.collect(type_, details)
        if grouped is None:
            raise _Deferred
        return grouped

    def object_text(self, type_: GraphQLObjectType, details: Any, value: Callable[[str, Any], str]) -> str:
        """`{"key":value,...}` as SQL text: `value(key, field_details)` writes each field's (__typename aside)."""
        parts = []
        for key, field_details in self.grouped(type_, details).items():
            head = ("{" if not parts else ",") + f'"{key}":'
            if field_details[0].node.name.value == "__typename":
                parts.append(_literal(f'{head}"{type_.name}"'))
                continue
            parts.append(_literal(head))
            parts.append(value(key, field_details))
        parts.append("'}'" if parts else "'{}'")
        return " || ".join(parts)

    def row(self, type_: GraphQLObjectType, details: Any, source: str) -> tuple[str, Holes | None]:
        """The JSON text of a table row aliased `source`, and the fields it leaves to the resolvers."""
        spec = TABLE_TYPES.get(type_.name)
        if spec is None:
            raise _NotCompilable(type_.name)
        holes = Holes(type_, spec.loader)

        def value(key: str, field_details: Any) -> str:
            try:
                return self.table_field(spec, type_, key, field_details, source, holes)
            except _NotCompilable:
                holes.fields[key] = field_details
                return f"to_json({source}.id)::text"  # the placeholder: this row's id

        text = self.object_text(type_, details, value)
        return text, (holes if holes.fields or holes.below else None)

    def table_field(
        self, spec: TableType, type_: GraphQLObjectType, key: str, details: Any, source: str, holes: Holes
    ) -> str:
        field_ = type_.fields[details[0].node.name.value]
        definition = _plain_definition(field_, details)
        name = definition.python_name
        nullable, named = _unwrap(field_.type)
        relation = spec.relations.get(name)
        if relation is None:
            if definition.base_resolver is not None or name not in spec.table.c:
                raise _NotCompilable(name)  # computed in Python
            if not isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
                raise _NotCompilable(name)
            value = _leaf(named, f'{source}."{name}"', jsonb=False)
        elif isinstance(relation, Expression):
            if not isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
                raise _NotCompilable(name)
            value = _leaf(named, f"({relation.sql.format(row=source)})", jsonb=False)
        elif isinstance(relation, Content):
            column = f'{source}."{relation.column}"'
            if relation.key is not None:
                column = f"({column} -> {_literal(relation.key)})"
            if isinstance(named, GraphQLList):
                value = self.content_list(named, details, column)
            else:
                value = self.content_object(named, details, column)
        else:
            value, below = self.relation(relation, named, details, source)
            if below is not None:
                holes.below[key] = Below(below, nullable, isinstance(named, GraphQLList), _item_nullable(named))
        return f"coalesce({value}, 'null')" if nullable else value

    def relation(
        self, relation: Children | Parent | Single, type_: Any, details: Any, source: str
    ) -> tuple[str, Holes | None]:
        target = TABLE_TYPES.get(relation.type_name)
        if target is None:
            raise _NotCompilable(relation.type_name)
        alias = self.alias()
        table = f'"{target.table.name}" {alias}'
        if isinstance(relation, (Parent, Single)):
            if not isinstance(type_, GraphQLObjectType):
                raise _NotCompilable(str(type_))
            row, holes = self.row(type_, details, alias)
            if isinstance(relation, Parent):
                link = f'{alias}.id = {source}."{relation.foreign_key}"'
            else:
                link = f'{alias}."{relation.foreign_key}" = {source}.id'
            return f"(SELECT {row} FROM {table} WHERE {link})", holes
        row, holes = self.row(_list_item(type_), details, alias)
        order = ", ".join(
            f'{alias}."{column[1:]}" DESC' if column.startswith("-") else f'{alias}."{column}"'
            for column in relation.order
        )
        return (
            f"(SELECT coalesce('[' || string_agg({row}, ',' ORDER BY {order}) || ']', '[]') "
            f'FROM {table} WHERE {alias}."{relation.foreign_key}" = {source}.id)'
        ), holes

    def content(self, type_: GraphQLObjectType, details: Any, source: str) -> str:
        """The JSON text of a JSONB object `source` (all of it compiles, or none)."""
        spec = CONTENT_TYPES.get(type_.name)
        if spec is None:
            raise _NotCompilable(type_.name)

        def value(key: str, field_details: Any) -> str:
            field_ = type_.fields[field_details[0].node.name.value]
            name = _plain_definition(field_, field_details).python_name
            nullable, named = _unwrap(field_.type)
            item = self.content_field(spec, name, named, field_details, source)
            return f"coalesce({item}, 'null')" if nullable else item

        return self.object_text(type_, details, value)

    def content_field(self, spec: ContentType, name: str, type_: Any, details: Any, source: str) -> str:
        value = f"({source} -> {_literal(name)})"
        if name in spec.lists:
            return self.content_list(type_, details, value)
        if isinstance(type_, GraphQLObjectType):
            return self.content_object(type_, details, value)
        if not isinstance(type_, (GraphQLScalarType, GraphQLEnumType)):
            raise _NotCompilable(name)
        # A JSON null writes `null`, like a missing key (which reads as SQL NULL) without a default.
        leaf = _leaf(type_, value, jsonb=True)
        default = spec.defaults.get(name)
        return leaf if default is None else f"coalesce({leaf}, {_literal(default)})"

    def content_list(self, type_: Any, details: Any, value: str) -> str:
        """The JSON text of a JSONB array `value` of content objects (`[]` when it is not an array)."""
        alias = self.alias()
        row = self.content(_list_item(type_), details, f"{alias}.v")
        return (
            f"(SELECT coalesce('[' || string_agg({row}, ',' ORDER BY {alias}.o) || ']', '[]') "
            f"FROM jsonb_array_elements(CASE jsonb_typeof({value}) WHEN 'array' THEN {value} END) "
            f"WITH ORDINALITY AS {alias}(v, o))"
        )

    def content_object(self, type_: Any, details: Any, value: str) -> str:
        if not isinstance(type_, GraphQLObjectType):
            raise _NotCompilable(str(type_))
        row = self.content(type_, details, value)
        return f"(CASE WHEN jsonb_typeof({value}) = 'object' THEN {row} END)"


def _plain_definition(field_: Any, details: Sequence[Any]) -> Any:
    """The strawberry field behind a GraphQL field the compiler may read: no arguments."""
    definition = field_.extensions.get("strawberry-definition")
    if details[0].node.arguments or field_.args or definition is None:
        raise _NotCompilable(details[0].node.name.value)
    return definition


def _unwrap(type_: GraphQLOutputType) -> tuple[bool, Any]:
    """(nullable, the type without its non-null wrapper)."""
    if isinstance(type_, GraphQLNonNull):
        return False, type_.of_type
    return True, type_


def _item_nullable(type_: Any) -> bool:
    return isinstance(type_, GraphQLList) and not isinstance(type_.of_type, GraphQLNonNull)


def _list_item(type_: Any) -> GraphQLObjectType:
    """The object type of `[T!]` or `[T]` (items of our lists are never null)."""
    if not isinstance(type_, GraphQLList):
        raise _NotCompilable(str(type_))
    item = type_.of_type
    item = item.of_type if isinstance(item, GraphQLNonNull) else item
    if not isinstance(item, GraphQLObjectType):
        raise _NotCompilable(str(item))
    return item


def compile_read(root: GraphQLObjectType, details: Any, where: str, collect: Collect) -> CompiledRead | None:
    """`SELECT <json text> FROM <root's table> t0 WHERE <where>` and the fields it leaves to the
    resolvers; None when the root is not table-backed or the selection has deferred parts.

    `where` is a condition on the alias `t0` with positional parameters ($1, $2...).
    """
    spec = TABLE_TYPES.get(root.name)
    if spec is None:
        return None
    try:
        row, holes = _Compiler(collect).row(root, details, "t0")
    except _Deferred:
        return None
    return CompiledRead(f'SELECT {row} FROM "{spec.table.name}" t0 WHERE {where}', holes)
