"""Keyset (cursor) pagination shared by every growing list.

A cursor is opaque to clients: base64url of the sort key of the last row seen.
Lists are ordered newest first by (created_at, id), so pages stay stable while
rows are added; dated lists (the calendar) go oldest first by (when, id).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timezone
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from trainforge.services.errors import InvalidInput
from trainforge.services.input_safety import EARLIEST_DATE, LATEST_DATE, date_problem

T = TypeVar("T")


# Where a list starts: after this key comes every row (newest first). `first: 0`
# answers it as its cursor, so a client can page on from an empty page.
START = (datetime.combine(LATEST_DATE, time.max, tzinfo=timezone.utc), uuid.UUID(int=(1 << 128) - 1))
# The same for lists in ascending order.
START_ASCENDING = (datetime.combine(EARLIEST_DATE, time.min, tzinfo=timezone.utc), uuid.UUID(int=0))


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int
    after: tuple[datetime, uuid.UUID] | None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: Sequence[T]
    has_next_page: bool
    has_previous_page: bool
    # The key the page starts after (START for the first page): an empty page's cursor.
    after: tuple[datetime, uuid.UUID] = START


def encode_cursor(created_at: datetime, id_: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{id_}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The sort key in a cursor; anything else, however it was forged, is the client's error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, _, id_ = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        key = datetime.fromisoformat(created), uuid.UUID(id_)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("not a valid cursor", field="after") from exc
    # A cursor we made holds a time-zone-aware timestamp within the accepted range.
    if key[0].tzinfo is None or date_problem(key[0]) is not None:
        raise InvalidInput("not a valid cursor", field="after")
    return key


def page_request(first: int | None, after: str | None, *, default: int, maximum: int) -> PageRequest:
    size = default if first is None else first
    if size < 0:
        raise InvalidInput("first must not be negative", field="first")
    if size > maximum:
        raise InvalidInput(f"first must be at most {maximum}", field="first")
    return PageRequest(first=size, after=decode_cursor(after) if after else None)


def paginate(
    stmt: Select[Any],
    created_at: ColumnElement[datetime],
    id_: ColumnElement[uuid.UUID],
    request: PageRequest,
    *,
    ascending: bool = False,
) -> Select[Any]:
    """Add the keyset condition, the order (newest first unless `ascending`) and a one-row look-ahead."""
    if request.after is not None:
        key, after = tuple_(created_at, id_), tuple_(*request.after)
        stmt = stmt.where(key > after if ascending else key < after)
    order = (created_at.asc(), id_.asc()) if ascending else (created_at.desc(), id_.desc())
    return stmt.order_by(*order).limit(request.first + 1)


def to_page(rows: Sequence[T], request: PageRequest, *, ascending: bool = False) -> Page[T]:
    return Page(
        rows=rows[: request.first],
        has_next_page=len(rows) > request.first,
        has_previous_page=request.after is not None,
        after=request.after or (START_ASCENDING if ascending else START),
    )
