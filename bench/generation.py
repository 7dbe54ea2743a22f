"""Rule-based generation of a 52-week program, generated and stored.

Runs in-process, the way the `generateProgram` mutation does it: validate the
request, outline, break every mesocycle down, then store the whole tree in one
transaction with batched inserts. Prints the median and p90 over `--runs`
runs (20 by default) of the whole and of its two halves, and the SQL
statements one generation issues.

    .venv/bin/python bench/generation.py                   # embedded PostgreSQL
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/generation.py

With DATABASE_URL the script creates a scratch database `tf_bench_<random>`
on that server and drops it at the end. Target (issue 3): under 300 ms on the
project's 2-core machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from trainforge.config import Settings
from trainforge.db import EmbeddedPostgres, asyncpg_url, create_engine, libpq_url, migrate, session_factory, statement_counter
from trainforge.models import ProgramGoal, Role
from trainforge.services import accounts
from trainforge.services.auth import Viewer
from trainforge.services.exercises import default_catalog
from trainforge.services.generation import service
from trainforge.services.generation.request import GenerationInput
from trainforge.services.generation.rules import RuleBasedGenerator
from trainforge.services.generation.types import ExperienceLevel, PeriodizationModel, Weekday


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"median {statistics.median(values):7.1f} ms | p90 {p90:7.1f} | min {ordered[0]:7.1f} | max {ordered[-1]:7.1f}"


async def _admin(server: str, sql: str) -> None:
    conn = await asyncpg.connect(libpq_url(server))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def run(url: str, runs: int, weeks: int, days: int, goal: ProgramGoal = ProgramGoal.STRENGTH) -> dict:
    settings = Settings(database_url=None, secret="bench-secret-0123456789-0123456789", argon2_time_cost=1, argon2_memory_kib=1024)
    engine = create_engine(url, settings)
    await migrate(engine)
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        athlete = await accounts.sign_up(
            session, settings, email=f"bench-{uuid.uuid4().hex[:6]}@example.com", password="bench-password",
            role=Role.ATHLETE, display_name="Bench",
        )
    viewer = Viewer(athlete.id, Role.ATHLETE)
    catalog = default_catalog()
    generator = RuleBasedGenerator()
    weekdays = tuple(list(Weekday)[:days])
    counter = statement_counter(engine)
    totals, generating, storing, statements = [], [], [], []
    for i in range(runs + 2):  # two warm-up runs
        raw = GenerationInput(
            athlete_id=athlete.id, goal=goal, start_date=date.today() + timedelta(days=i),
            total_weeks=weeks, weekdays=weekdays, session_minutes=75, experience=ExperienceLevel.INTERMEDIATE,
            equipment=tuple(sorted(catalog.names())), model=PeriodizationModel.BLOCK, seed=i,
        )
        before = counter.total
        t0 = time.perf_counter()
        async with engine.connect() as conn:
            request = await service.prepare(conn, viewer, raw, catalog.names())
        plan, _ = await service.build(request, generator, athlete.id)
        t1 = time.perf_counter()
        async with sessions.begin() as session:
            await service.store(session, plan)
        t2 = time.perf_counter()
        if i >= 2:
            totals.append((t2 - t0) * 1000)
            generating.append((t1 - t0) * 1000)
            storing.append((t2 - t1) * 1000)
            statements.append(counter.total - before)
    rows = 1 + sum(
        1 + len(m.microcycles) + sum(len(w.workouts) for w in m.microcycles) for m in plan.macrocycles[0].mesocycles
    ) + 1
    await engine.dispose()
    return {
        "runs": runs, "weeks": weeks, "days_per_week": days, "rows_per_program": rows,
        "total_ms": totals, "generate_ms": generating, "store_ms": storing, "statements": statements,
    }


async def on_scratch_database(server_url: str, args: argparse.Namespace) -> dict:
    server = asyncpg_url(server_url)
    name = f"tf_bench_{uuid.uuid4().hex[:8]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        return await run(url, args.runs, args.weeks, args.days, ProgramGoal(args.goal))
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--weeks", type=int, default=52)
    p.add_argument("--days", type=int, default=5, choices=range(1, 8))
    p.add_argument("--goal", default="strength", choices=[g.value for g in ProgramGoal],
                   help="hypertrophy blocks balance volume per muscle group: the slowest to generate")
    args = p.parse_args()
    if os.environ.get("DATABASE_URL"):
        where = "server from DATABASE_URL (scratch database)"
        result = asyncio.run(on_scratch_database(os.environ["DATABASE_URL"], args))
    else:
        where = "embedded PostgreSQL (temporary)"
        embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="tf-bench-")))
        try:
            result = asyncio.run(run(embedded.start(), args.runs, args.weeks, args.days, ProgramGoal(args.goal)))
        finally:
            embedded.stop()
    print(f"rule-based generation, {result['weeks']} weeks x {result['days_per_week']} days, "
          f"{result['rows_per_program']} rows per program, {result['runs']} runs on {where}")
    print(f"  generate + store  {_ms(result['total_ms'])}")
    print(f"  generate (no DB)  {_ms(result['generate_ms'])}")
    print(f"  store (1 txn)     {_ms(result['store_ms'])}")
    print(f"  SQL statements per generation: {statistics.median(result['statements']):.0f} "
          "(one multi-row INSERT per table level; checking access costs none for the athlete themself)")
    print("  target: under 300 ms median for generate + store")
    summary = {k: (round(statistics.median(v), 1) if isinstance(v, list) else v) for k, v in result.items()}
    print("RESULT " + json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
