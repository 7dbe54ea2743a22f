"""Background work on procrastinate: the cleanup task, run by a real worker on the test database, and `trainforge cleanup`."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text

from trainforge import background
from trainforge.models import Role

TRAINFORGE = Path(sys.executable).parent / "trainforge"


async def _cursors(engine, make_user) -> dict[str, uuid.UUID]:  # noqa: ANN001
    """Four sessions with a cursor each: fresh in progress, 8 days old in progress, completed, skipped."""
    athlete = await make_user(Role.ATHLETE)
    ids = {}
    async with engine.begin() as conn:
        for label, status, age in (("fresh", "in_progress", 0), ("old", "in_progress", 8),
                                   ("completed", "completed", 0), ("skipped", "skipped", 0)):
            session_id = uuid.uuid4()
            log = "'{\"exercises\": []}'::jsonb" if status == "completed" else "NULL"
            await conn.execute(text(
                "INSERT INTO training_sessions (id, athlete_id, source, scheduled_date, kind, status, workout_snapshot, "
                f"performance_log) VALUES (:id, :athlete, 'routine_assignment', current_date, 'strength', :status, "
                f"'{{\"name\": \"x\"}}'::jsonb, {log})"
            ), {"id": session_id, "athlete": athlete.id, "status": status})
            await conn.execute(text(
                "INSERT INTO session_cursors (session_id, athlete_id, device, exercise_position, set_number, updated_at) "
                "VALUES (:id, :athlete, 'phone', 0, 1, now() - make_interval(days => :age))"
            ), {"id": session_id, "athlete": athlete.id, "age": age})
            ids[label] = session_id
    return ids


async def _left(engine) -> set[uuid.UUID]:  # noqa: ANN001
    async with engine.connect() as conn:
        return set((await conn.scalars(text("SELECT session_id FROM session_cursors"))).all())


async def test_a_worker_runs_the_cleanup_task(engine, make_user):
    ids = await _cursors(engine, make_user)
    app = background.make_app(engine)
    assert app.periodic_registry.periodic_tasks, "cleanup is not scheduled"
    [periodic] = app.periodic_registry.periodic_tasks.values()
    assert periodic.cron == "*/10 * * * *" and periodic.task.name == "trainforge:cleanup"
    async with app.open_async():
        now = int(datetime.now(timezone.utc).timestamp())
        await app.configure_task("trainforge:cleanup").defer_async(timestamp=now)
        # A worker that stops once the queue is empty: the job ran through procrastinate's own tables.
        await app.run_worker_async(wait=False, install_signal_handlers=False, delete_jobs="never")
        async with engine.connect() as conn:
            statuses = (await conn.scalars(text(
                "SELECT status FROM procrastinate_jobs WHERE task_name = 'trainforge:cleanup'"))).all()
    assert statuses == ["succeeded"]
    assert await _left(engine) == {ids["fresh"]}


async def test_cleanup_command_removes_stale_and_finished_cursors(engine, make_user, database_url, tmp_path):
    ids = await _cursors(engine, make_user)
    env = {**os.environ, "DATABASE_URL": database_url, "TRAINFORGE_HOME": str(tmp_path)}
    done = subprocess.run([str(TRAINFORGE), "cleanup"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "removed 3 recovery cursors" in done.stdout
    assert await _left(engine) == {ids["fresh"]}
    # Once more: nothing left to remove.
    now = datetime.now(timezone.utc)
    assert await background.cleanup(engine, now) == {"recovery cursors": 0}
    assert await background.cleanup(engine, now + timedelta(days=8)) == {"recovery cursors": 1}
