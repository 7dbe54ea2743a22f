"""`trainforge serve` as a newcomer runs it: embedded PostgreSQL, real HTTP, Ctrl-C, restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

TRAINFORGE = Path(sys.executable).parent / "trainforge"
SIGN_UP = """mutation { signUp(input: {email: "first@example.com", password: "first-password", displayName: "First"}) {
  token errors { message } } }"""
LOG_IN = """mutation { logIn(input: {email: "first@example.com", password: "first-password"}) { token errors { message } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(home: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(TRAINFORGE_HOME=str(home), TRAINFORGE_ARGON2_MEMORY_KIB="1024", TRAINFORGE_ARGON2_TIME_COST="1")
    env.pop("TRAINFORGE_SECRET", None)  # exercise the secret generated under TRAINFORGE_HOME
    return subprocess.Popen(
        [str(TRAINFORGE), "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_healthy(proc: subprocess.Popen, url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early:\n{proc.stdout.read()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).json() == {"status": "ok", "database": "reachable"}:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise AssertionError(f"server not healthy in {timeout}s:\n{proc.stdout.read()}")


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 0, out
    return out


def _graphql(url: str, query: str) -> dict:
    response = httpx.post(f"{url}/graphql", json={"query": query}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_serve_on_embedded_postgres_keeps_data_across_restarts(tmp_path):
    home, port = tmp_path / "home", _free_port()
    url = f"http://127.0.0.1:{port}"

    proc = _start(home, port)
    try:
        _wait_healthy(proc, url)
        assert _graphql(url, SIGN_UP)["signUp"]["errors"] == []
        graphiql = httpx.get(f"{url}/graphql", headers={"Accept": "text/html"}, timeout=5)
        assert graphiql.status_code == 200 and "graphiql" in graphiql.text.lower()
    finally:
        _stop(proc)
    # Ctrl-C stopped the embedded server too.
    assert not (home / "pgdata" / "postmaster.pid").exists()

    proc = _start(home, port)
    try:
        _wait_healthy(proc, url)
        token = _graphql(url, LOG_IN)["logIn"]["token"]
        viewer = httpx.post(
            f"{url}/graphql",
            json={"query": "{ viewer { email } }"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()
        assert viewer == {"data": {"viewer": {"email": "first@example.com"}}}
    finally:
        _stop(proc)
    assert (home / "secret").stat().st_mode & 0o777 == 0o600
