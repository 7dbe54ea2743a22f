"""Training sessions of program workouts: the status flow, scheduling, completing with a log, access."""

from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from trainforge.models import Role
from trainforge.models.training import SessionStatus

# The status flow as the design states it (DESIGN.md), written out independently of the code's table.
ALLOWED = {
    (SessionStatus.DRAFT, SessionStatus.SCHEDULED),
    (SessionStatus.SCHEDULED, SessionStatus.IN_PROGRESS),
    (SessionStatus.SCHEDULED, SessionStatus.SKIPPED),
    (SessionStatus.SCHEDULED, SessionStatus.CANCELLED),
    (SessionStatus.IN_PROGRESS, SessionStatus.COMPLETED),
    (SessionStatus.IN_PROGRESS, SessionStatus.CANCELLED),
}
# Every status a mutation moves a session to (nothing moves one back to DRAFT).
TARGETS = [status for status in SessionStatus if status is not SessionStatus.DRAFT]

SESSION = """
fragment S on TrainingSession {
  id status kind source date time startedAt completedAt durationSeconds notes
  workoutSnapshot { name durationMinutes notes sections { name notes exercises { exercise sets reps rpe } steps { type } } }
  performanceLog { notes exercises { exercise notes sets { reps loadKg rpe completed durationSeconds distanceMeters } } }
  athlete { id } workout { id status } routine { id } routineVersion { id } assignment { id }
}
"""
PAYLOAD = "{ session { ...S } errors { __typename message field ... on StatusTransitionError { currentStatus } } }"
SCHEDULE = SESSION + f"mutation ($input: ScheduleWorkoutInput!) {{ scheduleWorkout(input: $input) {PAYLOAD} }}"
MOVE = {
    SessionStatus.SCHEDULED: "scheduleSession(sessionId: $id)",
    SessionStatus.IN_PROGRESS: "startSession(sessionId: $id)",
    SessionStatus.SKIPPED: "skipSession(sessionId: $id, notes: \"sick\")",
    SessionStatus.CANCELLED: "cancelSession(sessionId: $id)",
}
COMPLETE = SESSION + f"mutation ($input: CompleteSessionInput!) {{ completeSession(input: $input) {PAYLOAD} }}"
LOG = {
    "notes": "felt strong",
    "exercises": [
        {"exercise": "Back Squat", "sets": [{"reps": 5, "loadKg": 100.0, "rpe": 8.0}, {"reps": 5, "loadKg": 102.5}]},
        {"exercise": "Plank", "sets": [{"durationSeconds": 45}], "notes": "easy"},
    ],
}
GET = SESSION + "query ($id: ID!) { session(id: $id) { ...S } }"
WORKOUTS = """
query ($id: ID!) { program(id: $id) { macrocycles { mesocycles { microcycles { workouts {
  id name status session { id status workoutSnapshot { name } }
} } } } } }
"""


def _move(target: SessionStatus) -> str:
    return SESSION + f"mutation ($id: ID!) {{ {MOVE[target]} {PAYLOAD} }}"


async def _workouts(gql, person, program_id) -> list[dict]:  # noqa: ANN001
    body = await gql(WORKOUTS, {"id": str(program_id)}, as_=person)
    assert "errors" not in body, body
    return [w for m in body["data"]["program"]["macrocycles"][0]["mesocycles"] for c in m["microcycles"]
            for w in c["workouts"]]


async def _force_status(engine, session_id: str, status: SessionStatus) -> None:  # noqa: ANN001
    """Put a session in a status directly (a completed one needs its log), to start a transition from there."""
    log = "'{\"exercises\": []}'::jsonb" if status is SessionStatus.COMPLETED else "NULL"
    async with engine.begin() as conn:
        await conn.execute(text(f"UPDATE training_sessions SET status = :s, performance_log = {log} WHERE id = :id"),
                           {"s": status.value, "id": session_id})


@pytest.fixture
async def athlete_workouts(gql, make_user, make_programs):  # noqa: ANN001, ANN201
    athlete = await make_user(Role.ATHLETE)
    [program_id] = await make_programs(athlete, mesocycles=1, days=3)
    return athlete, program_id, await _workouts(gql, athlete, program_id)


