"""The nested program query by tree size: compiled SQL against the resolvers.

For programs of 1x1x1, 4x4x5 and 12x4x6 (mesocycles x weeks x workouts per
week), one process runs the bench's NESTED_QUERY in-process through the app's
ASGI stack (no HTTP server, no load generator) with compiled reads on and off,
and times the compiled statement alone in PostgreSQL. Prints ms per request,
SQL statements per request, response size, and the speed-up.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/tree_sizes.py
    .venv/bin/python bench/tree_sizes.py --requests 50     # embedded PostgreSQL without DATABASE_URL
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nested_query import NESTED_QUERY  # noqa: E402

from trainforge.app import create_app  # noqa: E402
from trainforge.config import Settings  # noqa: E402
from trainforge.db import libpq_url, migrate, session_factory, statement_counter  # noqa: E402
from trainforge.embedded import EmbeddedPostgres  # noqa: E402
from trainforge.models import Role  # noqa: E402
from trainforge.services import accounts, auth, demo  # noqa: E402
from trainforge.services.program_tree import store_programs  # noqa: E402

SHAPES = ((1, 1, 1), (4, 4, 5), (12, 4, 6))  # mesocycles, weeks each, workouts a week
SECRET = "bench-secret-not-for-production-0123456789"


async def measure(url: str, requests: int) -> None:
    home = Path(tempfile.mkdtemp(prefix="tf-bench-"))
    settings = {flag: Settings(home=home, secret=SECRET, compiled_reads=flag, database_url=None) for flag in (True, False)}
    apps = {flag: create_app(s, url) for flag, s in settings.items()}
    await migrate(apps[True].state.engine)
    async with session_factory(apps[True].state.engine).begin() as session:
        user = await accounts.sign_up(
            session, settings[True], email="bench@example.com", password="bench password",
            role=Role.ATHLETE, display_name="Bench", profile=None,
        )  # fmt: skip
    token = auth.issue_token(settings[True], auth.Viewer(user.id, Role.ATHLETE))
    headers = {"Authorization": f"Bearer {token}"}
    clients = {f: httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://bench") for f, a in apps.items()}
    raw = await asyncpg.connect(libpq_url(url))
    print(f"{'shape':>8} {'workouts':>8} {'KB':>6} {'compiled ms':>11} {'resolvers ms':>12} {'speed-up':>8} "
          f"{'statements':>10} {'SQL alone ms':>12}")  # fmt: skip
    try:
        for mesocycles, weeks, days in SHAPES:
            plan = demo.build_program(
                user.id, None, date(2027, 1, 4), mesocycles=mesocycles, weeks_per_mesocycle=weeks,
                days_per_week=days, seed=1,
            )  # fmt: skip
            async with session_factory(apps[True].state.engine).begin() as session:
                [program_id] = await store_programs(session, [plan])
            await raw.execute("ANALYZE")
            body = {"query": NESTED_QUERY, "variables": {"id": str(program_id)}}
            times, counts, sizes = {}, {}, {}
            for flag, client in clients.items():
                counter = statement_counter(apps[flag].state.engine)
                for _ in range(5):
                    await client.post("/graphql", json=body, headers=headers)
                before, samples = counter.total, []
                for _ in range(requests):
                    start = time.perf_counter()
                    response = await client.post("/graphql", json=body, headers=headers)
                    samples.append((time.perf_counter() - start) * 1000)
                times[flag], counts[flag] = statistics.median(samples), (counter.total - before) / requests
                sizes[flag] = response.content
            assert sizes[True] == sizes[False], "compiled and resolver answers differ"
            sql_ms = await _statement_ms(raw, apps[True], program_id, user.id, requests)
            workouts = sizes[True].count(b'"durationMinutes"')
            print(f"{mesocycles}x{weeks}x{days:<4} {workouts:>8} {len(sizes[True]) / 1024:>6.1f} {times[True]:>11.2f} "
                  f"{times[False]:>12.2f} {times[False] / times[True]:>7.1f}x {counts[True]:>4.0f} / {counts[False]:<3.0f} "
                  f"{sql_ms:>12.2f}")  # fmt: skip
    finally:
        await raw.close()
        for flag, app in apps.items():
            await clients[flag].aclose()
            await app.state.engine.dispose()


async def _statement_ms(raw: asyncpg.Connection, app, program_id: uuid.UUID, viewer: uuid.UUID, n: int) -> float:  # noqa: ANN001
    """The cached compiled statement of the last request, timed alone (prepared, median of n)."""
    from trainforge.schema.compiled_reads import _statements

    sql = next(reversed(_statements.values()))[1].sql
    prepared = await raw.prepare(sql)
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await prepared.fetchval(program_id, viewer)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="measured requests per shape and path (100)")
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL")
    embedded = None
    if server is None:
        embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="tf-bench-pg-")))
        server = embedded.start()
    name = f"tf_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(libpq_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await measure(libpq_url(server).rsplit("/", 1)[0] + f"/{name}", args.requests)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
        if embedded is not None:
            embedded.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
