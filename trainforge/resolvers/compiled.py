"""Reads the execution context may answer with one compiled SQL statement.

A root resolver returns a `TableRead` instead of a row: which rows (a
condition on the root table, access rule included, with its parameters) and
how to read them the ordinary way. The execution context compiles the
selection into one statement that returns the response JSON
(schema/compiled_sql.py) and runs it here; when the selection needs Python,
it calls `fallback` and completes the row as usual.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from trainforge.resolvers.context import Context


@dataclass(frozen=True, slots=True)
class TableRead:
    ctx: Context
    # A condition on the root table's alias `t0`, with positional parameters $1, $2...
    where: str
    params: tuple[Any, ...]
    fallback: Callable[[], Awaitable[Any]]

    async def fetch_json(self, sql: str) -> str | None:
        """The JSON text the statement returns, None when it finds no row."""
        async with self.ctx.reader.connect() as conn:
            result = await conn.exec_driver_sql(sql, self.params)
            return result.scalar()