async def test_scheduling_a_workout_makes_its_one_session_and_its_status(gql, athlete_workouts):
    athlete, program_id, workouts = athlete_workouts
    assert {w["status"] for w in workouts} == {"PLANNED"} and all(w["session"] is None for w in workouts)
    first = workouts[0]
    body = await gql(SCHEDULE, {"input": {"workoutId": first["id"], "time": "07:30:00"}}, as_=athlete)
    payload = body["data"]["scheduleWorkout"]
    assert payload["errors"] == []
    session = payload["session"]
    assert session["status"] == "SCHEDULED" and session["source"] == "PROGRAM_WORKOUT" and session["time"] == "07:30:00"
    assert session["workout"] == {"id": first["id"], "status": "SCHEDULED"}
    assert session["workoutSnapshot"]["name"] == first["name"]
    assert session["workoutSnapshot"]["sections"][0]["exercises"][0]["exercise"] == "Back Squat"

    # One session per workout: a second scheduling is refused, naming the status it has.
    again = await gql(SCHEDULE, {"input": {"workoutId": first["id"]}}, as_=athlete)
    assert again["data"]["scheduleWorkout"]["errors"] == [{
        "__typename": "StatusTransitionError", "message": "a scheduled session cannot become scheduled",
        "field": "sessionId", "currentStatus": "SCHEDULED",
    }]
    # The workout's status in the tree is its session's: no second copy.
    started = await gql(SCHEDULE, {"input": {"workoutId": workouts[1]["id"], "start": True}}, as_=athlete)
    assert started["data"]["scheduleWorkout"]["session"]["status"] == "IN_PROGRESS"
    assert started["data"]["scheduleWorkout"]["session"]["startedAt"] is not None
    statuses = [w["status"] for w in await _workouts(gql, athlete, program_id)]
    assert statuses[:3] == ["SCHEDULED", "IN_PROGRESS", "PLANNED"]


@pytest.mark.parametrize("current, target", list(itertools.product(SessionStatus, TARGETS)))
async def test_every_transition_is_allowed_or_refused_as_the_table_says(
    gql, engine, athlete_workouts, current, target
):
    athlete, _, workouts = athlete_workouts
    body = await gql(SCHEDULE, {"input": {"workoutId": workouts[0]["id"]}}, as_=athlete)
    session_id = body["data"]["scheduleWorkout"]["session"]["id"]
    await _force_status(engine, session_id, current)
    if target is SessionStatus.COMPLETED:
        body = await gql(COMPLETE, {"input": {"sessionId": session_id, "performanceLog": LOG}}, as_=athlete)
        payload = body["data"]["completeSession"]
    else:
        body = await gql(_move(target), {"id": session_id}, as_=athlete)
        payload = next(iter(body["data"].values()))
    after = (await gql(GET, {"id": session_id}, as_=athlete))["data"]["session"]
    if (current, target) in ALLOWED:
        assert payload["errors"] == [], payload
        assert payload["session"]["status"] == after["status"] == target.name
    else:
        assert payload["session"] is None
        assert payload["errors"] == [{
            "__typename": "StatusTransitionError", "field": "sessionId", "currentStatus": current.name,
            "message": f"a {current.value} session cannot become {target.value}",
        }]
        assert after["status"] == current.name  # nothing written


async def test_completing_stores_the_log_as_typed_objects(gql, athlete_workouts):
    athlete, _, workouts = athlete_workouts
    body = await gql(SCHEDULE, {"input": {"workoutId": workouts[0]["id"], "start": True}}, as_=athlete)
    session_id = body["data"]["scheduleWorkout"]["session"]["id"]
    done = await gql(COMPLETE, {"input": {"sessionId": session_id, "performanceLog": LOG, "notes": "ok"}}, as_=athlete)
    session = done["data"]["completeSession"]["session"]
    assert session["status"] == "COMPLETED" and session["notes"] == "ok"
    assert session["completedAt"] >= session["startedAt"] and session["durationSeconds"] >= 0
    squat, plank = session["performanceLog"]["exercises"]
    assert squat["sets"][1] == {"reps": 5, "loadKg": 102.5, "rpe": None, "completed": True, "durationSeconds": None,
                                "distanceMeters": None}
    assert plank == {"exercise": "Plank", "notes": "easy", "sets": [
        {"reps": None, "loadKg": None, "rpe": None, "completed": True, "durationSeconds": 45, "distanceMeters": None}]}
    # Completing twice is a typed error, not a second log.
    twice = await gql(COMPLETE, {"input": {"sessionId": session_id, "performanceLog": {"exercises": []}}}, as_=athlete)
    assert twice["data"]["completeSession"]["errors"][0]["currentStatus"] == "COMPLETED"
    again = (await gql(GET, {"id": session_id}, as_=athlete))["data"]["session"]
    assert again["performanceLog"] == session["performanceLog"]


