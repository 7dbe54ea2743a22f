"""Training a session live on several devices: attempts, progress, replay-safe writes, conflicts, recovery."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text

from trainforge.models import Role

from test_training_sessions import SCHEDULE, WORKOUTS

PROGRESS = """
fragment P on SessionProgress {
  version lastDevice summary { total completed inProgress skipped }
  exercises { position exerciseId exerciseName type status notes videoRefs config { sets reps loadKg restSeconds }
    data { __typename ... on StandardData { setsCompleted repsPerSet loadKg rpe } ... on EmomData { repsPerMinute }
           ... on AmrapData { totalReps rounds } ... on CircuitData { roundsCompleted totalReps loadKg } } }
  sets { id position exerciseName reps loadKg rpe device clientId }
}
"""
ERRORS = "errors { __typename message field ... on StatusTransitionError { currentStatus } " \
         "... on ConflictError { progress { version } } }"
WORKOUT_PAYLOAD = f"{{ session {{ id status performanceLog {{ exercises {{ exercise sets {{ reps loadKg }} }} }} }} " \
                  f"attempt {{ id device status endedAt exercisesCompleted totalExercises }} progress {{ ...P }} {ERRORS} }}"
START = PROGRESS + f"mutation ($id: ID!, $device: String!) {{ startWorkout(sessionId: $id, device: $device) {WORKOUT_PAYLOAD} }}"
RESUME = PROGRESS + f"mutation ($id: ID!) {{ resumeWorkout(sessionId: $id) {WORKOUT_PAYLOAD} }}"
COMPLETE = PROGRESS + f"mutation ($id: ID!) {{ completeWorkout(sessionId: $id) {WORKOUT_PAYLOAD} }}"
WRITE_PAYLOAD = f"{{ version replayed exercise {{ position status }} set {{ id reps }} progress {{ version }} {ERRORS} }}"
LOG_SET = f"mutation ($input: LogSetInput!) {{ logSet(input: $input) {WRITE_PAYLOAD} }}"
SAVE = f"mutation ($input: SaveExerciseProgressInput!) {{ saveExerciseProgress(input: $input) {WRITE_PAYLOAD} }}"
STATUS = f"mutation ($input: SetExerciseStatusInput!) {{ setExerciseStatus(input: $input) {WRITE_PAYLOAD} }}"
CURSOR = "mutation ($input: SaveSessionCursorInput!) { saveSessionCursor(input: $input) { cursor { device " \
         "exercisePosition setNumber state } errors { __typename field } } }"
ACTIVE = "query ($device: String) { activeSession(device: $device) { session { id status } otherDeviceActive " \
         "cursor { device exercisePosition setNumber state } progress { version } } }"


@pytest.fixture
async def session_to_train(gql, make_user, link, make_programs):  # noqa: ANN001, ANN201
    """(athlete, linked coach, a scheduled session of a program workout with 4 exercises)."""
    athlete, coach = await make_user(Role.ATHLETE), await make_user(Role.COACH)
    await link(coach, athlete)
    [program_id] = await make_programs(athlete, mesocycles=1, days=3)
    body = await gql(WORKOUTS, {"id": str(program_id)}, as_=athlete)
    workout = body["data"]["program"]["macrocycles"][0]["mesocycles"][0]["microcycles"][0]["workouts"][0]
    scheduled = await gql(SCHEDULE, {"input": {"workoutId": workout["id"]}}, as_=athlete)
    return athlete, coach, scheduled["data"]["scheduleWorkout"]["session"]["id"]


def write(session_id: str, device: str, client_id: str | None = None, **fields) -> dict:  # noqa: ANN003
    return {"input": {"clientId": client_id or str(uuid.uuid4()), "sessionId": session_id, "device": device, **fields}}


async def test_two_devices_share_one_progress_and_keep_both_sets(gql, session_to_train):
    athlete, coach, session_id = session_to_train
    phone = (await gql(START, {"id": session_id, "device": "phone"}, as_=athlete))["data"]["startWorkout"]
    assert phone["errors"] == [] and phone["session"]["status"] == "IN_PROGRESS"
    assert phone["attempt"]["device"] == "phone" and phone["attempt"]["totalExercises"] == 4
    progress = phone["progress"]
    assert progress["version"] == 1 and progress["summary"] == {"total": 4, "completed": 0, "inProgress": 0, "skipped": 0}
    first = progress["exercises"][0]
    assert first["exerciseName"] == "Back Squat" and first["type"] == "STANDARD" and first["status"] == "NOT_STARTED"
    assert first["data"] == {"__typename": "StandardData", "setsCompleted": 0, "repsPerSet": [], "loadKg": None, "rpe": None}

    watch = (await gql(START, {"id": session_id, "device": "watch"}, as_=athlete))["data"]["startWorkout"]
    assert watch["attempt"]["id"] != phone["attempt"]["id"] and watch["progress"]["version"] == 1  # same progress

    # Both devices log a set of the same exercise at once: two different sets, both kept.
    logged = await asyncio.gather(
        gql(LOG_SET, write(session_id, "phone", position=0, reps=5, loadKg=100.0, rpe=8.0), as_=athlete),
        gql(LOG_SET, write(session_id, "watch", position=0, reps=4, loadKg=100.0), as_=athlete),
    )
    versions = sorted(body["data"]["logSet"]["version"] for body in logged)
    assert versions == [2, 3]
    resumed = (await gql(RESUME, {"id": session_id}, as_=coach))["data"]["resumeWorkout"]  # a linked coach reads it
    assert resumed["attempt"]["id"] == watch["attempt"]["id"]
    squat = resumed["progress"]["exercises"][0]
    assert squat["status"] == "IN_PROGRESS" and squat["data"]["setsCompleted"] == 2
    assert sorted(squat["data"]["repsPerSet"]) == [4, 5]
    assert sorted((s["device"], s["reps"]) for s in resumed["progress"]["sets"]) == [("phone", 5), ("watch", 4)]


async def test_replayed_writes_change_nothing_and_answer_the_same(gql, engine, session_to_train):
    """100 sets sent twice (an offline queue flushed twice) are 100 sets."""
    athlete, _, session_id = session_to_train
    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    calls = [write(session_id, "phone", position=n % 4, reps=n % 12 + 1) for n in range(100)]
    first = [(await gql(LOG_SET, call, as_=athlete))["data"]["logSet"] for call in calls]
    again = [(await gql(LOG_SET, call, as_=athlete))["data"]["logSet"] for call in calls]
    assert [a["replayed"] for a in first] == [False] * 100 and [a["replayed"] for a in again] == [True] * 100
    strip = lambda p: {**p, "replayed": None, "progress": None}  # noqa: E731
    assert [strip(a) for a in again] == [strip(a) for a in first]  # same version, exercise and set
    assert {a["progress"]["version"] for a in again} == {101}  # the progress as it is now
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM logged_sets")) == 100
        assert await conn.scalar(text("SELECT version FROM session_progress")) == 101
    # A clientId reused for another kind of write is refused.
    reused = await gql(STATUS, write(session_id, "phone", calls[0]["input"]["clientId"], position=0, baseVersion=101,
                                     status="COMPLETED"), as_=athlete)
    assert reused["data"]["setExerciseStatus"]["errors"][0]["field"] == "input.clientId"


async def test_a_set_is_logged_in_two_statements(gql, session_to_train, count_statements):
    """The locking read (session, progress and replay key at once) and the write (progress, replay key and
    set in data-modifying CTEs); the payload's `exercise` and `version` come from what was written (its `set`
    is read by a loader). Each statement is a round trip on the way from a device to every subscriber."""
    athlete, _, session_id = session_to_train
    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    with count_statements() as n:
        logged = await gql("mutation ($input: LogSetInput!) { logSet(input: $input) { version "
                           "exercise { status } errors { message } } }",
                           write(session_id, "phone", position=0, reps=5), as_=athlete)
    assert logged["data"]["logSet"] == {"version": 2, "exercise": {"status": "IN_PROGRESS"}, "errors": []}
    assert n.value == 2


async def test_writes_racing_from_many_devices_are_each_kept_once(gql, engine, session_to_train):
    """Each write reads, then writes only if the progress is still at the version it read, else starts
    again: 20 sets logged at once are 20 sets and 20 versions; 5 saves on the same version leave one."""
    athlete, _, session_id = session_to_train
    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    logged = await asyncio.gather(*(gql(LOG_SET, write(session_id, f"device {n}", position=n % 4, reps=n + 1),
                                        as_=athlete) for n in range(20)))
    assert [b["data"]["logSet"]["errors"] for b in logged] == [[]] * 20, [b["data"]["logSet"]["errors"] for b in logged]
    assert sorted(body["data"]["logSet"]["version"] for body in logged) == list(range(2, 22))
    saves = await asyncio.gather(*(gql(SAVE, write(session_id, "phone", position=0, baseVersion=21, notes=f"n{n}"),
                                       as_=athlete) for n in range(5)))
    outcomes = sorted(body["data"]["saveExerciseProgress"]["errors"][0]["__typename"]
                      if body["data"]["saveExerciseProgress"]["errors"] else "saved" for body in saves)
    assert outcomes == ["ConflictError"] * 4 + ["saved"]
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM logged_sets")) == 20
        assert await conn.scalar(text("SELECT count(*) FROM client_writes")) == 21
        assert await conn.scalar(text("SELECT version FROM session_progress")) == 22


async def test_a_write_on_an_old_version_gets_the_current_progress(gql, session_to_train):
    athlete, _, session_id = session_to_train
    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    saved = await gql(SAVE, write(session_id, "phone", position=1, baseVersion=1,
                                  data={"emom": {"repsPerMinute": [10, 9, 8]}}, notes="tough"), as_=athlete)
    payload = saved["data"]["saveExerciseProgress"]
    assert payload["errors"] == [] and payload["version"] == 2
    stale = await gql(STATUS, write(session_id, "watch", position=1, baseVersion=1, status="COMPLETED"), as_=athlete)
    payload = stale["data"]["setExerciseStatus"]
    assert payload["version"] is None
    assert payload["errors"] == [{
        "__typename": "ConflictError", "field": "baseVersion",
        "message": "the progress is at version 2, this write was based on 1", "progress": {"version": 2},
    }]
    done = await gql(STATUS, write(session_id, "watch", position=1, baseVersion=2, status="COMPLETED"), as_=athlete)
    assert done["data"]["setExerciseStatus"]["exercise"] == {"position": 1, "status": "COMPLETED"}
    resumed = (await gql(RESUME, {"id": session_id}, as_=athlete))["data"]["resumeWorkout"]["progress"]
    item = resumed["exercises"][1]
    assert item["type"] == "EMOM" and item["notes"] == "tough"
    assert item["data"] == {"__typename": "EmomData", "repsPerMinute": [10, 9, 8]}
    assert resumed["summary"]["completed"] == 1 and resumed["version"] == 3


@pytest.mark.parametrize("fields, field", [
    ({"data": {"standard": {"repsPerSet": [5, -1]}}}, "input.data"),
    ({"data": {"amrap": {"totalReps": -3}}}, "input.data.amrap.totalReps"),
    ({"notes": "x" * 2001}, "input.notes"),
    ({"position": 99}, "input.position"),
])
async def test_bad_progress_is_a_validation_error_and_changes_nothing(gql, session_to_train, fields, field):
    athlete, _, session_id = session_to_train
    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    body = await gql(SAVE, write(session_id, "phone", **{"position": 0, "baseVersion": 1, **fields}), as_=athlete)
    errors = body["data"]["saveExerciseProgress"]["errors"]
    assert errors and all(e["field"].startswith(field) for e in errors), errors
    resumed = (await gql(RESUME, {"id": session_id}, as_=athlete))["data"]["resumeWorkout"]["progress"]
    assert resumed["version"] == 1


async def test_completing_fills_the_log_closes_the_attempt_and_only_once(gql, session_to_train):
    athlete, _, session_id = session_to_train
    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    for reps in (5, 5, 4):
        await gql(LOG_SET, write(session_id, "phone", position=0, reps=reps, loadKg=100.0), as_=athlete)
    await gql(SAVE, write(session_id, "phone", position=2, baseVersion=4, data={"amrap": {"totalReps": 42, "rounds": 3}}),
              as_=athlete)
    done = (await gql(COMPLETE, {"id": session_id}, as_=athlete))["data"]["completeWorkout"]
    assert done["errors"] == [] and done["session"]["status"] == "COMPLETED"
    log = done["session"]["performanceLog"]["exercises"]
    assert log[0] == {"exercise": "Back Squat", "sets": [{"reps": 5, "loadKg": 100.0}, {"reps": 5, "loadKg": 100.0},
                                                           {"reps": 4, "loadKg": 100.0}]}
    assert log[2]["sets"] == [{"reps": 42, "loadKg": None}] and log[1]["sets"] == []
    assert done["attempt"]["status"] == "COMPLETED" and done["attempt"]["endedAt"] is not None
    twice = (await gql(COMPLETE, {"id": session_id}, as_=athlete))["data"]["completeWorkout"]
    assert twice["errors"][0]["currentStatus"] == "COMPLETED" and twice["session"] is None
    late = await gql(LOG_SET, write(session_id, "phone", position=0, reps=5), as_=athlete)
    assert late["data"]["logSet"]["errors"][0]["__typename"] == "StatusTransitionError"


async def test_a_device_resumes_from_the_cursor_and_learns_of_the_other_device(gql, session_to_train):
    athlete, _, session_id = session_to_train
    assert (await gql(ACTIVE, {"device": "phone"}, as_=athlete))["data"]["activeSession"] is None
    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    await gql(LOG_SET, write(session_id, "phone", position=0, reps=5), as_=athlete)
    saved = await gql(CURSOR, {"input": {"sessionId": session_id, "device": "phone", "exercisePosition": 0,
                                         "setNumber": 2, "state": "{\"timer\": 90}"}}, as_=athlete)
    assert saved["data"]["saveSessionCursor"]["errors"] == []
    watch = (await gql(ACTIVE, {"device": "watch"}, as_=athlete))["data"]["activeSession"]
    assert watch["session"] == {"id": session_id, "status": "IN_PROGRESS"} and watch["otherDeviceActive"] is True
    assert watch["cursor"] == {"device": "phone", "exercisePosition": 0, "setNumber": 2, "state": "{\"timer\": 90}"}
    assert watch["progress"]["version"] == 2
    assert (await gql(ACTIVE, {"device": "phone"}, as_=athlete))["data"]["activeSession"]["otherDeviceActive"] is False

    too_big = await gql(CURSOR, {"input": {"sessionId": session_id, "device": "phone", "exercisePosition": 0,
                                           "setNumber": 2, "state": "x" * (64 * 1024 + 1)}}, as_=athlete)
    assert too_big["data"]["saveSessionCursor"]["errors"] == [{"__typename": "ValidationError", "field": "state"}]
    await gql(COMPLETE, {"id": session_id}, as_=athlete)
    assert (await gql(ACTIVE, {"device": "watch"}, as_=athlete))["data"]["activeSession"] is None


async def test_others_cannot_start_write_or_read(gql, make_user, session_to_train):
    athlete, _, session_id = session_to_train
    await gql(START, {"id": session_id, "device": "phone"}, as_=athlete)
    for stranger in (await make_user(Role.ATHLETE), await make_user(Role.COACH)):
        started = (await gql(START, {"id": session_id, "device": "x"}, as_=stranger))["data"]["startWorkout"]
        assert started["errors"][0]["__typename"] == "NotFoundError" and started["progress"] is None
        resumed = (await gql(RESUME, {"id": session_id}, as_=stranger))["data"]["resumeWorkout"]
        assert resumed["errors"][0]["__typename"] == "NotFoundError" and resumed["progress"] is None
        logged = (await gql(LOG_SET, write(session_id, "x", position=0, reps=1), as_=stranger))["data"]["logSet"]
        assert logged["errors"][0]["__typename"] == "NotFoundError"
        assert (await gql(ACTIVE, {}, as_=stranger))["data"]["activeSession"] is None
    resumed = (await gql(RESUME, {"id": session_id}, as_=athlete))["data"]["resumeWorkout"]["progress"]
    assert resumed["version"] == 1 and resumed["sets"] == []
