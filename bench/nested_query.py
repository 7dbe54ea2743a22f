"""Benchmark: the nested program query over HTTP against a real `trainforge serve`.

What it measures
----------------
One `program(id)` query returning the whole periodized tree (1 program ->
1 macrocycle -> 4 mesocycles -> 16 microcycles -> 80 workouts, with their
prescriptions) through the full stack: uvicorn + Starlette + strawberry +
SQLAlchemy async + asyncpg + PostgreSQL.

  1. Creates a scratch database: `tf_bench_<random>` on the server named by
     DATABASE_URL (dropped at the end unless --keep-db), or, without
     DATABASE_URL, the embedded PostgreSQL under a temporary TRAINFORGE_HOME.
  2. Loads demo data in the benchmark shape with
     `trainforge demo --programs N --mesocycles 4 --weeks 4 --days 5`.
  3. Starts `trainforge serve --workers 1 --no-access-log` on a free port and
     waits for GET /healthz.
  4. Collects program ids through `viewer { programs }` (keyset pages).
  5. Checks one response (no errors, 80 workouts), then measures
     - single-request latency: median of 50 sequential requests on one
       keep-alive connection (after 10 unmeasured ones);
     - throughput and latency under load: --clients concurrent clients, each
       with its own keep-alive HTTP/1.1 connection, each request for a
       different program id; --warmup seconds unmeasured, then --duration
       seconds measured;
     - SQL statements per request, from the server's /metrics counter
       (`trainforge_sql_statements_total`) read before and after each phase;
     - CPU split between the server process, this load generator and the
       rest of the machine (PostgreSQL, ...), when psutil is available.

The load generator is a minimal HTTP/1.1 client on raw asyncio streams (uvloop
when installed) with pre-encoded request bodies: on a small machine the
generator shares the cores with the server and PostgreSQL, and a full client
library (httpx) would cost about as much CPU per request as the server.

How to run (from the repository root)
-------------------------------------
    make bench                                   # defaults: 1000 programs, 10 clients, 20 s
    make bench BENCH_ARGS="--programs 50 --duration 5"
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/nested_query.py
    .venv/bin/python bench/nested_query.py --programs 50 --duration 5   # embedded PostgreSQL

The last line of the output is `RESULT {json}` for scripts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# A fixed secret shared by `demo` (which signs the token) and `serve` (which verifies it).
BENCH_SECRET = "trainforge-bench-secret-not-for-production-0123456789"
HOST = "127.0.0.1"

PROGRAMS_PAGE_QUERY = """query Ids($after: String) {
  viewer { programs(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }
}"""

NESTED_QUERY = (
    "query Program($id: ID!) { program(id: $id) { id name startDate endDate macrocycles { id name "
    "mesocycles { id name phase weeks startDate endDate microcycles { id weekNumber startDate endDate "
    "isDeload workouts { id date name type status durationMinutes prescription { exercises { exercise "
    "sets reps percentOneRm rpe restSeconds } } } } } } } }"
)

# Shape passed to `trainforge demo`; a program then has 4 x 4 x 5 = 80 workouts.
MESOCYCLES, WEEKS, DAYS = 4, 4, 5
EXPECTED_WORKOUTS = MESOCYCLES * WEEKS * DAYS

try:
    import psutil
except ImportError:  # optional: CPU split only
    psutil = None


def log(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- data setup


def trainforge_command() -> list[str]:
    """The `trainforge` console script next to this interpreter (e.g. .venv/bin/trainforge)."""
    script = Path(sys.executable).parent / "trainforge"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "trainforge.cli"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"<cannot read {path}: {exc}>"


async def _admin_sql(server_url: str, sql: str) -> None:
    import asyncpg

    from trainforge.db import libpq_url

    conn = await asyncpg.connect(libpq_url(server_url), timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@dataclass
class BenchData:
    """Where the benchmark data lives, and the environment the trainforge CLI needs to reach it."""

    workdir: Path  # temporary: logs, and TRAINFORGE_HOME (the embedded pgdata) when embedded
    keep: bool
    server_url: str | None = None  # DATABASE_URL given by the user (admin connection)
    database: str | None = None  # scratch database name on that server
    database_url: str | None = None  # URL of the scratch database
    env: dict[str, str] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        return self.server_url is None

    @property
    def home(self) -> Path:
        return self.workdir / "home"

    @property
    def describe(self) -> str:
        if self.embedded:
            return f"embedded PostgreSQL under TRAINFORGE_HOME={self.home}"
        from sqlalchemy.engine import make_url

        return f"scratch database {self.database!r} on {make_url(self.server_url).render_as_string(hide_password=True)}"

    @classmethod
    def create(cls, keep: bool, database_url: str | None = None) -> BenchData:
        workdir = Path(tempfile.mkdtemp(prefix="tf_bench_"))
        data = cls(workdir=workdir, keep=keep)
        env = dict(os.environ)
        env.update(
            TRAINFORGE_SECRET=BENCH_SECRET,
            TRAINFORGE_HOME=str(data.home),
            TRAINFORGE_LOG_LEVEL="warning",
            PYTHONUNBUFFERED="1",
        )
        server_url = database_url if database_url is not None else os.environ.get("DATABASE_URL")
        if server_url:
            from sqlalchemy.engine import make_url

            from trainforge.db import asyncpg_url

            data.server_url = asyncpg_url(server_url)
            data.database = f"tf_bench_{uuid.uuid4().hex[:10]}"
            try:
                asyncio.run(_admin_sql(data.server_url, f'CREATE DATABASE "{data.database}"'))
            except BaseException:
                shutil.rmtree(workdir, ignore_errors=True)
                raise
            data.database_url = (
                make_url(data.server_url).set(database=data.database).render_as_string(hide_password=False)
            )
            env["DATABASE_URL"] = data.database_url
        else:
            env.pop("DATABASE_URL", None)
            env.pop("TRAINFORGE_DATABASE_URL", None)
        data.env = env
        return data

    def load_demo(self, programs: int, timeout: float) -> str:
        """Run `trainforge demo` in the benchmark shape; return the coach's bearer token."""
        cmd = [
            *trainforge_command(), "demo",
            "--programs", str(programs),
            "--mesocycles", str(MESOCYCLES), "--weeks", str(WEEKS), "--days", str(DAYS),
        ]  # fmt: skip
        err_path = self.workdir / "demo.stderr"
        with err_path.open("wb") as err:
            try:
                proc = subprocess.run(
                    cmd, env=self.env, cwd=REPO, stdout=subprocess.PIPE, stderr=err, timeout=timeout, check=False
                )
            except subprocess.TimeoutExpired:
                raise SystemExit(f"trainforge demo did not finish in {timeout:.0f} s\n{tail(err_path)}") from None
        out = proc.stdout.decode(errors="replace")
        if proc.returncode != 0:
            raise SystemExit(f"trainforge demo failed (exit {proc.returncode}):\n{out}\n{tail(err_path)}")
        match = re.search(r'"Authorization":\s*"Bearer ([^"\s]+)"', out)
        if match is None:
            raise SystemExit(f"no bearer token in the output of trainforge demo:\n{out}")
        return match.group(1)

    def postgres_backends(self) -> list[Any]:
        """The PostgreSQL backend processes connected to the benchmark database (psutil), by process title."""
        if psutil is None:
            return []
        if self.embedded:
            from trainforge.db import EMBEDDED_DATABASE

            try:
                postmaster = int((self.home / "pgdata" / "postmaster.pid").read_text().splitlines()[0])
                candidates = psutil.Process(postmaster).children()
            except (OSError, ValueError, IndexError, psutil.Error):
                return []
            needle = f" {EMBEDDED_DATABASE} "
        else:
            candidates = psutil.process_iter()
            needle = f" {self.database} "
        found = []
        for proc in candidates:
            try:
                title = " ".join(proc.cmdline())
            except psutil.Error:
                continue
            if title.startswith("postgres:") and needle in f"{title} ":
                found.append(proc)
        return found

    def cleanup(self) -> None:
        if self.embedded:
            self._stop_leftover_embedded()
            if self.keep:
                log(f"kept the embedded data: TRAINFORGE_HOME={self.home} TRAINFORGE_SECRET={BENCH_SECRET}")
                return
            shutil.rmtree(self.workdir, ignore_errors=True)
            return
        if self.keep:
            log(f"kept the scratch database: DATABASE_URL={self.database_url} TRAINFORGE_SECRET={BENCH_SECRET}")
        else:
            try:
                asyncio.run(_admin_sql(self.server_url, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            except Exception as exc:  # report, never hide the benchmark's own result
                log(f"warning: could not drop {self.database}: {exc}")
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _stop_leftover_embedded(self) -> None:
        """`serve` stops its embedded PostgreSQL on exit; if it was killed, stop the postmaster we caused."""
        pid_file = self.home / "pgdata" / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        if psutil is None or not psutil.pid_exists(pid):
            return
        try:
            proc = psutil.Process(pid)
            if str(self.home / "pgdata") not in " ".join(proc.cmdline()):
                return
            log(f"stopping the leftover embedded PostgreSQL (pid {pid})")
            proc.send_signal(signal.SIGINT)  # fast shutdown
            proc.wait(15)
        except (psutil.Error, OSError) as exc:
            log(f"warning: could not stop the embedded PostgreSQL (pid {pid}): {exc}")


# --------------------------------------------------------------------------- server process


class Server:
    """`trainforge serve` as a child process."""

    def __init__(self, data: BenchData, port: int) -> None:
        self.data = data
        self.port = port
        self.proc: subprocess.Popen | None = None
        self.stdout_path = data.workdir / "serve.stdout"
        self.stderr_path = data.workdir / "serve.stderr"

    def start(self, timeout: float) -> None:
        cmd = [*trainforge_command(), "serve", "--host", HOST, "--port", str(self.port), "--workers", "1",
               "--no-access-log"]  # fmt: skip
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            # Own process group: a Ctrl-C on the benchmark reaches the server only through stop().
            self.proc = subprocess.Popen(cmd, env=self.data.env, cwd=REPO, stdout=out, stderr=err,
                                         start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + timeout
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._fail(f"the server exited with code {self.proc.returncode} before it was healthy")
            try:
                status, _, _ = asyncio.run(http_once("GET", "/healthz", self.port, timeout=2))
                if status == 200:
                    return
                last_error = f"GET /healthz answered {status}"
            except (OSError, asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            time.sleep(0.2)
        self._fail(f"GET /healthz did not answer 200 within {timeout:.0f} s ({last_error})")

    def _fail(self, message: str) -> None:
        self.stop()
        raise SystemExit(f"{message}\n--- server stderr (tail) ---\n{tail(self.stderr_path)}")

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            log(f"server pid {self.proc.pid} ignored SIGINT for 15 s: SIGKILL")
            self.proc.kill()
            self.proc.wait(15)


# --------------------------------------------------------------------------- minimal HTTP/1.1 client


class HTTPConnection:
    """One keep-alive HTTP/1.1 connection on asyncio streams; just enough for this benchmark."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, raw_request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            await self.connect()
        assert self.reader is not None and self.writer is not None
        try:
            self.writer.write(raw_request)
            head = await self.reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head[:-4].split(b"\r\n")
            status = int(status_line.split(b" ", 2)[1])
            headers = {}
            for line in header_lines:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            if b"content-length" in headers:
                body = await self.reader.readexactly(int(headers[b"content-length"]))
            elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
                parts = []
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    if size == 0:
                        await self.reader.readuntil(b"\r\n")
                        break
                    parts.append(await self.reader.readexactly(size))
                    await self.reader.readexactly(2)
                body = b"".join(parts)
            else:
                body = await self.reader.read()
                self.close()
            if headers.get(b"connection", b"").lower() == b"close":
                self.close()
            return status, body
        except BaseException:
            self.close()  # a half-read response leaves the stream unusable
            raise


def build_request(method: str, path: str, port: int, body: bytes = b"", token: str | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Accept: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body or method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def http_once(method: str, path: str, port: int, body: bytes = b"", token: str | None = None,
                    timeout: float = 30) -> tuple[int, bytes, float]:  # fmt: skip
    conn = HTTPConnection(port)
    try:
        async with asyncio.timeout(timeout):
            t0 = time.perf_counter()
            status, data = await conn.send(build_request(method, path, port, body, token))
            return status, data, time.perf_counter() - t0
    finally:
        conn.close()


def graphql_body(query: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": query, "variables": variables}, separators=(",", ":")).encode()


async def graphql(port: int, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    status, body, _ = await http_once("POST", "/graphql", port, graphql_body(query, variables), token)
    if status != 200:
        raise SystemExit(f"POST /graphql answered {status}: {body[:500]!r}")
    return json.loads(body)


async def sql_statements_total(port: int) -> int:
    status, body, _ = await http_once("GET", "/metrics", port, timeout=10)
    if status != 200:
        raise SystemExit(f"GET /metrics answered {status}")
    match = re.search(rb"^trainforge_sql_statements_total (\d+)", body, re.MULTILINE)
    if match is None:
        raise SystemExit("trainforge_sql_statements_total is missing from /metrics")
    return int(match.group(1))


async def collect_program_ids(port: int, token: str, want: int) -> list[str]:
    ids: list[str] = []
    after = None
    for _ in range(math.ceil(want / 100) + 1):  # bounded: one page per 100 ids
        result = await graphql(port, token, PROGRAMS_PAGE_QUERY, {"after": after})
        if result.get("errors"):
            raise SystemExit(f"programs page failed: {result['errors']}")
        page = result["data"]["viewer"]["programs"]
        ids += [edge["node"]["id"] for edge in page["edges"]]
        if len(ids) >= want or not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return ids[:want]


def count_workouts(program: dict[str, Any]) -> int:
    return sum(
        len(micro["workouts"])
        for macro in program["macrocycles"]
        for meso in macro["mesocycles"]
        for micro in meso["microcycles"]
    )


def response_ok(status: int, body: bytes) -> bool:
    # Cheap check for every response (the first one is checked in full): strawberry puts
    # "errors" after "data", and an unreadable/unknown program comes back as null.
    return status == 200 and b'"errors":' not in body and not body.startswith(b'{"data":{"program":null')


# --------------------------------------------------------------------------- load phases


@dataclass
class PhaseResult:
    ok: int
    latencies: list[float]  # of the ok requests, when recorded
    errors: int
    elapsed: float
    statements: int
    cpu: dict[str, float]
    error_samples: list[str]

    @property
    def requests(self) -> int:
        return self.ok + self.errors


class CPUMeter:
    """CPU seconds used by the server process, this process, the PostgreSQL backends serving the
    benchmark database, and the whole machine (which includes anything else running on it)."""

    def __init__(self, server_pid: int | None, data: BenchData) -> None:
        self.server = psutil.Process(server_pid) if psutil is not None and server_pid else None
        self.me = psutil.Process() if psutil is not None else None
        self.data = data

    @staticmethod
    def _cpu(proc: Any) -> float | None:
        try:
            t = proc.cpu_times()
            return t.user + t.system
        except psutil.Error:
            return None

    def sample(self) -> dict[str, Any] | None:
        if psutil is None:
            return None
        machine = psutil.cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        backends = {}
        for proc in self.data.postgres_backends():
            cpu = self._cpu(proc)
            if cpu is not None:
                backends[proc.pid] = cpu
        return {
            "machine": busy,
            "server": (self._cpu(self.server) or 0.0) if self.server is not None else 0.0,
            "bench": self._cpu(self.me) or 0.0,
            "backends": backends,
        }

    @staticmethod
    def delta(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, float]:
        if before is None or after is None:
            return {}
        d = {k: after[k] - before[k] for k in ("machine", "server", "bench")}
        # Backends opened during the phase count from zero.
        d["postgres"] = sum(cpu - before["backends"].get(pid, 0.0) for pid, cpu in after["backends"].items())
        d["other"] = max(0.0, d["machine"] - d["server"] - d["bench"] - d["postgres"])
        return d


async def run_phase(port: int, requests: list[bytes], connections: list[HTTPConnection], seconds: float,
                    max_requests: int, server: Server, cpu: CPUMeter, record: bool) -> PhaseResult:  # fmt: skip
    """Every connection sends requests back to back until `seconds` pass (or `max_requests` are sent)."""
    latencies: list[float] = []
    ok = errors = sent = 0
    error_samples: list[str] = []
    n = len(requests)

    async def client(k: int, conn: HTTPConnection, stop_at: float) -> None:
        nonlocal ok, errors, sent
        i = (k * n) // max(1, len(connections))  # clients start at different programs
        while time.perf_counter() < stop_at and sent < max_requests:
            sent += 1
            raw = requests[i % n]
            i += 1
            t0 = time.perf_counter()
            try:
                async with asyncio.timeout(30):
                    status, body = await conn.send(raw)
            except (OSError, asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                errors += 1
                if len(error_samples) < 5:
                    error_samples.append(f"{type(exc).__name__}: {exc}")
                if not server.alive():
                    return
                await asyncio.sleep(0.05)  # bounded by the deadline; reconnects on next send
                continue
            dt = time.perf_counter() - t0
            if response_ok(status, body):
                ok += 1
                if record:
                    latencies.append(dt)
            else:
                errors += 1
                if len(error_samples) < 5:
                    error_samples.append(f"HTTP {status}: {body[:300]!r}")

    before_sql = await sql_statements_total(port)
    cpu_before = cpu.sample()
    start = time.perf_counter()
    stop_at = start + seconds
    tasks = [asyncio.create_task(client(k, c, stop_at)) for k, c in enumerate(connections)]
    done, pending = await asyncio.wait(tasks, timeout=seconds + 60)
    for task in pending:  # only if a request hangs past its own 30 s timeout: never expected
        task.cancel()
    elapsed = time.perf_counter() - start
    cpu_after = cpu.sample()
    for task in done:
        if task.exception() is not None:
            raise task.exception()
    if not server.alive():
        raise SystemExit("the server died during the load phase")
    after_sql = await sql_statements_total(port)
    return PhaseResult(ok, latencies, errors, elapsed, after_sql - before_sql, CPUMeter.delta(cpu_before, cpu_after),
                       error_samples)  # fmt: skip


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


async def benchmark(args: argparse.Namespace, data: BenchData, server: Server, token: str) -> dict[str, Any]:
    port = server.port
    want_ids = min(args.programs, args.ids)
    ids = await collect_program_ids(port, token, want_ids)
    if not ids:
        raise SystemExit("the coach sees no programs: the demo data did not load")
    log(f"program ids: {len(ids)} collected through viewer.programs (cycled through, one per request)")

    # 1. One response checked in full.
    status, body, first_latency = await http_once(
        "POST", "/graphql", port, graphql_body(NESTED_QUERY, {"id": ids[0]}), token
    )
    if status != 200:
        raise SystemExit(f"nested query answered HTTP {status}: {body[:500]!r}")
    result = json.loads(body)
    if result.get("errors"):
        raise SystemExit(f"nested query returned errors: {result['errors']}")
    program = result["data"]["program"]
    if program is None:
        raise SystemExit(f"program {ids[0]} came back null")
    workouts = count_workouts(program)
    if workouts != EXPECTED_WORKOUTS:
        raise SystemExit(f"expected {EXPECTED_WORKOUTS} workouts in a program, got {workouts}")
    size_kb = len(body) / 1024
    log(f"first response: OK, {workouts} workouts, {size_kb:.1f} KB of JSON, {first_latency * 1000:.1f} ms (cold)")

    raw_requests = [build_request("POST", "/graphql", port, graphql_body(NESTED_QUERY, {"id": i}), token) for i in ids]
    cpu = CPUMeter(server.pid, data)

    # 2. Sequential latency on one keep-alive connection.
    seq = HTTPConnection(port)
    try:
        for k in range(10):  # unmeasured: connection, pool, caches
            status, body = await seq.send(raw_requests[k % len(raw_requests)])
            if not response_ok(status, body):
                raise SystemExit(f"sequential warm-up failed: HTTP {status} {body[:300]!r}")
        before_sql = await sql_statements_total(port)
        single: list[float] = []
        for k in range(50):
            t0 = time.perf_counter()
            async with asyncio.timeout(30):
                status, body = await seq.send(raw_requests[(10 + k) % len(raw_requests)])
            single.append(time.perf_counter() - t0)
            if not response_ok(status, body):
                raise SystemExit(f"sequential request failed: HTTP {status} {body[:300]!r}")
        seq_statements = (await sql_statements_total(port)) - before_sql
    finally:
        seq.close()
    single_ms = statistics.median(single) * 1000
    log(f"single request: median {single_ms:.2f} ms over 50 sequential requests "
        f"(min {min(single) * 1000:.2f}, max {max(single) * 1000:.2f}); "
        f"{seq_statements / 50:.2f} SQL statements/request")  # fmt: skip

    # 3. Concurrent load: warm-up, then the measured phase, on the same connections.
    connections = [HTTPConnection(port) for _ in range(args.clients)]
    try:
        for c in connections:
            await c.connect()
        log(f"warm-up: {args.clients} clients for {args.warmup:g} s ...")
        warm = await run_phase(port, raw_requests, connections, args.warmup, args.max_requests, server, cpu, False)
        if warm.errors:
            log(f"  warm-up errors: {warm.errors} e.g. {warm.error_samples[:2]}")
        log(f"measuring: {args.clients} clients for {args.duration:g} s ...")
        measured = await run_phase(port, raw_requests, connections, args.duration, args.max_requests, server, cpu,
                                   True)  # fmt: skip
    finally:
        for c in connections:
            c.close()

    lat = sorted(measured.latencies)
    ok = len(lat)
    rps = ok / measured.elapsed if measured.elapsed > 0 else 0.0
    cpu_split = measured.cpu
    return {
        "programs": args.programs,
        "program_ids": len(ids),
        "clients": args.clients,
        "duration_s": round(measured.elapsed, 3),
        "requests": measured.requests,
        "ok": ok,
        "errors": measured.errors,
        "error_samples": measured.error_samples,
        "rps": round(rps, 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 2),
        "p90_ms": round(percentile(lat, 90) * 1000, 2),
        "p99_ms": round(percentile(lat, 99) * 1000, 2),
        "max_ms": round(lat[-1] * 1000, 2) if lat else None,
        "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else None,
        "single_request_ms": round(single_ms, 2),
        "sql_statements_per_request": round(measured.statements / measured.requests, 2) if measured.requests else None,
        "sql_statements_per_request_sequential": round(seq_statements / 50, 2),
        "response_kb": round(size_kb, 1),
        "warmup_requests": warm.requests,
        "cpu_seconds": {k: round(v, 2) for k, v in cpu_split.items()},
        "server_cpu_ms_per_request": round(cpu_split["server"] / ok * 1000, 2) if cpu_split and ok else None,
        "bench_cpu_ms_per_request": round(cpu_split["bench"] / ok * 1000, 2) if cpu_split and ok else None,
        "postgres_cpu_ms_per_request": round(cpu_split["postgres"] / ok * 1000, 2) if cpu_split and ok else None,
    }


def print_summary(r: dict[str, Any], args: argparse.Namespace, data: BenchData, setup: dict[str, float]) -> None:
    cores = os.cpu_count() or 0
    rows = [
        ("database", data.describe),
        ("programs loaded", f"{r['programs']} (x 4 mesocycles x 4 weeks x 5 workouts; load {setup['demo_s']:.1f} s)"),
        ("response size", f"{r['response_kb']:.1f} KB JSON, {EXPECTED_WORKOUTS} workouts"),
        ("single request", f"{r['single_request_ms']:.2f} ms (median of 50 sequential requests, one connection)"),
        ("clients", f"{r['clients']} keep-alive connections, {r['program_ids']} distinct program ids"),
        ("measured", f"{r['duration_s']:.1f} s after {args.warmup:g} s warm-up ({r['warmup_requests']} requests)"),
        ("requests", f"{r['requests']} ({r['ok']} ok, {r['errors']} errors)"),
        ("throughput", f"{r['rps']:.1f} requests/s"),
        ("latency ms", f"p50 {r['p50_ms']:.2f} | p90 {r['p90_ms']:.2f} | p99 {r['p99_ms']:.2f} | "
                       f"max {r['max_ms']:.2f} | mean {r['mean_ms']:.2f}"),
        ("SQL statements", f"{r['sql_statements_per_request']:.2f} per request under load "
                           f"({r['sql_statements_per_request_sequential']:.2f} sequential)"),
    ]  # fmt: skip
    cpu = r["cpu_seconds"]
    if cpu:
        wall = r["duration_s"]
        rows.append((
            "CPU (cores busy)",
            f"server {cpu['server'] / wall:.2f} | load generator {cpu['bench'] / wall:.2f} | "
            f"PostgreSQL backends {cpu['postgres'] / wall:.2f} | kernel+other processes {cpu['other'] / wall:.2f} | "
            f"machine {cpu['machine'] / wall:.2f} of {cores}",
        ))  # fmt: skip
        rows.append((
            "CPU per request",
            f"server {r['server_cpu_ms_per_request']:.2f} ms | PostgreSQL {r['postgres_cpu_ms_per_request']:.2f} ms | "
            f"load generator {r['bench_cpu_ms_per_request']:.2f} ms",
        ))  # fmt: skip
    width = max(len(k) for k, _ in rows)
    log("")
    log("=" * 78)
    log("nested program query benchmark")
    log("=" * 78)
    for k, v in rows:
        log(f"{k:<{width}}  {v}")
    if r["error_samples"]:
        log(f"{'error samples':<{width}}  {r['error_samples']}")
    log("-" * 78)
    log("note: the load generator (a raw asyncio HTTP/1.1 client, not httpx, to keep its CPU cost low) runs")
    log(f"      on the same {cores} cores as the server and PostgreSQL; with --workers 1 the server itself")
    log("      can use at most one core. Compare runs on the same machine only.")
    log("=" * 78)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--programs", type=int, default=1000, help="programs to load (default 1000)")
    p.add_argument("--clients", type=int, default=10, help="concurrent keep-alive clients (default 10)")
    p.add_argument("--duration", type=float, default=20.0, help="measured seconds (default 20)")
    p.add_argument("--warmup", type=float, default=3.0, help="unmeasured warm-up seconds (default 3)")
    p.add_argument("--port", type=int, default=None, help="server port (default: a free one)")
    p.add_argument("--keep-db", action="store_true", help="keep the scratch database / embedded data directory")
    p.add_argument("--ids", type=int, default=300, help="distinct program ids to cycle through (default 300)")
    p.add_argument("--max-requests", type=int, default=1_000_000, help="cap on requests per load phase")
    p.add_argument("--startup-timeout", type=float, default=90.0, help="seconds to wait for /healthz (default 90)")
    args = p.parse_args(argv)
    if args.programs < 1 or args.clients < 1 or args.duration <= 0 or args.warmup < 0 or args.ids < 1:
        p.error("--programs, --clients, --ids must be >= 1, --duration > 0, --warmup >= 0")
    return args


def event_loop_runner() -> tuple[Any, str]:
    try:
        import uvloop

        return uvloop.run, "uvloop"
    except ImportError:
        return asyncio.run, "asyncio"


@contextlib.contextmanager
def interrupt_as_exit() -> Iterator[None]:
    """SIGTERM behaves like Ctrl-C, so the finally blocks stop the server and drop the database."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(REPO))  # `import trainforge` even without an installed package
    run, loop_name = event_loop_runner()
    with interrupt_as_exit():
        data = BenchData.create(args.keep_db)
        try:
            log(f"database: {data.describe}")
            log(f"loading demo data: {args.programs} programs x {MESOCYCLES} mesocycles x {WEEKS} weeks x {DAYS} days ...")
            t0 = time.perf_counter()
            token = data.load_demo(args.programs, timeout=max(300.0, args.programs * 0.5))
            setup = {"demo_s": time.perf_counter() - t0}
            log(f"  loaded in {setup['demo_s']:.1f} s")
            server = Server(data, args.port or free_port())
            try:
                t0 = time.perf_counter()
                server.start(args.startup_timeout)
                setup["server_start_s"] = time.perf_counter() - t0
                log(f"server: pid {server.pid} on http://{HOST}:{server.port}/graphql, healthy after "
                    f"{setup['server_start_s']:.1f} s; load generator on {loop_name}")  # fmt: skip
                result = run(benchmark(args, data, server, token))
            finally:
                server.stop()
                if server.proc is not None and server.proc.returncode not in (0, None, -signal.SIGINT):
                    log(f"server exit code {server.proc.returncode}; stderr tail:\n{tail(server.stderr_path, 15)}")
        finally:
            data.cleanup()
    result["database"] = "embedded" if data.embedded else "server"
    print_summary(result, args, data, setup)
    log("RESULT " + json.dumps(result, separators=(",", ":")))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
