"""Alembic environment.

`trainforge migrate` (and `serve` at start) hand us an open connection through
`config.attributes["connection"]`; the `alembic` command line instead gets the
URL from the same settings trainforge uses.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from trainforge.db import include_in_migrations
from trainforge.models import Base

target_metadata = Base.metadata


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection, target_metadata=target_metadata, compare_type=True, include_object=include_in_migrations
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_from_settings() -> None:
    from trainforge.config import get_settings
    from trainforge.db import database

    async def go(url: str) -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(_run)
        await engine.dispose()

    with database(get_settings()) as db:
        asyncio.run(go(db.url))


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `trainforge migrate`")

connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    _run_from_settings()