@pytest.mark.parametrize("log, times, field", [
    ({"exercises": [{"exercise": "Squat", "sets": [{"reps": -1}]}]}, {}, "input.performanceLog.exercises.0.sets.0.reps"),
    ({"exercises": [{"exercise": "", "sets": []}]}, {}, "input.performanceLog.exercises.0.exercise"),
    ({"exercises": [{"exercise": "Squat", "sets": [{"rpe": 11}]}]}, {}, "input.performanceLog.exercises.0.sets.0.rpe"),
    ({"exercises": []}, {"completedAt": "2999-01-01T00:00:00+00:00"}, "input.completedAt"),
    ({"exercises": []}, {"startedAt": "2026-01-02T10:00:00+00:00", "completedAt": "2026-01-02T09:00:00+00:00"},
     "input.completedAt"),
    ({"exercises": []}, {"startedAt": "2026-01-01T10:00:00+00:00", "completedAt": "2026-01-03T10:00:00+00:00"},
     "input.startedAt"),
    ({"exercises": []}, {"durationSeconds": 86401}, "input.durationSeconds"),
    ({"exercises": []}, {"durationSeconds": -1}, "input.durationSeconds"),
    ({"exercises": []}, {"notes": "x" * 2001}, "input.notes"),
])
async def test_a_bad_log_is_a_validation_error_and_nothing_is_written(gql, athlete_workouts, log, times, field):
    athlete, _, workouts = athlete_workouts
    body = await gql(SCHEDULE, {"input": {"workoutId": workouts[0]["id"], "start": True}}, as_=athlete)
    session_id = body["data"]["scheduleWorkout"]["session"]["id"]
    body = await gql(COMPLETE, {"input": {"sessionId": session_id, "performanceLog": log, **times}}, as_=athlete)
    payload = body["data"]["completeSession"]
    assert payload["session"] is None
    assert [(e["__typename"], e["field"]) for e in payload["errors"]] == [("ValidationError", field)]
    assert (await gql(GET, {"id": session_id}, as_=athlete))["data"]["session"]["status"] == "IN_PROGRESS"


async def test_other_peoples_sessions_answer_like_unknown_ids(gql, make_user, link, athlete_workouts):
    athlete, _, workouts = athlete_workouts
    coach, stranger_coach, other = await make_user(Role.COACH), await make_user(Role.COACH), await make_user()
    await link(coach, athlete)
    body = await gql(SCHEDULE, {"input": {"workoutId": workouts[0]["id"]}}, as_=coach)  # a linked coach may
    session_id = body["data"]["scheduleWorkout"]["session"]["id"]
    for person in (stranger_coach, other):
        assert (await gql(GET, {"id": session_id}, as_=person))["data"]["session"] is None
        moved = await gql(_move(SessionStatus.IN_PROGRESS), {"id": session_id}, as_=person)
        assert moved["data"]["startSession"]["errors"] == [
            {"__typename": "NotFoundError", "message": "no such session", "field": "sessionId"}]
        scheduled = await gql(SCHEDULE, {"input": {"workoutId": workouts[1]["id"]}}, as_=person)
        assert scheduled["data"]["scheduleWorkout"]["errors"][0]["__typename"] == "NotFoundError"
    unknown = await gql(_move(SessionStatus.IN_PROGRESS), {"id": str(uuid.uuid4())}, as_=athlete)
    assert unknown["data"]["startSession"]["errors"][0]["__typename"] == "NotFoundError"
    assert (await gql(GET, {"id": session_id}, as_=athlete))["data"]["session"]["status"] == "SCHEDULED"


async def test_the_snapshot_and_versions_cannot_be_changed_even_in_sql(gql, engine, athlete_workouts):
    athlete, _, workouts = athlete_workouts
    body = await gql(SCHEDULE, {"input": {"workoutId": workouts[0]["id"]}}, as_=athlete)
    session_id = body["data"]["scheduleWorkout"]["session"]["id"]
    with pytest.raises(DBAPIError, match="snapshot is immutable"):
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE training_sessions SET workout_snapshot = '{\"name\": \"x\"}' WHERE id = :id"),
                               {"id": session_id})


async def test_a_session_read_is_one_compiled_statement_with_the_resolvers_answer(
    gql, client, make_client, engine, athlete_workouts, count_statements
):
    """EXPECTS 1: session(id) with its snapshot, log, athlete and workout (whose status is computed in SQL)."""
    athlete, _, workouts = athlete_workouts
    body = await gql(SCHEDULE, {"input": {"workoutId": workouts[0]["id"], "start": True, "time": "06:15:00.25"}},
                     as_=athlete)
    session_id = body["data"]["scheduleWorkout"]["session"]["id"]
    await gql(COMPLETE, {"input": {"sessionId": session_id, "performanceLog": LOG}}, as_=athlete)
    request = {"query": GET, "variables": {"id": session_id}}
    with count_statements() as n:
        compiled = await client.post("/graphql", json=request, headers=athlete.headers)
    assert n.value == 1
    resolvers = await (await make_client(compiled_reads=False)).post("/graphql", json=request, headers=athlete.headers)
    assert compiled.content == resolvers.content
    session = compiled.json()["data"]["session"]
    assert session["time"] == "06:15:00.250000" and session["workout"]["status"] == "COMPLETED"
