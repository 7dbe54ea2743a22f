"""Alembic: the revisions build exactly the models' schema, and go down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from trainforge.config import Settings
from trainforge.db import create_engine, downgrade, migrate
from trainforge.models import Base


async def test_migrations_match_models_and_round_trip(scratch_server):
    name = await scratch_server.create("trainforge_migrations")
    engine = create_engine(scratch_server.database_url(name), Settings(database_url=None))
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata)
            )
            assert diff == []
            tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        assert {t.name for t in Base.metadata.sorted_tables} <= tables

        await downgrade(engine, "base")
        async with engine.connect() as conn:
            assert await conn.run_sync(lambda sync: inspect(sync).get_table_names()) == ["alembic_version"]
        await migrate(engine)
    finally:
        await engine.dispose()
        await scratch_server.drop(name)


async def test_updated_at_is_stamped_by_the_database(engine):
    from sqlalchemy import text

    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (id, email, password_hash, role, display_name, created_at, updated_at) "
                "VALUES (gen_random_uuid(), 'x@example.com', 'h', 'coach', 'X', now() - interval '1 day', "
                "now() - interval '1 day')"
            )
        )
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE users SET display_name = 'Y' WHERE email = 'x@example.com'"))
        created, updated = (await conn.execute(text("SELECT created_at, updated_at FROM users"))).one()
    assert updated > created
