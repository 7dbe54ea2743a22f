"""Relay-style connections over keyset pages."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

import strawberry

from trainforge.services.pagination import Page, encode_cursor

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="All items in the list, across pages (one extra query when asked for).")
    async def total_count(self) -> int:
        return await self.count()


def connection(
    page: Page[Any],
    count: Callable[[], Awaitable[int]],
    sort_key: Callable[[Any], tuple[datetime, uuid.UUID]] = lambda row: (row.created_at, row.id),
) -> Connection[Any]:
    edges = [Edge(cursor=encode_cursor(*sort_key(row)), node=row) for row in page.rows]
    # An empty page (`first: 0`, or past the end) still answers where it is, so
    # `after: endCursor` goes on from there instead of starting over.
    here = encode_cursor(*page.after)
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=edges[0].cursor if edges else here,
            end_cursor=edges[-1].cursor if edges else here,
        ),
        count=count,
    )
