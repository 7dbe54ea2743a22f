"""Planner statistics after bulk writes: autovacuum's analyze rule, applied at once."""

from __future__ import annotations

from sqlalchemy import text

from trainforge.config import Settings
from trainforge.db import create_engine, migrate, read_only
from trainforge.services.statistics import ACCOUNT_TABLES, PROGRAM_TABLES, analyze_stale

INSERT_USERS = text(
    "INSERT INTO users (id, email, password_hash, role, display_name, created_at, updated_at) "
    "SELECT gen_random_uuid(), 'u' || n || '-' || :batch || '@example.com', 'h', 'athlete', 'U', now(), now() "
    "FROM generate_series(1, :count) AS n"
)


async def test_analyzes_tables_never_analyzed_then_only_past_autovacuums_threshold(scratch_server):
    name = await scratch_server.create("trainforge_statistics")
    engine = create_engine(scratch_server.database_url(name), Settings(database_url=None))
    try:
        await migrate(engine)
        async with read_only(engine).connect() as conn:
            # pg_stat_force_next_flush() needs PostgreSQL 15, the oldest server trainforge supports.
            assert int(await conn.scalar(text("SHOW server_version_num"))) >= 150000
            # Autovacuum must not analyze behind the test's back.
            await conn.execute(text("ALTER TABLE users SET (autovacuum_enabled = false)"))

            async def write_users(batch: str, count: int) -> None:
                await conn.execute(INSERT_USERS, {"batch": batch, "count": count})
                # This backend's counters reach the shared statistics when it goes idle next.
                await conn.execute(text("SELECT pg_stat_force_next_flush()"))

            # Fresh tables were never analyzed: all qualify, even empty.
            tables = [*ACCOUNT_TABLES, *PROGRAM_TABLES]
            assert await analyze_stale(conn, tables) == sorted(tables)
            assert await analyze_stale(conn, tables) == []

            await write_users("a", 60)  # past 50 + 0.1 * 0
            assert await analyze_stale(conn, ["users"]) == ["users"]
            await write_users("b", 50)  # not past 50 + 0.1 * 60
            assert await analyze_stale(conn, ["users"]) == []
            await write_users("c", 7)  # 57 > 56
            assert await analyze_stale(conn, tables) == ["users"]
            assert await conn.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'users'")) == 117
    finally:
        await engine.dispose()
        await scratch_server.drop(name)
