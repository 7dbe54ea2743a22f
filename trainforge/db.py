"""Database plumbing: which server (`DATABASE_URL` or the embedded one), the async engine, migrations.

With no `DATABASE_URL`, trainforge runs its own PostgreSQL (`trainforge.embedded`),
so a fresh machine needs no server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from trainforge.config import Settings
from trainforge.embedded import EmbeddedPostgres

log = logging.getLogger(__name__)

MIGRATION_LOCK_ID = 0x7472_6169  # arbitrary, fixed: "trai"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def asyncpg_url(url: str) -> str:
    """Normalise any PostgreSQL URL to SQLAlchemy's asyncpg dialect."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"trainforge needs PostgreSQL, got {parsed.get_backend_name()!r}")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """The same URL without a SQLAlchemy driver suffix, for asyncpg.connect()."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Database:
    """The URL in use and, when we started it, the embedded server behind it."""

    url: str
    embedded: EmbeddedPostgres | None = None

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def open_database(settings: Settings) -> Database:
    """`DATABASE_URL` when set, else the embedded server (started now)."""
    if settings.database_url:
        return Database(url=asyncpg_url(settings.database_url))
    embedded = EmbeddedPostgres(settings.home)
    return Database(url=embedded.start(), embedded=embedded)


@contextmanager
def database(settings: Settings) -> Iterator[Database]:
    db = open_database(settings)
    try:
        yield db
    finally:
        db.close()


@dataclass
class StatementCounter:
    """Counts SQL statements sent by an engine (for /metrics and query-count tests)."""

    total: int = 0
    recent: list[str] = field(default_factory=list)
    keep_recent: bool = False

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        self.total += 1
        if self.keep_recent:
            self.recent.append(statement)


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    engine = create_async_engine(
        asyncpg_url(url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        # No pre-ping: it costs a round trip per checkout. A connection the server
        # dropped fails one statement, and SQLAlchemy then replaces the whole pool.
        pool_recycle=1800,
        # Errors and logs never carry statement parameters (a new user's password hash, say).
        hide_parameters=True,
        json_serializer=lambda value: orjson.dumps(value).decode(),
        json_deserializer=orjson.loads,
        # Small OLTP statements: JIT compilation only adds latency.
        connect_args={"server_settings": {"jit": "off", "application_name": "trainforge"}},
    )
    counter = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    _COUNTERS[engine.sync_engine] = counter
    return engine


_COUNTERS: WeakKeyDictionary[Engine, StatementCounter] = WeakKeyDictionary()


def statement_counter(engine: AsyncEngine) -> StatementCounter:
    return _COUNTERS[engine.sync_engine]


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


Executor = AsyncSession | AsyncConnection
"""What read services take: a session inside a write transaction, or a bare read connection."""


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The same pool in autocommit: a single SELECT needs no BEGIN/ROLLBACK round trips."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    """Alembic's object filter: procrastinate's tables are its own (migration 0006), not our models'."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


async def _alembic(engine: AsyncEngine, command_name: str, revision: str) -> None:
    """Run an Alembic command over one connection of `engine`, in one transaction."""
    from alembic import command

    def run(sync_conn) -> None:  # noqa: ANN001
        # Several processes may start at once: one migrates, the others wait, then find nothing to do.
        sync_conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
        cfg = _alembic_config()
        cfg.attributes["connection"] = sync_conn
        getattr(command, command_name)(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply Alembic migrations up to `revision`."""
    await _alembic(engine, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _alembic(engine, "downgrade", revision)
