"""Durability of acknowledged live writes: SIGKILL the server (and its embedded PostgreSQL), restart, every set is there."""

from __future__ import annotations

import os
import signal
import uuid
from datetime import date

import httpx

from test_serve import _free_port, _is_running, _postmaster_pid, _stop, _wait, _wait_healthy, home, serve  # noqa: F401

SETS = 60


def _call(url: str, query: str, variables: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=10)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    payload = next(iter(body["data"].values()))
    assert not payload.get("errors"), payload
    return payload


def test_acknowledged_sets_survive_kill_9_of_server_and_database(serve, home):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    first = serve(port)
    _wait_healthy(first, url)
    token = _call(url, "mutation ($input: SignUpInput!) { signUp(input: $input) { token errors { message } } }",
                  {"input": {"email": "lifter@example.com", "password": "long enough", "displayName": "L"}})["token"]
    version = _call(url, "mutation ($input: RoutineInput!) { createRoutine(input: $input) { routine { latestVersion "
                    "{ id } } errors { message } } }", {"input": {"name": "Legs", "type": "STRENGTH", "sections": [
                        {"name": "Main", "exercises": [{"exercise": "Barbell Squat", "sets": 5, "reps": 5}]}]}},
                    token)["routine"]["latestVersion"]["id"]
    weekday = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"][date.today().weekday()]
    session_id = _call(url, "mutation ($input: AssignRoutineInput!) { assignRoutine(input: $input) { sessions { id } "
                       "errors { message } } }", {"input": {"versionId": version, "startDate": date.today().isoformat(),
                                                            "endDate": date.today().isoformat(), "weekdays": [weekday]}},
                       token)["sessions"][0]["id"]
    _call(url, "mutation ($id: ID!) { startWorkout(sessionId: $id, device: \"phone\") { errors { message } } }",
          {"id": session_id}, token)
    acknowledged = set()
    for reps in range(SETS):
        written = _call(url, "mutation ($input: LogSetInput!) { logSet(input: $input) { set { id } errors { message } } }",
                        {"input": {"clientId": str(uuid.uuid4()), "sessionId": session_id, "device": "phone",
                                   "position": 0, "reps": reps % 20}}, token)
        acknowledged.add(written["set"]["id"])

    # The server and its PostgreSQL die at once, as in a power cut of the process tree.
    postmaster = _postmaster_pid(home / "pgdata")
    first.kill()
    first.wait(timeout=10)
    os.kill(postmaster, signal.SIGKILL)
    _wait(lambda: not _is_running(postmaster), 10, "the killed postmaster gone")

    second = serve(port)
    _wait_healthy(second, url)
    progress = _call(url, "mutation ($id: ID!) { resumeWorkout(sessionId: $id) { progress { version sets { id } } "
                     "errors { message } } }", {"id": session_id}, token)["progress"]
    assert {s["id"] for s in progress["sets"]} == acknowledged
    assert progress["version"] == 1 + SETS
    _stop(second, signal.SIGTERM)
