"""Where the time of ONE nested program request goes, in-process (no HTTP server).

The same nested `program(id)` query as bench/nested_query.py (1 program -> 4 mesocycles ->
16 microcycles -> 80 workouts), run in this process on the app built by
`trainforge.app.create_app(settings, url)`, as the server runs it: after set-up, and before
the first request, `gc.collect(); gc.freeze()` like the app's lifespan.

  * Phase table: `schema.execute(...)` with a context from the app's own
    `GraphQLApp.get_context`, sequentially, --requests requests after --warmup unmeasured
    ones, each phase net of garbage-collector pauses (which get a row of their own):
      (a) parse and validate (the schema's parse and validation caches, keyed by query text);
      (b) database: the statements (SQLAlchemy cursor events on the app's engine, of which
          `GraphQLApp.reader` is an AUTOCOMMIT view sharing pool and events), and any
          BEGIN / ROLLBACK / pool pre-ping round trips (0 with autocommit reads);
      (c) SQLAlchemy around them (connection checkout/return, compilation, rows) and the
          pydantic validation of JSONB prescriptions;
      (d) GraphQL resolution (graphql-core + strawberry + plans + dataloaders + asyncio)
          = execute time minus (b) and (c);
      (e) JSON encoding: orjson (what the app uses) vs stdlib json.
    Plus: PostgreSQL transactions per request (pg_stat_database), cache hits, uncached
    parse/validate cost, and what hydrating one prescription costs.
  * Plain-data plans: the same requests (same program ids, same order) on the app's schema
    and on `build_schema(settings, plain_data_plans=False)` (graphql-core's own per-field
    path), in --rounds alternating rounds: ms/request for both, % saved, and a check that
    both return byte-identical `{"data": ...}`.
  * The whole request through the ASGI app in-process (Starlette + strawberry's HTTP view),
    and cProfile over --profile-requests of them: top functions by cumulative and own time.

Instrumentation lives in this process only (SQLAlchemy events, wrappers on class methods).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/profile_request.py
    .venv/bin/python bench/profile_request.py --programs 50          # embedded PostgreSQL
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

    Regions form a stack; a garbage-collector pause is charged to the innermost open region,
    so every phase can be reported net of GC."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.gc_t0 = 0.0
        self.reset()

    def reset(self) -> None:
        self.t: dict[str, float] = defaultdict(float)
        self.n: dict[str, int] = defaultdict(int)
        self.in_ping = False
        self.db_depth = 0
        self.db_since = 0.0

    def add(self, key: str, dt: float) -> None:
        self.t[key] += dt
        self.n[key] += 1

    def pop(self, region: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i] == region:
                del self.stack[i]
                return

    def gc_callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.gc_t0 = perf()
        elif "request" in self.stack:  # pauses outside the measured request are not reported
            dt = perf() - self.gc_t0
            self.add(f"gc_gen{info['generation']}", dt)
            self.add("gc@" + self.stack[-1], dt)
            self.t["gc_request"] += dt

    def gc(self, region: str) -> float:
        return self.t.get("gc@" + region, 0.0)

    # "db": the union of the intervals in which some connection/session is open, so
    # overlapping loader batches are not counted twice.
    def db_enter(self) -> None:
        if self.db_depth == 0:
            self.db_since = perf()
        self.db_depth += 1
        self.n["connections"] += 1
        self.stack.append("db")

    def db_exit(self) -> None:
        self.pop("db")
        self.db_depth -= 1
        if self.db_depth == 0:
            self.t["db"] += perf() - self.db_since


M = Meter()


@contextmanager
def region(name: str, key: str | None = None) -> Iterator[None]:
    M.stack.append(name)
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
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

    from trainforge.models.base import PydanticJSONB

    gc.callbacks.append(M.gc_callback)

    hydrate = PydanticJSONB.process_result_value

    def process_result_value(self, value, dialect):  # noqa: ANN001, ANN202
        with region("pydantic"):
            return hydrate(self, value, dialect)

    PydanticJSONB.process_result_value = process_result_value

    # BEGIN / ROLLBACK sent by the asyncpg adapter (none on an autocommit connection); those
    # of a pre-ping are counted as part of the ping.
    def timed(name: str, method: Any) -> Any:
        async def wrapper(self, *args):  # noqa: ANN001, ANN002, ANN202
            if M.in_ping:
                return await method(self, *args)
            with region(name):
                return await method(self, *args)

        return wrapper

    tx = asyncpg.transaction.Transaction
    tx.start, tx.rollback = timed("begin", tx.start), timed("rollback", tx.rollback)

    # `async with reader.connect() as conn:` (reads) or `async with sessions() as s:` (writes),
    # up to the end of __aexit__: statements, their rows and the connection's return to the pool.
    for cls in (AsyncConnection, AsyncSession):
        enter, exit_ = cls.__aenter__, cls.__aexit__

        async def aenter(self, _enter=enter):  # noqa: ANN001, ANN202
            M.db_enter()
            return await _enter(self)

        async def aexit(self, *exc, _exit=exit_):  # noqa: ANN001, ANN002, ANN202
            try:
                return await _exit(self, *exc)
            finally:
                M.db_exit()

        cls.__aenter__, cls.__aexit__ = aenter, aexit


def instrument_engine(engine: Any) -> None:
    """Cursor events on the app's engine: they fire for its `read_only` views (GraphQLApp.reader)
    too, which share its pool, dialect and event listeners."""
    from sqlalchemy import event

    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        M.stack.append("cursor")
        conn.info.setdefault("bench_t0", []).append(perf())

    @event.listens_for(sync_engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        M.add("cursor", perf() - conn.info["bench_t0"].pop())
        M.pop("cursor")

    dialect = sync_engine.dialect  # the pool calls pool._dialect.do_ping: the same object
    ping = dialect.do_ping

    def do_ping(dbapi_connection):  # noqa: ANN001, ANN202
        M.in_ping = True
        try:
            with region("ping"):
                return ping(dbapi_connection)
        finally:
            M.in_ping = False

    dialect.do_ping = do_ping


def with_phase_timer(schema: Any) -> Any:
    """Adds an outermost extension timing strawberry's hooks (so it times the other extensions too)."""
    from strawberry.extensions import SchemaExtension

    class PhaseTimer(SchemaExtension):
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

    schema.extensions = (PhaseTimer, *schema.extensions)
    return schema


