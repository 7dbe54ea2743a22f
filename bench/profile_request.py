"""Where the time of ONE nested program request goes, in-process (no HTTP server).

What it measures
----------------
The same nested `program(id)` query as bench/nested_query.py (1 program ->
4 mesocycles -> 16 microcycles -> 80 workouts), executed in this process on the
app built by `trainforge.app.create_app(settings, url)`:

  * `schema.execute(query, variable_values=..., context_value=...)` with a
    context made by the app's own `GraphQLApp.get_context` (bearer token ->
    viewer, fresh per-request `Loaders`), sequentially, averaged over
    --requests requests after --warmup unmeasured ones, split into
      (a) parse and validate (strawberry's hooks, with the app's ParserCache /
          ValidationCache), plus the uncached graphql-core cost for reference;
      (b) database time: the statements themselves (SQLAlchemy
          before/after_cursor_execute on `app.state.engine.sync_engine`), the
          BEGIN the asyncpg adapter sends before them, the pool's pre-ping and
          the ROLLBACK when a session closes;
      (c) SQLAlchemy work around them: statement compilation/caching, row
          processing and the pydantic validation of JSONB prescriptions;
      (d) GraphQL field resolution (graphql-core + strawberry + dataloaders +
          asyncio scheduling) = execute time minus everything in (b) and (c);
      (e) JSON encoding of the result: orjson (what the app uses) vs stdlib json.
  * The whole request through the ASGI app in-process (Starlette + strawberry's
    HTTP view + the above), for comparison with the HTTP benchmark.
  * PostgreSQL transactions per request (pg_stat_database), to show how many
    BEGIN/ROLLBACK pairs one request costs.
  * cProfile over --profile-requests whole ASGI requests: the top functions by
    cumulative and by own time, per request.

Instrumentation is done in this process only (SQLAlchemy events, wrappers on
class methods); no file of the app is changed.

How to run (from the repository root)
-------------------------------------
    # scratch database on a server (created and dropped), demo data loaded first:
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/profile_request.py
    # embedded PostgreSQL under a temporary TRAINFORGE_HOME:
    .venv/bin/python bench/profile_request.py --programs 50
    # an existing database, as is (reads as the program's athlete):
    .venv/bin/python bench/profile_request.py --database-url postgresql://... --program-id <uuid>
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import sys
import sysconfig
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ (for nested_query)
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # the repository (for trainforge)

import orjson  # noqa: E402

from nested_query import BENCH_SECRET, EXPECTED_WORKOUTS, NESTED_QUERY, BenchData, count_workouts  # noqa: E402

perf = time.perf_counter


# --------------------------------------------------------------------------- instrumentation


class Meter:
    """Wall-time accumulators (seconds) and counters, reset before each measured run.

    Regions (context, parse, validate, execute, session, cursor, ping, ...) form a stack;
    a garbage-collector pause is charged to the innermost open region, so every phase
    can be reported net of GC and the pauses get a row of their own.
    """

    def __init__(self) -> None:
        self.reset()
        self.stack: list[str] = []
        self.gc_t0 = 0.0

    def reset(self) -> None:
        self.t: dict[str, float] = defaultdict(float)
        self.n: dict[str, int] = defaultdict(int)
        self.in_ping = False
        self.db_depth = 0
        self.db_since = 0.0

    def add(self, key: str, dt: float) -> None:
        self.t[key] += dt
        self.n[key] += 1

    def push(self, region: str) -> None:
        self.stack.append(region)

    def pop(self, region: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i] == region:
                del self.stack[i]
                return

    def gc_callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.gc_t0 = perf()
            return
        dt = perf() - self.gc_t0
        self.add(f"gc_gen{info['generation']}", dt)
        self.add("gc@" + (self.stack[-1] if self.stack else "none"), dt)

    def gc(self, region: str) -> float:
        return self.t.get("gc@" + region, 0.0)

    # Union of the intervals in which some session is open, so overlapping loader
    # batches would not be counted twice.
    def db_enter(self) -> None:
        if self.db_depth == 0:
            self.db_since = perf()
        self.db_depth += 1
        self.push("session")

    def db_exit(self) -> None:
        self.pop("session")
        self.db_depth -= 1
        if self.db_depth == 0:
            self.t["db_union"] += perf() - self.db_since


M = Meter()


@contextmanager
def region(name: str, key: str | None = None) -> Iterator[None]:
    M.push(name)
    t0 = perf()
    try:
        yield
    finally:
        M.add(key or name, perf() - t0)
        M.pop(name)


def instrument_classes() -> None:
    """Class-level wrappers; must run before the engine is created (SQLAlchemy captures
    TypeDecorator.process_result_value when it builds a result processor)."""
    import asyncpg.transaction
    from sqlalchemy.ext.asyncio import AsyncSession

    from trainforge.models.base import PydanticJSONB

    gc.callbacks.append(M.gc_callback)

    orig_hydrate = PydanticJSONB.process_result_value

    def process_result_value(self, value, dialect):  # noqa: ANN001, ANN202
        with region("pydantic"):
            return orig_hydrate(self, value, dialect)

    PydanticJSONB.process_result_value = process_result_value

    orig_start = asyncpg.transaction.Transaction.start
    orig_rollback = asyncpg.transaction.Transaction.rollback

    async def start(self):  # noqa: ANN001, ANN202
        if M.in_ping:
            return await orig_start(self)
        with region("begin"):
            return await orig_start(self)

    async def rollback(self):  # noqa: ANN001, ANN202
        if M.in_ping:
            return await orig_rollback(self)
        with region("rollback"):
            return await orig_rollback(self)

    asyncpg.transaction.Transaction.start = start
    asyncpg.transaction.Transaction.rollback = rollback

    # A session's life, `async with sessions() as session:` up to the end of close(): the
    # statement, its rows (built by .all() after execute returns) and the connection's return.
    orig_aenter = AsyncSession.__aenter__
    orig_close = AsyncSession.close

    async def aenter(self):  # noqa: ANN001, ANN202
        self._bench_open = True
        M.db_enter()
        M.n["sessions"] += 1
        return await orig_aenter(self)

    async def close(self):  # noqa: ANN001, ANN202
        try:
            return await orig_close(self)
        finally:
            if getattr(self, "_bench_open", False):
                self._bench_open = False
                M.db_exit()

    AsyncSession.__aenter__ = aenter
    AsyncSession.close = close


def instrument_engine(engine: Any) -> None:
    from sqlalchemy import event

    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        M.push("cursor")
        conn.info.setdefault("bench_t0", []).append(perf())

    @event.listens_for(sync_engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        M.add("cursor", perf() - conn.info["bench_t0"].pop())
        M.pop("cursor")

    dialect = sync_engine.dialect
    orig_ping = dialect.do_ping

    def do_ping(dbapi_connection):  # noqa: ANN001, ANN202
        M.in_ping = True
        try:
            with region("ping"):
                return orig_ping(dbapi_connection)
        finally:
            M.in_ping = False

    dialect.do_ping = do_ping  # the pool calls pool._dialect.do_ping: the same dialect object


def phase_timer_extension() -> type:
    from strawberry.extensions import SchemaExtension

    class PhaseTimer(SchemaExtension):
        """Outermost extension: times strawberry's operation / parse / validate / execute hooks."""

        def on_operation(self):  # noqa: ANN202
            with region("operation"):
                yield

        def on_parse(self):  # noqa: ANN202
            with region("parse"):
                yield

        def on_validate(self):  # noqa: ANN202
            with region("validate"):
                yield

        def on_execute(self):  # noqa: ANN202
            with region("execute"):
                yield

    return PhaseTimer


