"""Which GraphQL types are backed by a table (or by JSONB content), declared once.

A declaration names the table and the relations; plain fields map to the
columns of the same name (the strawberry field's Python name), so nothing is
listed twice. The read compiler (schema/compiled_sql.py) turns selections over
these types into one SQL statement; a field it finds no column or relation
for (computed in Python, or with arguments) is left to the resolvers, which
complete it on the row the type's per-request loader gives for the object's id.

A new table-backed type joins the compiled path by a `table(...)` call next to
its strawberry type, naming its loader by id, its lists (`children`), its
single links (`parent` by a foreign key here, `single` by one there), leaves
computed in SQL (`expression`) and its JSONB content (`content`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
from pydantic import BaseModel
from sqlalchemy import Table


@dataclass(frozen=True, slots=True)
class Children:
    """A list of rows of `type_name` whose `foreign_key` points at this row's id, in `order`
    (column names; `-name` for descending)."""

    type_name: str
    foreign_key: str
    order: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Parent:
    """The one row of `type_name` whose id this row's `foreign_key` holds (null when it is null)."""

    type_name: str
    foreign_key: str


@dataclass(frozen=True, slots=True)
class Single:
    """The one row of `type_name` whose `foreign_key` holds this row's id (null when there is none)."""

    type_name: str
    foreign_key: str


@dataclass(frozen=True, slots=True)
class Expression:
    """A leaf computed in SQL from the row: `sql` with `{row}` standing for the row's alias.
    The strawberry field's resolver computes the same in Python (the differential tests compare)."""

    sql: str


@dataclass(frozen=True, slots=True)
class Content:
    """JSONB column `column` (or its key `key`), shaped as the content type `type_name`, or as a list
    of them when the field is a list."""

    type_name: str
    column: str
    key: str | None = None


Relation = Children | Parent | Single | Expression | Content


@dataclass(frozen=True, slots=True)
class TableType:
    table: Table
    # The attribute of the request's `Loaders` that loads rows of this table by id.
    loader: str
    relations: dict[str, Relation] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ContentType:
    """An object inside JSONB: plain fields are its keys; `lists` are arrays of other content types;
    `defaults` the JSON a missing key reads as (the pydantic model's defaults, as validation fills them in)."""

    lists: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)


TABLE_TYPES: dict[str, TableType] = {}
CONTENT_TYPES: dict[str, ContentType] = {}


def children(type_name: str, foreign_key: str, *order: str) -> Children:
    return Children(type_name, foreign_key, order or ("id",))


def parent(type_name: str, foreign_key: str) -> Parent:
    return Parent(type_name, foreign_key)


def single(type_name: str, foreign_key: str) -> Single:
    return Single(type_name, foreign_key)


def expression(sql: str) -> Expression:
    return Expression(sql)


def content(type_name: str, column: str, key: str | None = None) -> Content:
    return Content(type_name, column, key)


def table(type_name: str, table_: Table, *, loader: str, **relations: Relation) -> None:
    """Declare the GraphQL type `type_name` as rows of `table_`, loaded by id through the loader
    named `loader`; relations by field Python name."""
    TABLE_TYPES[type_name] = TableType(table_, loader, relations)


def content_type(type_name: str, model: type[BaseModel], **lists: str) -> None:
    """Declare the GraphQL type `type_name` as JSONB content validated by `model`; `lists` maps list
    fields to their item type."""
    defaults = {
        name: orjson.dumps(info.default).decode()
        for name, info in model.model_fields.items()
        if info.default is not None and isinstance(info.default, (bool, int, float, str))
    }
    CONTENT_TYPES[type_name] = ContentType(lists, defaults)
