"""Background and periodic work, on procrastinate (a PostgreSQL task queue).

`serve` runs one worker in-process (TRAINFORGE_BACKGROUND_WORKER); `trainforge
worker` runs more; `trainforge cleanup` does the cleanups once, now. Periodic
tasks are deferred by whichever worker runs: procrastinate makes sure each
period is deferred once, whatever the number of workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import procrastinate
from sqlalchemy.ext.asyncio import AsyncEngine

from trainforge.db import libpq_url, session_factory
from trainforge.services import live

log = logging.getLogger(__name__)

tasks = procrastinate.Blueprint()
# The database the tasks of this process work on (set by `make_app`).
_engine: AsyncEngine | None = None


async def cleanup(engine: AsyncEngine, now: datetime | None = None) -> dict[str, int]:
    """Every cleanup, once: what each removed."""
    async with session_factory(engine).begin() as session:
        cursors = await live.remove_stale_cursors(session, now or datetime.now(timezone.utc))
    return {"recovery cursors": cursors}


@tasks.periodic(cron="*/10 * * * *")
@tasks.task(name="cleanup", queueing_lock="cleanup", pass_context=False)
async def cleanup_task(timestamp: int) -> None:
    """Recovery cursors older than 7 days and those of sessions no longer in progress, every 10 minutes."""
    if _engine is None:
        raise RuntimeError("the background app was not made for a database (make_app)")
    removed = await cleanup(_engine, datetime.fromtimestamp(timestamp, timezone.utc))
    log.info("cleanup: %s", ", ".join(f"{n} {what}" for what, n in removed.items()))


@contextlib.asynccontextmanager
async def worker(engine: AsyncEngine, name: str = "serve") -> AsyncIterator[None]:
    """A procrastinate worker in this process while the block runs (serve's in-process worker)."""
    app = make_app(engine)
    await app.open_async()
    task = asyncio.create_task(app.run_worker_async(
        name=name, install_signal_handlers=False, delete_jobs="successful", concurrency=2,
    ), name="trainforge-background-worker")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await app.close_async()


def make_app(engine: AsyncEngine) -> procrastinate.App:
    """The procrastinate app of this process, on the engine's database."""
    global _engine
    _engine = engine
    connector = procrastinate.PsycopgConnector(
        conninfo=libpq_url(engine.url.render_as_string(hide_password=False)), min_size=1, max_size=2
    )
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(tasks, namespace="trainforge")
    return app