# --------------------------------------------------------------------------- requests


def http_scope(token: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "POST", "scheme": "http", "path": "/graphql", "raw_path": b"/graphql",
        "query_string": b"", "root_path": "", "state": {},
        "headers": [
            (b"host", b"bench"), (b"content-type", b"application/json"), (b"accept", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()), (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip


class Runner:
    def __init__(self, app: Any, token: str, program_ids: list[str]) -> None:
        from starlette.requests import Request
        from starlette.responses import Response
        from starlette.routing import Route

        self.app = app
        self.token = token
        self.ids = program_ids
        self.view = next(r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql")
        self.i = 0
        self.request, self.response = Request(http_scope(token, b"")), Response()

    def next_id(self) -> str:
        pid = self.ids[self.i % len(self.ids)]
        self.i += 1
        return pid

    async def execute_once(self, schema: Any, measure: bool) -> tuple[str, bytes]:
        """get_context + schema.execute + orjson, timed piecewise into M; (program id, JSON)."""
        pid = self.next_id()
        with region("request", "request" if measure else "unmeasured"):
            with region("context"):
                ctx = await self.view.get_context(self.request, self.response)
            with region("schema", "schema_execute"):
                result = await schema.execute(NESTED_QUERY, variable_values={"id": pid}, context_value=ctx)
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
        return pid, encoded

    async def run(self, schema: Any, n: int, measure: bool = True) -> list[tuple[str, bytes]]:
        if measure:
            M.reset()
        return [await self.execute_once(schema, measure) for _ in range(n)]

    async def asgi_once(self) -> None:
        body = json.dumps({"query": NESTED_QUERY, "variables": {"id": self.next_id()}}).encode()
        received, status, chunks = False, 0, []

        async def receive() -> dict[str, Any]:
            nonlocal received
            if received:
                await asyncio.sleep(3600)  # never reached for a plain JSON response
                return {"type": "http.disconnect"}
            received = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await asyncio.wait_for(self.app(http_scope(self.token, body), receive, send), 30)
        data = b"".join(chunks)
        if status != 200 or b'"errors":' in data:
            raise SystemExit(f"ASGI request failed: {status} {data[:300]!r}")


# --------------------------------------------------------------------------- reports


def phases(n: int) -> dict[str, float]:
    """ms/request per phase, each net of the GC pauses charged to it; they add up to `total`."""
    t, g = M.t, M.gc
    ms = lambda seconds: seconds / n * 1000  # noqa: E731
    extra_rt = ("begin", "rollback", "ping")
    p = {
        "context": ms(t["context"] - g("context")),
        "parse": ms(t["parse"] - g("parse")),
        "validate": ms(t["validate"] - g("validate")),
        "statements": ms(t["cursor"] - t["begin"] - g("cursor")),  # a lazy BEGIN is sent inside the cursor call
        "begin_rollback_ping": ms(sum(t[k] - g(k) for k in extra_rt)),
        "pydantic": ms(t["pydantic"] - g("pydantic")),
        "sqlalchemy": ms(t["db"] - t["cursor"] - t["ping"] - t["rollback"] - t["pydantic"] - g("db")),
        "resolution": ms(t["execute"] - t["db"] - g("execute")),
        "gc": ms(t["gc_request"]),
        "strawberry": ms(t["operation"] - t["parse"] - t["validate"] - t["execute"] - g("operation")),
        "schema_other": ms(t["schema_execute"] - t["operation"] - g("schema")),
        "orjson": ms(t["orjson"] - g("orjson")),
        "request_other": ms(t["request"] - t["context"] - t["schema_execute"] - t["orjson"] - g("request")),
        "total": ms(t["request"]),
        "json": ms(t["json"]),
        "json_compact": ms(t["json_compact"]),
        "execute": ms(t["execute"]),
    }
    p["db_roundtrips"] = p["statements"] + p["begin_rollback_ping"]
    return p


def print_phase_table(n: int) -> dict[str, Any]:
    p = phases(n)
    total = p["total"]
    per = lambda key: M.n[key] / n  # noqa: E731
    gens = " ".join(f"gen{i} {per(f'gc_gen{i}'):.2f}x {M.t[f'gc_gen{i}'] / n * 1000:.2f} ms" for i in range(3))
    rows: list[tuple[str, float | None, str]] = [
        ("context (token verify + Loaders)", p["context"], "GraphQLApp.get_context"),
        ("(a) parse (cached by text)", p["parse"], ""),
        ("(a) validate (cached by text)", p["validate"], ""),
        ("execute (on_execute hook), of which:", None, f"{p['execute']:.3f} ms wall incl. GC"),
        ("  (b) DB: SQL statements", p["statements"], f"{per('cursor'):.1f}/request, incl. asyncpg decode"),
        ("  (b) DB: BEGIN / ROLLBACK / pre-ping", p["begin_rollback_ping"],
         f"{per('begin'):.1f} / {per('rollback'):.1f} / {per('ping'):.1f} per request"),
        ("  (c) pydantic JSONB hydration", p["pydantic"], f"{per('pydantic'):.0f} model_validate/request"),
        ("  (c) SQLAlchemy", p["sqlalchemy"], f"{per('connections'):.1f} connections/request: pool, compile cache, rows"),
        ("  (d) GraphQL resolution + loaders", p["resolution"], "graphql-core/strawberry/plans per-field work"),
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
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"\nPer-request phases, mean of {n} sequential requests (each phase net of GC pauses)")
    print(f"{'phase':<{width}}  {'ms/req':>8}  {'%':>6}  notes")
    print("-" * (width + 70))
    for name, value, note in rows:
        if value is None:
            print(f"{name:<{width}}  {'':>8}  {'':>6}  {note}" if name else "")
        else:
            print(f"{name:<{width}}  {value:8.3f}  {value / total * 100 if total else 0:5.1f}%  {note}")
    report: dict[str, Any] = {f"{k}_ms": round(v, 3) for k, v in p.items()}
    for key in ("cursor", "connections", "begin", "rollback", "ping"):
        report[f"{'statements' if key == 'cursor' else key}_per_request"] = round(per(key), 2)
    return report


async def compare_plans(runner: Runner, schemas: dict[str, Any], n: int, rounds: int, warmup: int) -> dict[str, Any]:
    """The same n requests (same ids, same order) per schema, in alternating rounds."""
    for schema in schemas.values():
        await runner.run(schema, warmup, measure=False)
    results: dict[str, list[dict[str, float]]] = {k: [] for k in schemas}
    seen: dict[tuple[str, str], bytes] = {}
    identical, compared = True, 0
    for _ in range(rounds):
        for key, schema in schemas.items():
            runner.i = 0
            for pid, encoded in await runner.run(schema, n):
                first = seen.setdefault((key, pid), encoded)
                other = seen.get(("off" if key == "on" else "on", pid))
                identical &= encoded == first and (other is None or encoded == other)
                compared += other is not None
            results[key].append(phases(n))

    mean = {k: {f: sum(r[f] for r in rs) / len(rs) for f in rs[0]} for k, rs in results.items()}
    on, off = mean["on"], mean["off"]
    print(f"\nPlain-data plans: the app's schema vs build_schema(settings, plain_data_plans=False) "
          f"(graphql-core per field),\n{rounds} alternating rounds of the same {n} requests; mean ms/request")  # fmt: skip
    print(f"{'':<34}{'plans on':>10}{'plans off':>11}{'saved':>10}{'%':>8}")
    for label, field in (("TOTAL per request", "total"), ("  (d) GraphQL resolution + loaders", "resolution"),
                         ("  garbage-collector pauses", "gc"), ("  DB round trips", "db_roundtrips")):  # fmt: skip
        saved = off[field] - on[field]
        pct = f"{saved / off[field] * 100:7.1f}%" if off[field] else ""
        print(f"{label:<34}{on[field]:10.3f}{off[field]:11.3f}{saved:10.3f}{pct}")
    for key in ("on", "off"):
        print(f"  rounds, plans {key + ':':<5}" + " ".join(f"{r['total']:.3f}" for r in results[key]) + " ms")
    print(f"data identical: {'yes' if identical else 'NO'} (orjson bytes of {{\"data\": ...}}; {compared} responses "
          f"compared with the other schema's for the same program id, and each with its earlier rounds)")  # fmt: skip
    return {
        "plans_on_ms": round(on["total"], 3),
        "plans_off_ms": round(off["total"], 3),
        "saved_pct": round((off["total"] - on["total"]) / off["total"] * 100, 1) if off["total"] else 0.0,
        "resolution_on_ms": round(on["resolution"], 3),
        "resolution_off_ms": round(off["resolution"], 3),
        "rounds": rounds,
        "data_identical": identical,
    }


def mean_seconds(fn: Any, n: int = 200) -> float:
    t0 = perf()
    for _ in range(n):
        fn()
    return (perf() - t0) / n


def hydration_costs(raw: str) -> dict[str, float]:
    """What reading back one stored prescription costs (microseconds each)."""
    from trainforge.models.program_content import WorkoutPrescription

    as_dict = orjson.loads(raw)
    timings = {}
    for name, fn in (
        ("orjson.loads [current: the engine's json_deserializer]", lambda: orjson.loads(raw)),
        ("model_validate(dict) [current: PydanticJSONB]", lambda: WorkoutPrescription.model_validate(as_dict)),
        ("model_validate_json(text)", lambda: WorkoutPrescription.model_validate_json(raw)),
        ("json.loads", lambda: json.loads(raw)),
    ):
        timings[name] = mean_seconds(fn, 2000) * 1e6
    print(f"\nHydration of one prescription ({len(raw)} bytes of JSON), microseconds each: "
          + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))  # fmt: skip
    return {k.split(" [")[0]: round(v, 2) for k, v in timings.items()}


def print_profile(profile: cProfile.Profile, n: int, top: int) -> None:
    roots = {p for p in (sysconfig.get_paths().get("purelib"), sysconfig.get_paths().get("stdlib")) if p}
    roots = sorted(roots | {str(Path(__file__).resolve().parent.parent)}, key=len, reverse=True)

    def short(filename: str) -> str:
        root = next((r for r in roots if filename.startswith(r)), "")
        return filename[len(root):].lstrip("/")

    this_file = str(Path(__file__).resolve())
    entries = []
    for (filename, line, func), (cc, nc, tt, ct, _) in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        if filename != this_file and func not in ("<module>", "disable", "enable"):
            entries.append((f"{short(filename)}:{line}({func})" if filename != "~" else func, filename, nc, tt, ct))

    def show(title: str, key: int, skip_plumbing: bool) -> None:
        print(f"\n{title} (per request: calls, own ms, cumulative ms; {n} requests profiled; "
              f"an async function counts one call per resumption)")  # fmt: skip
        print(f"{'calls':>8} {'own ms':>8} {'cum ms':>8}  function")
        plumbing = ("asyncio/", "contextlib.py", "<frozen", "uvloop/")
        shown = [e for e in sorted(entries, key=lambda e: e[key], reverse=True)
                 if not (skip_plumbing and (e[1] == "~" or any(s in e[1] for s in plumbing)))][:top]  # fmt: skip
        for where, _, nc, tt, ct in shown:
            print(f"{nc / n:8.1f} {tt / n * 1000:8.3f} {ct / n * 1000:8.3f}  {where[:150]}")

    print(f"\ncProfile: {sum(e[3] for e in entries) / n * 1000:.2f} ms of profiled CPU per request "
          f"(profiling inflates Python time)")  # fmt: skip
    show("Top functions by cumulative time (event-loop plumbing and builtins left out)", 4, True)
    show("Top functions by own (total) time", 3, False)


# --------------------------------------------------------------------------- database helpers


async def scalar(engine: Any, sql: str, **params: Any) -> Any:
    from sqlalchemy import text

    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar()


async def program_ids(engine: Any, limit: int) -> list[str]:
    from sqlalchemy import text

    async with engine.connect() as conn:
        sql = "SELECT id FROM fitness_programs ORDER BY created_at DESC, id DESC LIMIT :n"
        return [str(r.id) for r in await conn.execute(text(sql), {"n": limit})]


async def transactions(url: str) -> int:
    """Committed + rolled back transactions of the database so far (pg_stat_database)."""
    import asyncpg

    from trainforge.db import libpq_url

    conn = await asyncpg.connect(libpq_url(url), timeout=10)
    try:
        sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


async def transactions_per_request(runner: Runner, engine: Any, url: str, k: int = 50) -> float:
    """Server-side transactions per request. A backend publishes its statistics at exit at the
    latest, so each run ends by closing the pool; 1 and then 1 + k requests cancel out what
    opening a connection costs."""

    async def run(requests: int) -> int:
        before = await transactions(url)
        await runner.run(runner.view.schema, requests, measure=False)
        await engine.dispose()
        await asyncio.sleep(0.5)  # let the backends exit and flush
        return await transactions(url) - before - 1  # - 1: the transactions() call itself

    await engine.dispose()
    await asyncio.sleep(0.5)
    one = await run(1)
    return (await run(1 + k) - one) / k


def cache_infos(schema: Any) -> dict[str, Any]:
    """Hits and misses of the schema's parse and validation caches (by query text)."""
    operations = getattr(schema, "operations", None)
    return operations.cache_info() if operations is not None else {}


# --------------------------------------------------------------------------- the run


async def profile(args: argparse.Namespace, url: str, token: str | None, loop_name: str) -> dict[str, Any]:
    from graphql import parse, validate

    from trainforge.app import create_app
    from trainforge.config import Settings
    from trainforge.models import Role
    from trainforge.schema import build_schema
    from trainforge.services import auth

    instrument_classes()
    # This profiles the resolver path (loaders, plans, field by field); the compiled
    # read (one statement that builds the JSON) is measured by bench/tree_sizes.py.
    settings = Settings(secret=BENCH_SECRET, database_url=url, log_level="warning", compiled_reads=False,
                        home=Path(os.environ.get("TRAINFORGE_HOME", ".trainforge")))  # fmt: skip
    app = create_app(settings, url)
    engine = app.state.engine
    instrument_engine(engine)
    try:
        if args.program_id:
            ids = [args.program_id]
            athlete = await scalar(engine, "SELECT athlete_id FROM fitness_programs WHERE id = :id",
                                   id=uuid.UUID(args.program_id))  # fmt: skip
            if athlete is None:
                raise SystemExit(f"no program {args.program_id} in that database")
            token = auth.issue_token(settings, auth.Viewer(athlete, Role.ATHLETE))
        else:
            ids = await program_ids(engine, args.ids)
        if not ids:
            raise SystemExit("no programs in the database")
        runner = Runner(app, token, ids)
        schema = with_phase_timer(runner.view.schema)
        schemas = {"on": schema, "off": with_phase_timer(build_schema(settings, plain_data_plans=False))}
        reader = runner.view.reader

        # Set-up done: as the app's lifespan does before serving its first request.
        gc.collect()
        gc.freeze()
        frozen = gc.get_freeze_count()
        print(f"gc: gc.collect(); gc.freeze() after set-up, as the app's lifespan does ({frozen} objects frozen)")

        _, first = (await runner.run(schema, 1, measure=False))[0]
        workouts = count_workouts(orjson.loads(first)["data"]["program"])
        if workouts != EXPECTED_WORKOUTS:
            print(f"note: the program has {workouts} workouts (the benchmark shape has {EXPECTED_WORKOUTS})")
        print(f"settings: env={settings.env.value}, pool_size={settings.db_pool_size}, loop={loop_name}, "
              f"{len(ids)} program id(s), {workouts} workouts per program")  # fmt: skip
        print(f"reads: GraphQLApp.reader, isolation_level={reader.get_execution_options().get('isolation_level')}, "
              f"pool pre-ping {'on' if engine.pool._pre_ping else 'off'} (a view of app.state.engine's pool)")  # fmt: skip

        await runner.run(schema, args.warmup, measure=False)
        caches = cache_infos(app.state.graphql.schema)
        await runner.run(schema, args.requests)
        caches_after = cache_infos(app.state.graphql.schema)
        report = print_phase_table(args.requests)
        report["gc_frozen_objects"] = frozen

        xacts = await transactions_per_request(runner, engine, url)
        print(f"\nPostgreSQL transactions per request (pg_stat_database): {xacts:.1f} for "
              f"{report['statements_per_request']:.0f} statements ({report['begin_per_request']:.0f} BEGIN/ROLLBACK "
              f"pairs, {report['ping_per_request']:.0f} pre-pings; an autocommit statement is its own transaction)")  # fmt: skip
        report["transactions_per_request"] = round(xacts, 2)
        for name, before in caches.items():
            after = caches_after[name]
            print(f"{name}: {after.hits - before.hits} hits, {after.misses - before.misses} misses "
                  f"over {args.requests} requests (currsize {after.currsize}/{after.maxsize})")  # fmt: skip
            report[f"{name}_misses"] = after.misses - before.misses

        # Uncached parse/validate, and hashing the document (what strawberry's ValidationCache paid per lookup; ours keys by text).
        doc = parse(NESTED_QUERY)
        timings = {"parse": mean_seconds(lambda: parse(NESTED_QUERY)) * 1000,
                   "validate": mean_seconds(lambda: validate(schema._schema, doc)) * 1000,
                   "hash": mean_seconds(lambda: hash(doc)) * 1000}  # fmt: skip
        print(f"graphql-core uncached: parse {timings['parse']:.3f} ms, validate {timings['validate']:.3f} ms; "
              f"hash(DocumentNode) {timings['hash']:.3f} ms (strawberry's ValidationCache paid this per lookup; ours keys by text)")  # fmt: skip
        report.update(uncached_parse_ms=round(timings["parse"], 3), uncached_validate_ms=round(timings["validate"], 3),
                      document_hash_ms=round(timings["hash"], 3))  # fmt: skip

        raw = await scalar(engine, "SELECT prescription::text FROM workout_instances LIMIT 1")
        report["hydration_us"] = hydration_costs(raw) if raw else {}

        report["plain_data_plans"] = await compare_plans(runner, schemas, args.requests, args.rounds, args.warmup)

        # The whole request through the ASGI app (Starlette + strawberry HTTP view), then under cProfile.
        for _ in range(10):
            await runner.asgi_once()
        t0 = perf()
        for _ in range(args.requests):
            await runner.asgi_once()
        report["asgi_request_ms"] = round((perf() - t0) / args.requests * 1000, 3)
        print(f"\nWhole ASGI request in-process (Starlette + strawberry view + execute + orjson): "
              f"{report['asgi_request_ms']:.3f} ms/request (mean of {args.requests})")  # fmt: skip
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.profile_requests):
            await runner.asgi_once()
        prof.disable()
        print_profile(prof, args.profile_requests, args.top)
        return report
    finally:
        await engine.dispose()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--programs", type=int, default=200, help="demo programs to load in a scratch database (200)")
    p.add_argument("--requests", type=int, default=200, help="measured sequential requests (200)")
    p.add_argument("--warmup", type=int, default=50, help="unmeasured requests first (50)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds, plans on / off (3)")
    p.add_argument("--profile-requests", type=int, default=100, help="requests under cProfile (100)")
    p.add_argument("--top", type=int, default=25, help="functions to list per cProfile table (25)")
    p.add_argument("--ids", type=int, default=200, help="distinct program ids to cycle through (200)")
    p.add_argument("--database-url", default=None,
                   help="with --program-id: an existing database, used as is; else the server for a scratch "
                        "database (default: DATABASE_URL, else the embedded PostgreSQL)")  # fmt: skip
    p.add_argument("--program-id", default=None, help="profile this program of an existing database")
    p.add_argument("--keep-db", action="store_true", help="keep the scratch database / embedded data")
    p.add_argument("--no-uvloop", action="store_true", help="use asyncio's default loop (the server uses uvloop)")
    args = p.parse_args(argv)
    if min(args.programs, args.requests, args.profile_requests, args.ids, args.rounds) < 1 or args.warmup < 0:
        p.error("counts must be >= 1 (--warmup >= 0)")
    if args.program_id and not (args.database_url or os.environ.get("DATABASE_URL")):
        p.error("--program-id needs --database-url or DATABASE_URL")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run, loop_name = asyncio.run, "asyncio"
    if not args.no_uvloop:
        try:
            import uvloop

            run, loop_name = uvloop.run, "uvloop"
        except ImportError:
            pass
    if args.program_id:
        from trainforge.db import asyncpg_url

        report = run(profile(args, asyncpg_url(args.database_url or os.environ["DATABASE_URL"]), None, loop_name))
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
    return 0 if report["plain_data_plans"]["data_identical"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