# --------------------------------------------------------------------------- requests


def fake_request(token: str, body: bytes = b"") -> tuple[Any, Any]:
    from starlette.requests import Request
    from starlette.responses import Response

    scope = http_scope(token, body)
    return Request(scope), Response()


def http_scope(token: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def asgi_request(app: Any, token: str, body: bytes) -> tuple[int, bytes]:
    scope = http_scope(token, body)
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # never reached for a plain JSON response
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await asyncio.wait_for(app(scope, receive, send), 30)
    return status, b"".join(chunks)


class Runner:
    def __init__(self, app: Any, token: str, program_ids: list[str]) -> None:
        from starlette.routing import Route

        self.app = app
        self.token = token
        self.ids = program_ids
        self.view = next(r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql")
        self.schema = self.view.schema
        self.i = 0
        self.request, self.response = fake_request(token)

    def next_id(self) -> str:
        pid = self.ids[self.i % len(self.ids)]
        self.i += 1
        return pid

    async def execute_once(self, measure: bool) -> dict[str, Any]:
        """get_context + schema.execute + JSON encoding, timed piecewise into M."""
        variables = {"id": self.next_id()}
        with region("request", "request" if measure else "unmeasured"):
            with region("context"):
                ctx = await self.view.get_context(self.request, self.response)
            with region("schema", "schema_execute"):
                result = await self.schema.execute(NESTED_QUERY, variable_values=variables, context_value=ctx)
            if result.errors:
                raise SystemExit(f"the nested query failed: {result.errors}")
            payload = {"data": result.data}
            with region("orjson"):
                encoded = orjson.dumps(payload)
        if measure:
            M.add("bytes", len(encoded))
            with region("json"):
                json.dumps(payload)
            with region("json_compact"):
                json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        return payload

    async def asgi_once(self) -> int:
        body = json.dumps({"query": NESTED_QUERY, "variables": {"id": self.next_id()}}).encode()
        status, data = await asgi_request(self.app, self.token, body)
        if status != 200 or b'"errors":' in data:
            raise SystemExit(f"ASGI request failed: {status} {data[:300]!r}")
        return len(data)


# --------------------------------------------------------------------------- reports


def phases(n: int) -> dict[str, float]:
    """ms/request per phase, each net of the GC pauses charged to it; they add up to `total`."""
    t, g = M.t, M.gc
    per = lambda seconds: seconds / n * 1000 if n else 0.0  # noqa: E731
    p: dict[str, float] = {}
    p["context"] = per(t["context"] - g("context"))
    p["parse"] = per(t["parse"] - g("parse"))
    p["validate"] = per(t["validate"] - g("validate"))
    p["statements"] = per(t["cursor"] - t["begin"] - g("cursor"))
    p["begin"] = per(t["begin"] - g("begin"))
    p["ping"] = per(t["ping"] - g("ping"))
    p["rollback"] = per(t["rollback"] - g("rollback"))
    p["pydantic"] = per(t["pydantic"] - g("pydantic"))
    p["sqlalchemy"] = per(t["db_union"] - t["cursor"] - t["ping"] - t["rollback"] - t["pydantic"] - g("session"))
    p["resolution"] = per(t["execute"] - t["db_union"] - g("execute"))
    p["gc"] = per(sum(v for k, v in t.items() if k.startswith("gc@") and k != "gc@json" and k != "gc@json_compact"))
    p["strawberry"] = per(t["operation"] - t["parse"] - t["validate"] - t["execute"] - g("operation"))
    p["schema_other"] = per(t["schema_execute"] - t["operation"] - g("schema"))
    p["orjson"] = per(t["orjson"] - g("orjson"))
    p["request_other"] = per(t["request"] - t["context"] - t["schema_execute"] - t["orjson"] - g("request"))
    p["total"] = per(t["request"])
    p["json"] = per(t["json"])
    p["json_compact"] = per(t["json_compact"])
    p["execute"] = per(t["execute"])
    p["sessions"] = per(t["db_union"])
    p["db_roundtrips"] = p["statements"] + p["begin"] + p["ping"] + p["rollback"]
    return p


def print_phase_table(n: int) -> dict[str, Any]:
    p = phases(n)
    total = p["total"]
    gens = " ".join(f"gen{i} {M.n[f'gc_gen{i}'] / n:.2f}x {M.t[f'gc_gen{i}'] / n * 1000:.2f} ms" for i in range(3))
    rows: list[tuple[str, float | None, str]] = [
        ("context (token verify + Loaders)", p["context"], "GraphQLApp.get_context"),
        ("(a) parse (ParserCache)", p["parse"], ""),
        ("(a) validate (ValidationCache)", p["validate"], ""),
        ("execute (on_execute hook), of which:", None, f"{p['execute']:.3f} ms wall incl. GC"),
        ("  (b) DB: SQL statements", p["statements"], f"{M.n['cursor'] / n:.1f}/request, incl. asyncpg decode"),
        ("  (b) DB: BEGIN before them", p["begin"], f"{M.n['begin'] / n:.1f}/request"),
        ("  (b) DB: pool pre-ping", p["ping"], f"{M.n['ping'] / n:.1f}/request, each BEGIN; ';'; ROLLBACK"),
        ("  (b) DB: ROLLBACK at session close", p["rollback"], f"{M.n['rollback'] / n:.1f}/request"),
        ("  (c) pydantic JSONB hydration", p["pydantic"], f"{M.n['pydantic'] / n:.0f} model_validate/request"),
        ("  (c) SQLAlchemy", p["sqlalchemy"], "compile cache, ORM session, Row building, pool"),
        ("  (d) GraphQL resolution + loaders", p["resolution"], "graphql-core/strawberry per-field work"),
        ("garbage-collector pauses", p["gc"], gens),
        ("strawberry operation overhead", p["strawberry"], "operation hook minus parse/validate/execute"),
        ("schema.execute outside hooks", p["schema_other"], "extension setup, result processing"),
        ("(e) JSON encode, orjson", p["orjson"], f"{M.t['bytes'] / max(1, M.n['bytes']) / 1024:.1f} KB"),
        ("rest (building the payload dict)", p["request_other"], ""),
        ("TOTAL per request", total, "sum of the rows above"),
        ("", None, ""),
        ("(e) JSON encode, stdlib json", p["json"], "not in total, for comparison"),
        ("(e) JSON encode, stdlib compact", p["json_compact"], "separators=(',',':'), ensure_ascii=False"),
        ("DB round trips, sum of (b)", p["db_roundtrips"], "waiting on PostgreSQL (+ asyncpg decode)"),
        ("Python CPU (total minus (b))", total - p["db_roundtrips"], ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\nPer-request phases, mean of {n} sequential requests (each phase net of GC pauses)")
    print(f"{'phase':<{width}}  {'ms/req':>8}  {'%':>6}  notes")
    print("-" * (width + 70))
    for name, value, note in rows:
        if value is None:
            print(f"{name:<{width}}  {'':>8}  {'':>6}  {note}" if name else "")
            continue
        pct = f"{value / total * 100:5.1f}%" if total else ""
        print(f"{name:<{width}}  {value:8.3f}  {pct:>6}  {note}")
    report = {f"{k}_ms": round(v, 3) for k, v in p.items()}
    report.update(
        statements_per_request=round(M.n["cursor"] / n, 2),
        sessions_per_request=round(M.n["sessions"] / n, 2),
        pings_per_request=round(M.n["ping"] / n, 2),
    )
    return report


async def hydration_alternatives(engine: Any) -> dict[str, float]:
    """One stored prescription: what reading it back costs, and cheaper ways to do it."""
    from sqlalchemy import text

    from trainforge.models.program_content import WorkoutPrescription

    async with engine.connect() as conn:
        raw = (await conn.execute(text("SELECT prescription::text FROM workout_instances LIMIT 1"))).scalar()
    if raw is None:
        return {}
    as_dict = json.loads(raw)
    n = 2000
    timings = {}
    for name, fn in (
        ("json.loads", lambda: json.loads(raw)),
        ("model_validate(dict) [current]", lambda: WorkoutPrescription.model_validate(as_dict)),
        ("model_validate_json(text)", lambda: WorkoutPrescription.model_validate_json(raw)),
        ("orjson.loads", lambda: orjson.loads(raw)),
    ):
        t0 = perf()
        for _ in range(n):
            fn()
        timings[name] = (perf() - t0) / n * 1e6
    print("\nHydration of one prescription (" + f"{len(raw)} bytes of JSON" + "), microseconds each: "
          + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    return timings


def stable_validation_rules(extensions: tuple[Any, ...]) -> tuple[Any, ...]:
    """The schema's extension factories, with every AddValidationRules (QueryDepthLimiter,
    MaxAliasesLimiter, ...) replaced by one whose rule classes are built once, so the
    ValidationCache key (document, rules) is the same from one request to the next."""
    from strawberry.extensions import AddValidationRules, SchemaExtension

    rules: list[Any] = []
    kept: list[Any] = []
    for factory in extensions:
        instance = factory if isinstance(factory, SchemaExtension) else factory()
        if isinstance(instance, AddValidationRules):
            rules += instance.validation_rules
        else:
            kept.append(factory)
    frozen = list(rules)
    return (*kept, lambda: AddValidationRules(frozen))


async def what_if(runner: Runner, settings: Any, url: str, n: int) -> list[dict[str, Any]]:
    """Cheap changes tried in this process only (the app's files are untouched), cumulatively."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from trainforge.db import asyncpg_url, session_factory

    async def measure(label: str) -> dict[str, Any]:
        for _ in range(10):
            await runner.execute_once(measure=False)
        M.reset()
        for _ in range(n):
            await runner.execute_once(measure=True)
        p = phases(n)
        return {"scenario": label, **{k: round(v, 3) for k, v in p.items()}}

    results = [await measure("as is")]
    original_extensions = runner.schema.extensions
    original_sessions = runner.view.sessions
    runner.schema.extensions = stable_validation_rules(original_extensions)
    results.append(await measure("+ validation rules built once (ValidationCache hits)"))

    def read_engine(pre_ping: bool) -> Any:
        engine = create_async_engine(
            asyncpg_url(url),
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size,
            pool_pre_ping=pre_ping,
            isolation_level="AUTOCOMMIT",
            connect_args={"server_settings": {"jit": "off", "application_name": "trainforge-bench"}},
        )
        instrument_engine(engine)
        return engine

    engines = [read_engine(pre_ping=True), read_engine(pre_ping=False)]
    try:
        runner.view.sessions = session_factory(engines[0])
        results.append(await measure("+ reads on an AUTOCOMMIT engine (pre-ping: 1 round trip)"))
        runner.view.sessions = session_factory(engines[1])
        results.append(await measure("+ ... and no pre-ping"))
        gc.collect()
        gc.freeze()
        try:
            results.append(await measure("+ gc.freeze() after start-up"))
        finally:
            gc.unfreeze()
    finally:
        runner.view.sessions = original_sessions
        runner.schema.extensions = original_extensions
        for engine in engines:
            await engine.dispose()

    base = results[0]["total"]
    width = max(len(r["scenario"]) for r in results)
    print(f"\nWhat-if, cumulative, {n} sequential requests each (in this process only; no file changed)")
    print(f"{'scenario':<{width}}  {'total ms':>8}  {'saved':>6}  {'validate':>8}  {'DB rt':>6}  {'GC':>6}  {'resolve':>7}")
    for r in results:
        saved = (base - r["total"]) / base * 100 if base else 0.0
        print(f"{r['scenario']:<{width}}  {r['total']:8.3f}  {saved:5.1f}%  {r['validate']:8.3f}  "
              f"{r['db_roundtrips']:6.3f}  {r['gc']:6.3f}  {r['resolution']:7.3f}")  # fmt: skip
    return results


def short_path(filename: str) -> str:
    prefixes = sorted(
        {p for p in (sysconfig.get_paths().get("purelib"), sysconfig.get_paths().get("stdlib")) if p}
        | {str(Path(__file__).resolve().parent.parent)},
        key=len,
        reverse=True,
    )
    for prefix in prefixes:
        if filename.startswith(prefix):
            return filename[len(prefix):].lstrip("/")
    return filename


def print_profile(profile: cProfile.Profile, n: int, top: int) -> None:
    stats = pstats.Stats(profile)
    this_file = str(Path(__file__).resolve())
    noise_cum = ("asyncio/", "contextlib.py", "<frozen", "uvloop/")
    entries = []
    for (filename, line, func), (cc, nc, tt, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        if filename == this_file or func in ("<module>", "disable", "enable"):
            continue
        where = f"{short_path(filename)}:{line}({func})" if filename != "~" else func
        entries.append((where, filename, nc, tt, ct))

    def show(title: str, key: int, skip_wrappers: bool) -> None:
        print(f"\n{title} (per request: calls, own ms, cumulative ms; {n} requests profiled; an async function counts one call per resumption)")
        print(f"{'calls':>8} {'own ms':>8} {'cum ms':>8}  function")
        shown = 0
        for where, filename, nc, tt, ct in sorted(entries, key=lambda e: e[key], reverse=True):
            if skip_wrappers and (filename == "~" or any(s in filename for s in noise_cum)):
                continue
            print(f"{nc / n:8.1f} {tt / n * 1000:8.3f} {ct / n * 1000:8.3f}  {where[:150]}")
            shown += 1
            if shown >= top:
                break

    total = sum(e[3] for e in entries)
    print(f"\ncProfile: {total / n * 1000:.2f} ms of profiled CPU per request (profiling inflates Python time)")
    show("Top functions by cumulative time (event-loop plumbing and builtins left out)", 4, True)
    show("Top functions by own (total) time", 3, False)


# --------------------------------------------------------------------------- setup


async def pick_program_ids(engine: Any, limit: int) -> list[str]:
    from sqlalchemy import text

    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT id FROM fitness_programs ORDER BY created_at DESC, id DESC LIMIT :n"), {"n": limit}
        )
        return [str(r.id) for r in rows]


async def athlete_token(engine: Any, settings: Any, program_id: str) -> str:
    from sqlalchemy import text

    from trainforge.models import Role
    from trainforge.services import auth

    async with engine.connect() as conn:
        athlete = (
            await conn.execute(text("SELECT athlete_id FROM fitness_programs WHERE id = :id"),
                               {"id": uuid.UUID(program_id)})  # fmt: skip
        ).scalar()
    if athlete is None:
        raise SystemExit(f"no program {program_id} in that database")
    return auth.issue_token(settings, auth.Viewer(athlete, Role.ATHLETE))


async def transactions(url: str) -> int:
    """Committed + rolled back transactions of the database so far (pg_stat_database)."""
    import asyncpg

    from trainforge.db import libpq_url

    conn = await asyncpg.connect(libpq_url(url), timeout=10)
    try:
        return int(
            await conn.fetchval(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
            )
        )
    finally:
        await conn.close()


async def transactions_per_request(runner: Runner, engine: Any, url: str, k: int = 50) -> float:
    """Server-side count of transactions per request. A backend publishes its statistics at
    exit at the latest, so each run ends by closing the pool; running 1 and then 1 + k requests
    cancels out what opening a connection costs."""

    async def run(requests: int) -> int:
        before = await transactions(url)
        for _ in range(requests):
            await runner.execute_once(measure=False)
        await engine.dispose()
        await asyncio.sleep(0.5)  # let the backends exit and flush
        return await transactions(url) - before - 1  # - 1: the transactions() call itself

    await engine.dispose()
    await asyncio.sleep(0.5)
    one = await run(1)
    many = await run(1 + k)
    return (many - one) / k


@contextmanager
def event_loop(use_uvloop: bool):  # noqa: ANN201
    if use_uvloop:
        try:
            import uvloop

            yield uvloop.run, "uvloop"
            return
        except ImportError:
            pass
    yield asyncio.run, "asyncio"


async def profile(args: argparse.Namespace, url: str, token: str | None, loop_name: str) -> dict[str, Any]:
    from graphql import parse, validate

    from trainforge.app import create_app
    from trainforge.config import Settings

    instrument_classes()
    settings = Settings(secret=BENCH_SECRET, database_url=url, log_level="warning",
                        home=Path(os.environ.get("TRAINFORGE_HOME", ".trainforge")))  # fmt: skip
    app = create_app(settings, url)
    engine = app.state.engine
    instrument_engine(engine)
    try:
        if args.program_id:
            ids = [args.program_id]
            token = await athlete_token(engine, settings, args.program_id)
        else:
            ids = await pick_program_ids(engine, args.ids)
        if not ids:
            raise SystemExit("no programs in the database")
        runner = Runner(app, token, ids)
        # Outermost extension, so it times the other extensions' hooks too (this process only).
        runner.schema.extensions = (phase_timer_extension(), *runner.schema.extensions)

        first = await runner.execute_once(measure=False)
        workouts = count_workouts(first["data"]["program"])
        if workouts != EXPECTED_WORKOUTS:
            print(f"note: the program has {workouts} workouts (the benchmark shape has {EXPECTED_WORKOUTS})")
        print(f"settings: env={settings.env.value}, pool_size={settings.db_pool_size}, loop={loop_name}, "
              f"{len(ids)} program id(s), {workouts} workouts per program")  # fmt: skip

        for _ in range(args.warmup):
            await runner.execute_once(measure=False)

        caches = cache_infos(settings)
        M.reset()
        for _ in range(args.requests):
            await runner.execute_once(measure=True)
        caches_after = cache_infos(settings)
        report = print_phase_table(args.requests)
        xacts = await transactions_per_request(runner, engine, url)
        print(f"\nPostgreSQL transactions per request (pg_stat_database): {xacts:.1f} for "
              f"{report['statements_per_request']:.0f} statements: {report['sessions_per_request']:.0f} sessions "
              f"(BEGIN; SELECT; ROLLBACK) + {report['pings_per_request']:.0f} pre-pings (BEGIN; ';'; ROLLBACK)")  # fmt: skip
        report["transactions_per_request"] = round(xacts, 2)
        for name, before in caches.items():
            after = caches_after[name]
            print(f"{name}: {after.hits - before.hits} hits, {after.misses - before.misses} misses "
                  f"over {args.requests} requests (currsize {after.currsize}/{after.maxsize})")  # fmt: skip
            report[f"{name}_misses"] = after.misses - before.misses

        # Uncached parse/validate and the cost of hashing the document (the ValidationCache key).
        n = 200
        t0 = perf()
        for _ in range(n):
            doc = parse(NESTED_QUERY)
        t_parse = (perf() - t0) / n
        t0 = perf()
        for _ in range(n):
            validate(runner.schema._schema, doc)
        t_validate = (perf() - t0) / n
        t0 = perf()
        for _ in range(n):
            hash(doc)
        t_hash = (perf() - t0) / n
        print(f"graphql-core uncached: parse {t_parse * 1000:.3f} ms, validate {t_validate * 1000:.3f} ms; "
              f"hash(DocumentNode) {t_hash * 1000:.3f} ms (part of every ValidationCache lookup)")  # fmt: skip
        report.update(uncached_parse_ms=round(t_parse * 1000, 3), uncached_validate_ms=round(t_validate * 1000, 3),
                      document_hash_ms=round(t_hash * 1000, 3))  # fmt: skip

        report["hydration_us"] = {k: round(v, 2) for k, v in (await hydration_alternatives(engine)).items()}

        # The whole request through the ASGI app (Starlette + strawberry HTTP view), sequential.
        for _ in range(10):
            await runner.asgi_once()
        t0 = perf()
        for _ in range(args.requests):
            await runner.asgi_once()
        asgi_ms = (perf() - t0) / args.requests * 1000
        print(f"\nWhole ASGI request in-process (Starlette + strawberry view + execute + orjson): "
              f"{asgi_ms:.3f} ms/request (mean of {args.requests})")  # fmt: skip
        report["asgi_request_ms"] = round(asgi_ms, 3)

        # cProfile over whole ASGI requests.
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.profile_requests):
            await runner.asgi_once()
        prof.disable()
        print_profile(prof, args.profile_requests, args.top)

        if not args.no_what_if:
            report["what_if"] = await what_if(runner, settings, url, args.requests)
        return report
    finally:
        await engine.dispose()


def cache_infos(settings: Any) -> dict[str, Any]:
    infos = {}
    try:
        from strawberry.extensions.parser_cache import _get_parse_cache
        from strawberry.extensions.validation_cache import _get_validate_cache

        infos["ParserCache"] = _get_parse_cache(settings.parser_cache_size).cache_info()
        infos["ValidationCache"] = _get_validate_cache(settings.validation_cache_size).cache_info()
    except (ImportError, AttributeError):  # private strawberry helpers; report nothing if they moved
        pass
    return infos


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--programs", type=int, default=200, help="demo programs to load in a scratch database (200)")
    p.add_argument("--requests", type=int, default=200, help="measured sequential requests (200)")
    p.add_argument("--warmup", type=int, default=50, help="unmeasured requests first (50)")
    p.add_argument("--profile-requests", type=int, default=100, help="requests under cProfile (100)")
    p.add_argument("--top", type=int, default=25, help="functions to list per cProfile table (25)")
    p.add_argument("--ids", type=int, default=200, help="distinct program ids to cycle through (200)")
    p.add_argument("--database-url", default=None,
                   help="with --program-id: an existing database, used as is; else the server for a scratch "
                        "database (default: DATABASE_URL, else the embedded PostgreSQL)")  # fmt: skip
    p.add_argument("--program-id", default=None, help="profile this program of an existing database")
    p.add_argument("--keep-db", action="store_true", help="keep the scratch database / embedded data")
    p.add_argument("--no-what-if", action="store_true", help="skip the what-if experiments at the end")
    p.add_argument("--no-uvloop", action="store_true", help="use asyncio's default loop (the server uses uvloop)")
    args = p.parse_args(argv)
    if min(args.programs, args.requests, args.profile_requests, args.ids) < 1 or args.warmup < 0:
        p.error("counts must be >= 1")
    if args.program_id and not (args.database_url or os.environ.get("DATABASE_URL")):
        p.error("--program-id needs --database-url or DATABASE_URL")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with event_loop(not args.no_uvloop) as (run, loop_name):
        if args.program_id:
            from trainforge.db import asyncpg_url

            url = asyncpg_url(args.database_url or os.environ["DATABASE_URL"])
            report = run(profile(args, url, None, loop_name))
        else:
            data = BenchData.create(args.keep_db, args.database_url)
            embedded = None
            try:
                print(f"database: {data.describe}")
                print(f"loading demo data: {args.programs} programs ...", flush=True)
                token = data.load_demo(args.programs, timeout=max(300.0, args.programs * 0.5))
                if data.embedded:
                    from trainforge.db import EmbeddedPostgres

                    os.environ["TRAINFORGE_HOME"] = str(data.home)
                    embedded = EmbeddedPostgres(data.home)
                    url = embedded.start()
                else:
                    url = data.database_url
                report = run(profile(args, url, token, loop_name))
            finally:
                if embedded is not None:
                    embedded.stop()
                data.cleanup()
    print("\nRESULT " + json.dumps(report, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
