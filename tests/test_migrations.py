"""Alembic: the revisions build exactly the models' schema, and go down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from trainforge.config import Settings
from trainforge.db import create_engine, downgrade, include_in_migrations, migrate
from trainforge.models import Base


async def test_migrations_match_models_and_round_trip(scratch_server):
    name = await scratch_server.create("trainforge_migrations")
    engine = create_engine(scratch_server.database_url(name), Settings(database_url=None))
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync, opts={"compare_type": True, "include_object": include_in_migrations}
                    ),
                    Base.metadata,
                )
            )
            assert diff == []
            tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        assert {t.name for t in Base.metadata.sorted_tables} <= tables

        await downgrade(engine, "base")
        async with engine.connect() as conn:
            assert await conn.run_sync(lambda sync: inspect(sync).get_table_names()) == ["alembic_version"]
            leftovers = await conn.scalar(text(
                "SELECT count(*) FROM pg_proc WHERE proname LIKE 'procrastinate%' OR proname LIKE 'workout_instances%'"
            ))
            assert leftovers == 0
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


async def test_recorded_workout_outcomes_become_sessions_and_come_back(scratch_server):
    """0004 moves a workout's completed/skipped status into a training session (snapshot from the
    workout) and drops the column; its downgrade writes the statuses back."""
    from sqlalchemy import text

    name = await scratch_server.create("trainforge_migration_0004")
    engine = create_engine(scratch_server.database_url(name), Settings(database_url=None))
    tree = (
        "WITH u AS (INSERT INTO users (id, email, password_hash, role, display_name) "
        "  VALUES (gen_random_uuid(), 'a@example.com', 'h', 'athlete', 'A') RETURNING id), "
        "p AS (INSERT INTO fitness_programs (id, athlete_id, name, goal, start_date, end_date) "
        "  SELECT gen_random_uuid(), id, 'P', 'strength', '2026-01-05', '2026-01-11' FROM u RETURNING id), "
        "a AS (INSERT INTO macrocycles (id, program_id, position, name, start_date, end_date) "
        "  SELECT gen_random_uuid(), id, 1, 'M', '2026-01-05', '2026-01-11' FROM p RETURNING id), "
        "m AS (INSERT INTO mesocycles (id, macrocycle_id, position, name, phase, weeks, start_date, end_date) "
        "  SELECT gen_random_uuid(), id, 1, 'B', 'accumulation', 1, '2026-01-05', '2026-01-11' FROM a RETURNING id), "
        "c AS (INSERT INTO microcycles (id, mesocycle_id, week_number, start_date, end_date) "
        "  SELECT gen_random_uuid(), id, 1, '2026-01-05', '2026-01-11' FROM m RETURNING id) "
        "INSERT INTO workout_instances (id, microcycle_id, scheduled_date, name, workout_type, status, prescription) "
        "SELECT gen_random_uuid(), c.id, d, n, 'strength', s, "
        "  '{\"exercises\": [{\"exercise\": \"Squat\", \"sets\": 3, \"reps\": 5}], \"notes\": \"go\"}'::jsonb "
        "FROM c, (VALUES ('2026-01-05'::date, 'Done', 'completed'), ('2026-01-07', 'Missed', 'skipped'), "
        "  ('2026-01-09', 'Later', 'scheduled')) AS w(d, n, s)"
    )
    try:
        await migrate(engine, "0003")
        async with engine.begin() as conn:
            await conn.execute(text(tree))
        await migrate(engine)
        async with engine.connect() as conn:
            rows = (await conn.execute(text(
                "SELECT w.name, s.status, s.kind, s.workout_snapshot, s.performance_log IS NOT NULL "
                "FROM training_sessions s JOIN workout_instances w ON w.id = s.program_workout_id ORDER BY w.name"
            ))).all()
        assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
            ("Done", "completed", "strength", True), ("Missed", "skipped", "strength", False)]
        assert rows[0][3] == {"name": "Done", "sections": [
            {"name": "Main", "notes": "go", "exercises": [{"exercise": "Squat", "sets": 3, "reps": 5}]}]}

        await downgrade(engine, "0003")
        async with engine.connect() as conn:
            back = (await conn.execute(text("SELECT name, status FROM workout_instances ORDER BY name"))).all()
        assert [tuple(r) for r in back] == [("Done", "completed"), ("Later", "scheduled"), ("Missed", "skipped")]
    finally:
        await engine.dispose()
        await scratch_server.drop(name)
