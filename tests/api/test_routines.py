"""Routines with immutable versions, assignments that schedule sessions, and replacing them without losing history."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from trainforge.models import Role

ROUTINE_FIELDS = """
id owner { id }
latestVersion { id version name type objective sections { name notes exercises { exercise sets reps rpe loadKg }
  steps { type durationSeconds distanceMeters target { kind zone low high } } } }
versions { id version name }
"""
CREATE = f"""
mutation ($input: RoutineInput!) {{
  createRoutine(input: $input) {{ routine {{ {ROUTINE_FIELDS} }} errors {{ __typename message field }} }}
}}
"""
UPDATE = f"""
mutation ($id: ID!, $input: RoutineInput!) {{
  updateRoutine(routineId: $id, input: $input) {{ routine {{ {ROUTINE_FIELDS} }} errors {{ __typename message field }} }}
}}
"""
SESSION = "id date time status kind source workoutSnapshot { name sections { exercises { exercise sets } } } " \
          "routineVersion { version } assignment { id }"
ASSIGN = f"""
mutation ($input: AssignRoutineInput!) {{
  assignRoutine(input: $input) {{
    assignment {{ id status startDate endDate weekdays times athlete {{ id }} assignedBy {{ id }} version {{ version }}
                 sessions(first: 100) {{ totalCount edges {{ node {{ id date }} }} }} }}
    sessions {{ {SESSION} }}
    errors {{ __typename message field }}
  }}
}}
"""
REPLACE = f"""
mutation ($input: ReplaceAssignmentInput!) {{
  replaceAssignment(input: $input) {{
    assignment {{ id status version {{ version }} }}
    replaced {{ id status replacedBy {{ id }} }}
    removedSessionIds
    addedSessions {{ {SESSION} }}
    errors {{ __typename message field }}
  }}
}}
"""
ASSIGNMENT_SESSIONS = f"""
query ($id: ID!) {{ assignment(id: $id) {{ sessions(first: 100) {{ edges {{ node {{ {SESSION} }} }} }} }} }}
"""


def routine_input(name: str = "Upper body", sets: int = 4) -> dict:
    return {
        "name": name, "type": "STRENGTH", "objective": "Pressing strength",
        "sections": [
            {"name": "Main", "exercises": [
                {"exercise": "Barbell Bench Press - Medium Grip", "sets": sets, "reps": 5, "rpe": 8.0},
                {"exercise": "Pullups", "sets": 3, "reps": 8},
            ]},
            {"name": "Finisher", "steps": [
                {"type": "INTERVAL", "durationSeconds": 60, "target": {"kind": "HR_ZONE", "zone": 4}},
                {"type": "RECOVERY", "distanceMeters": 200.0, "target": {"kind": "HR_RANGE", "low": 110, "high": 130}},
            ]},
        ],
    }


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@pytest.fixture
async def coach_and_athlete(make_user, link):  # noqa: ANN001, ANN201
    coach, athlete = await make_user(Role.COACH), await make_user(Role.ATHLETE)
    await link(coach, athlete)
    return coach, athlete


async def _routine(gql, owner, **kw) -> dict:  # noqa: ANN001
    body = await gql(CREATE, {"input": routine_input(**kw)}, as_=owner)
    payload = body["data"]["createRoutine"]
    assert payload["errors"] == [], payload
    return payload["routine"]


async def _assign(gql, coach, athlete, version_id, **schedule) -> dict:  # noqa: ANN001
    start = schedule.pop("startDate", date.today().isoformat())
    body = await gql(ASSIGN, {"input": {"versionId": version_id, "athleteId": str(athlete.id), "startDate": start,
                                        "weekdays": ["MONDAY", "THURSDAY"], **schedule}}, as_=coach)
    assert "errors" not in body, body
    return body["data"]["assignRoutine"]


async def test_editing_a_routine_adds_a_version_and_changes_no_session(gql, coach_and_athlete):
    coach, athlete = coach_and_athlete
    routine = await _routine(gql, coach)
    v1 = routine["latestVersion"]
    assert v1["version"] == 1 and v1["type"] == "STRENGTH"
    assert v1["sections"][1]["steps"][0]["target"] == {"kind": "HR_ZONE", "zone": 4, "low": None, "high": None}
    assigned = await _assign(gql, coach, athlete, v1["id"], endDate=(date.today() + timedelta(days=13)).isoformat())
    assert assigned["errors"] == []
    before = assigned["sessions"]
    assert len(before) == 4 and {s["status"] for s in before} == {"SCHEDULED"}

    edited = await gql(UPDATE, {"id": routine["id"], "input": routine_input("Upper body v2", sets=6)}, as_=coach)
    routine = edited["data"]["updateRoutine"]["routine"]
    assert [v["version"] for v in routine["versions"]] == [2, 1]
    assert routine["latestVersion"]["sections"][0]["exercises"][0]["sets"] == 6
    assert routine["versions"][1]["name"] == "Upper body"  # version 1 unchanged
    after = await gql(ASSIGNMENT_SESSIONS, {"id": assigned["assignment"]["id"]}, as_=athlete)
    snapshots = [e["node"]["workoutSnapshot"] for e in after["data"]["assignment"]["sessions"]["edges"]]
    assert snapshots == [s["workoutSnapshot"] for s in before]
    assert {s["sections"][0]["exercises"][0]["sets"] for s in snapshots} == {4}


async def test_an_assignment_schedules_its_weekdays_in_one_transaction(gql, coach_and_athlete):
    coach, athlete = coach_and_athlete
    routine = await _routine(gql, coach)
    monday = next_weekday(date.today(), 0)
    end = monday + timedelta(days=20)
    assigned = await _assign(gql, coach, athlete, routine["latestVersion"]["id"], startDate=monday.isoformat(),
                             endDate=end.isoformat(), times=["07:00:00", "18:30:00"])
    assert assigned["errors"] == []
    dates = [s["date"] for s in assigned["sessions"]]
    expected = [monday + timedelta(days=d) for d in (0, 3, 7, 10, 14, 17)]
    assert dates == [d.isoformat() for d in expected]
    assert [s["time"] for s in assigned["sessions"][:2]] == ["07:00:00", "18:30:00"]
    assignment = assigned["assignment"]
    assert assignment["weekdays"] == ["MONDAY", "THURSDAY"] and assignment["times"] == ["07:00:00", "18:30:00"]
    assert assignment["sessions"]["totalCount"] == 6
    assert assignment["assignedBy"] == {"id": str(coach.id)} and assignment["athlete"] == {"id": str(athlete.id)}
    first = assigned["sessions"][0]
    assert first["source"] == "ROUTINE_ASSIGNMENT" and first["kind"] == "STRENGTH"
    assert first["routineVersion"] == {"version": 1} and first["assignment"] == {"id": assignment["id"]}


async def test_replacing_keeps_history_and_removes_only_future_scheduled_sessions(gql, engine, coach_and_athlete):
    coach, athlete = coach_and_athlete
    routine = await _routine(gql, coach)
    today = date.today()
    start = today - timedelta(days=14)
    assigned = await _assign(gql, coach, athlete, routine["latestVersion"]["id"], startDate=start.isoformat(),
                             endDate=(today + timedelta(days=27)).isoformat(),
                             weekdays=["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"])
    sessions = assigned["sessions"]
    by_date = {date.fromisoformat(s["date"]): s["id"] for s in sessions}
    # History in every state: past ones done, skipped, cancelled, one still scheduled in the past;
    # today's in progress; future ones done early, skipped, cancelled, and the rest still scheduled.
    states = {
        today - timedelta(days=10): ("completed", True), today - timedelta(days=9): ("skipped", False),
        today - timedelta(days=8): ("cancelled", False), today: ("in_progress", False),
        today + timedelta(days=1): ("completed", True), today + timedelta(days=2): ("skipped", False),
        today + timedelta(days=3): ("cancelled", False),
    }
    async with engine.begin() as conn:
        for day, (status, log) in states.items():
            await conn.execute(text(
                "UPDATE training_sessions SET status = :s, performance_log = "
                + ("'{\"exercises\": []}'::jsonb" if log else "NULL") + " WHERE id = :id"
            ), {"s": status, "id": by_date[day]})
    future_scheduled = {i for d, i in by_date.items() if d >= today and d not in states}
    kept = {i for d, i in by_date.items() if i not in future_scheduled}

    v2 = await gql(UPDATE, {"id": routine["id"], "input": routine_input("v2", sets=5)}, as_=coach)
    v2_id = v2["data"]["updateRoutine"]["routine"]["latestVersion"]["id"]
    body = await gql(REPLACE, {"input": {"assignmentId": assigned["assignment"]["id"], "versionId": v2_id}}, as_=coach)
    payload = body["data"]["replaceAssignment"]
    assert payload["errors"] == []
    assert set(payload["removedSessionIds"]) == future_scheduled
    assert payload["replaced"] == {"id": assigned["assignment"]["id"], "status": "REPLACED",
                                   "replacedBy": {"id": payload["assignment"]["id"]}}
    assert payload["assignment"]["version"] == {"version": 2}
    added = payload["addedSessions"]
    assert {s["routineVersion"]["version"] for s in added} == {2}
    assert min(s["date"] for s in added) >= today.isoformat()
    old_sessions = await gql(ASSIGNMENT_SESSIONS, {"id": assigned["assignment"]["id"]}, as_=athlete)
    assert {e["node"]["id"] for e in old_sessions["data"]["assignment"]["sessions"]["edges"]} == kept
    # A replaced assignment cannot be replaced again.
    again = await gql(REPLACE, {"input": {"assignmentId": assigned["assignment"]["id"], "versionId": v2_id}}, as_=coach)
    assert again["data"]["replaceAssignment"]["errors"][0]["__typename"] == "ConflictError"


async def test_another_coach_sees_nothing_and_cannot_assign_or_replace(gql, make_user, coach_and_athlete):
    coach, athlete = coach_and_athlete
    other_coach = await make_user(Role.COACH)
    routine = await _routine(gql, coach)
    own = await _routine(gql, other_coach)
    assigned = await _assign(gql, coach, athlete, routine["latestVersion"]["id"])
    assignment_id = assigned["assignment"]["id"]

    # Reads: like ids that do not exist.
    body = await gql("query ($r: ID!, $a: ID!) { routine(id: $r) { id } assignment(id: $a) { id } "
                     "assignments { totalCount } }", {"r": routine["id"], "a": assignment_id}, as_=other_coach)
    assert body["data"] == {"routine": None, "assignment": None, "assignments": {"totalCount": 0}}
    # Assigning to an athlete not linked to them, or someone else's version: not found, nothing written.
    not_linked = await _assign(gql, other_coach, athlete, own["latestVersion"]["id"])
    assert not_linked["errors"] == [{"__typename": "NotFoundError", "message": "no such athlete", "field": "input.athleteId"}]
    not_theirs = await _assign(gql, other_coach, athlete, routine["latestVersion"]["id"])
    assert not_theirs["errors"][0]["field"] == "input.versionId"
    replaced = await gql(REPLACE, {"input": {"assignmentId": assignment_id, "versionId": own["latestVersion"]["id"]}},
                         as_=other_coach)
    assert replaced["data"]["replaceAssignment"]["errors"][0]["__typename"] == "NotFoundError"
    # Editing someone else's routine.
    edited = await gql(UPDATE, {"id": routine["id"], "input": routine_input()}, as_=other_coach)
    assert edited["data"]["updateRoutine"]["errors"][0]["__typename"] == "NotFoundError"
    # The athlete reads the routine they were assigned, and their assignment.
    body = await gql("query ($r: ID!, $a: ID!) { routine(id: $r) { id } assignment(id: $a) { id } }",
                     {"r": routine["id"], "a": assignment_id}, as_=athlete)
    assert body["data"] == {"routine": {"id": routine["id"]}, "assignment": {"id": assignment_id}}


@pytest.mark.parametrize("change, field", [
    ({"versionId": str(uuid.uuid4())}, "input.versionId"),
    ({"weekdays": []}, "input.weekdays"),
    ({"weekdays": ["MONDAY", "MONDAY"]}, "input.weekdays"),
    ({"endDate": (date.today() - timedelta(days=1)).isoformat()}, "input.endDate"),
    ({"endDate": (date.today() + timedelta(days=400)).isoformat()}, "input.endDate"),
    ({"times": ["07:00:00", "08:00:00", "09:00:00"]}, "input.times"),
])
async def test_bad_assignments_are_typed_errors_and_write_nothing(gql, engine, coach_and_athlete, change, field):
    coach, athlete = coach_and_athlete
    routine = await _routine(gql, coach)
    body = await gql(ASSIGN, {"input": {"versionId": routine["latestVersion"]["id"], "athleteId": str(athlete.id),
                                        "startDate": date.today().isoformat(), "weekdays": ["MONDAY"], **change}},
                     as_=coach)
    payload = body["data"]["assignRoutine"]
    assert payload["assignment"] is None and payload["sessions"] == []
    assert field in [e["field"] for e in payload["errors"]]
    async with engine.connect() as conn:
        counts = (await conn.execute(text(
            "SELECT (SELECT count(*) FROM routine_assignments), (SELECT count(*) FROM training_sessions)"))).one()
    assert tuple(counts) == (0, 0)


@pytest.mark.parametrize("change, field", [
    ({"name": " "}, "input.name"),
    ({"sections": []}, "input.sections"),
    ({"sections": [{"name": "Empty"}]}, "input.sections.0"),
    ({"sections": [{"name": "Main", "exercises": [{"exercise": "Bench Pres", "sets": 3, "reps": 5}]}]},
     "input.sections.0.exercises.0.exercise"),
    ({"sections": [{"name": "Main", "exercises": [{"exercise": "Pullups", "sets": 0, "reps": 5}]}]},
     "input.sections.0.exercises.0.sets"),
    ({"sections": [{"name": "Run", "steps": [{"type": "INTERVAL", "durationSeconds": 60,
                                             "target": {"kind": "HR_RANGE", "low": 150, "high": 140}}]}]},
     "input.sections.0.steps.0.target.high"),
])
async def test_bad_routines_are_typed_errors_and_write_nothing(gql, engine, make_user, change, field):
    coach = await make_user(Role.COACH)
    body = await gql(CREATE, {"input": {**routine_input(), **change}}, as_=coach)
    payload = body["data"]["createRoutine"]
    assert payload["routine"] is None
    assert field in [e["field"] for e in payload["errors"]], payload["errors"]
    assert all(e["__typename"] == "ValidationError" for e in payload["errors"])
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM routines")) == 0


ROUTINE_READ = """
query ($id: ID!) {
  routine(id: $id) {
    __typename id createdAt updatedAt owner { id displayName }
    versions { __typename id version name type objective createdAt routine { id }
      sections { __typename name notes exercises { exercise sets reps durationSeconds loadKg percentOneRm rpe
        restSeconds tempo notes } steps { type durationSeconds distanceMeters notes target { kind zone low high } } } }
  }
}
"""
ASSIGNMENT_READ = """
query ($id: ID!) {
  assignment(id: $id) {
    id startDate endDate status createdAt weekdays times athlete { id } assignedBy { id }
    routine { id latestVersion { version } } version { version name sections { name } } replacedBy { id }
  }
}
"""


@pytest.mark.parametrize("query, statements", [(ROUTINE_READ, 1), (ASSIGNMENT_READ, 4)])
async def test_routine_and_assignment_reads_compile_with_the_resolvers_answer(
    gql, client, make_client, coach_and_athlete, count_statements, query, statements
):
    """EXPECTS 1 for routine(id) with its versions and their sections; 4 for assignment(id), whose
    weekdays, times and routine.latestVersion are computed in Python (the statement, the assignment row,
    the routine row, the routine's versions)."""
    coach, athlete = coach_and_athlete
    routine = await _routine(gql, coach)
    await gql(UPDATE, {"id": routine["id"], "input": routine_input("v2", sets=6)}, as_=coach)
    assigned = await _assign(gql, coach, athlete, routine["versions"][0]["id"], times=["06:00:00", "19:15:30"])
    target = routine["id"] if query is ROUTINE_READ else assigned["assignment"]["id"]
    resolvers = await make_client(compiled_reads=False)
    for person in (coach, athlete):
        request = {"query": query, "variables": {"id": target}}
        with count_statements() as n:
            compiled = await client.post("/graphql", json=request, headers=person.headers)
        assert n.value == statements
        assert "errors" not in compiled.json() and next(iter(compiled.json()["data"].values())) is not None
        loaded = await resolvers.post("/graphql", json=request, headers=person.headers)
        assert compiled.content == loaded.content
