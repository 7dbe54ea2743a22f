"""Codegen: the committed SDL matches the code, and every operation the frontends
send validates against the schema and runs cleanly against the API.

The TypeScript types (codegen/types.ts) come from GraphQL Code Generator, which
needs Node; `.ci/run` regenerates them and fails on drift, so this suite does not.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

from graphql import OperationDefinitionNode, build_schema, parse, validate

from trainforge.models import Role
from trainforge.schema import export_sdl
from trainforge.tools.codegen import SCHEMA_FILE, operation_documents, operations_document

from conftest import REPO
from fit_activity import activity_fit
from ws_client import TRANSPORT_WS, assert_ack, receive, send, serving
from websockets.asyncio.client import connect

CODEGEN = REPO / "codegen"


def test_committed_sdl_matches_the_code():
    committed = (CODEGEN / SCHEMA_FILE).read_text()
    assert committed == export_sdl(), f"codegen/{SCHEMA_FILE} drifted from the code: run `make codegen` and commit"


def test_every_operation_validates_against_the_schema():
    document = operations_document(CODEGEN)
    assert any(isinstance(d, OperationDefinitionNode) for d in document.definitions), "no operations in codegen/"
    errors = validate(build_schema(export_sdl()), document)
    assert not errors, "operations in codegen/operations/ no longer validate:\n\n" + "\n\n".join(map(str, errors))


def _operations() -> dict[str, str]:
    """operation name -> the whole document (fragments included) it lives in."""
    fragments = "\n".join(operation_documents(CODEGEN).values())
    names = {}
    for source in operation_documents(CODEGEN).values():
        for definition in parse(source).definitions:
            if isinstance(definition, OperationDefinitionNode):
                names[definition.name.value] = fragments
    return names


async def test_every_frontend_operation_runs(client, app, make_user, make_programs):
    operations = _operations()
    ran: set[str] = set()

    async def run(name: str, variables: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.post(
            "/graphql",
            json={"query": operations[name], "operationName": name, "variables": variables or {}},
            headers=headers,
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, (name, body)
        payload = next(iter(body["data"].values()))
        if isinstance(payload, dict) and "errors" in payload:
            assert payload["errors"] == [], (name, payload)
        ran.add(name)
        return body["data"]

    signed = await run(
        "SignUp",
        {"input": {"email": "Runner@Example.com", "password": "long enough", "displayName": "Runner",
                   "profile": {"birthDate": "1990-05-01", "restingHr": 50}}},
    )
    athlete_token = signed["signUp"]["token"]
    assert signed["signUp"]["user"]["email"] == "runner@example.com"
    logged = await run("LogIn", {"input": {"email": "runner@example.com", "password": "long enough"}})
    assert logged["logIn"]["user"]["id"] == signed["signUp"]["user"]["id"]
    assert (await run("Viewer", token=athlete_token))["viewer"]["profile"]["restingHr"] == 50
    updated = await run("UpdateProfile", {"input": {"maxHr": 191}}, token=athlete_token)
    assert updated["updateProfile"]["profile"]["effectiveMaxHr"] == 191

    coach = await make_user(Role.COACH)
    linked = await run("LinkCoach", {"coachEmail": coach.email}, token=athlete_token)
    assert linked["linkCoach"]["coach"]["id"] == str(coach.id)
    athletes = await run("CoachAthletes", {"first": 5}, token=coach.token)
    assert athletes["viewer"]["athletes"]["totalCount"] == 1

    athlete_id = signed["signUp"]["user"]["id"]
    from conftest import Person

    [program_id] = await make_programs(Person(athlete_id, "", Role.ATHLETE, athlete_token), mesocycles=2)
    listed = await run("ProgramList", {"first": 10, "athleteId": athlete_id}, token=coach.token)
    assert [e["node"]["id"] for e in listed["viewer"]["programs"]["edges"]] == [str(program_id)]
    tree = await run("ProgramTree", {"id": str(program_id)}, token=coach.token)
    assert len(tree["program"]["macrocycles"][0]["mesocycles"]) == 2

    catalog = (await run("EquipmentCatalog"))["equipmentCatalog"]
    generated = await run(
        "GenerateProgram",
        {"input": {"athleteId": athlete_id, "goal": "HYPERTROPHY", "startDate": date.today().isoformat(),
                   "totalWeeks": 8, "weekdays": ["TUESDAY", "THURSDAY", "SATURDAY"],
                   "equipment": [item["name"] for item in catalog[:30]]}},
        token=coach.token,
    )
    mesocycle = generated["generateProgram"]["program"]["macrocycles"][0]["mesocycles"][0]
    regenerated = await run("RegenerateMesocycle", {"mesocycleId": mesocycle["id"], "seed": 3}, token=coach.token)
    assert len(regenerated["regenerateMesocycle"]["mesocycle"]["microcycles"]) == mesocycle["weeks"]
    settings = generated["generateProgram"]["program"]["generationInput"]
    assert settings["totalWeeks"] == 8 and settings["seed"] == generated["generateProgram"]["program"]["seed"]

    workout_id = tree["program"]["macrocycles"][0]["mesocycles"][0]["microcycles"][0]["workouts"][0]["id"]
    workout = (await run("NodeWorkout", {"id": workout_id}, token=coach.token))["node"]
    assert workout["__typename"] == "Workout"
    assert workout["microcycle"]["mesocycle"]["macrocycle"]["program"]["id"] == str(program_id)
    found = await run("Nodes", {"ids": [athlete_id, str(program_id), mesocycle["id"], workout_id]}, token=coach.token)
    assert [node["__typename"] for node in found["nodes"]] == ["User", "Program", "Mesocycle", "Workout"]

    # Sessions of a program workout, and a routine the coach assigns.
    scheduled = await run("ScheduleWorkout", {"input": {"workoutId": workout_id, "time": "07:00:00"}}, token=athlete_token)
    session_id = scheduled["scheduleWorkout"]["session"]["id"]
    assert (await run("StartSession", {"sessionId": session_id}, token=athlete_token))["startSession"]["session"][
        "status"] == "IN_PROGRESS"
    log = {"exercises": [{"exercise": "Back Squat", "sets": [{"reps": 5, "loadKg": 100.0}]}]}
    completed = await run("CompleteSession", {"input": {"sessionId": session_id, "performanceLog": log}},
                          token=athlete_token)
    assert completed["completeSession"]["session"]["performanceLog"]["exercises"][0]["sets"][0]["loadKg"] == 100.0
    assert (await run("Session", {"id": session_id}, token=coach.token))["session"]["status"] == "COMPLETED"
    routine_input = {"name": "Legs", "type": "STRENGTH", "sections": [
        {"name": "Main", "exercises": [{"exercise": "Barbell Squat", "sets": 5, "reps": 5}]}]}
    created = await run("CreateRoutine", {"input": routine_input}, token=coach.token)
    routine_id = created["createRoutine"]["routine"]["id"]
    updated = await run("UpdateRoutine", {"routineId": routine_id, "input": {**routine_input, "name": "Legs 2"}},
                        token=coach.token)
    version_2 = updated["updateRoutine"]["routine"]["latestVersion"]["id"]
    assigned = await run("AssignRoutine", {"input": {
        "versionId": created["createRoutine"]["routine"]["latestVersion"]["id"], "athleteId": athlete_id,
        "startDate": date.today().isoformat(), "weekdays": ["MONDAY", "FRIDAY"], "times": ["18:00:00"]}},
        token=coach.token)
    assignment_id = assigned["assignRoutine"]["assignment"]["id"]
    skipped = await run("SkipSession", {"sessionId": assigned["assignRoutine"]["sessions"][0]["id"], "notes": "ill"},
                        token=athlete_token)
    assert skipped["skipSession"]["session"]["status"] == "SKIPPED"
    cancelled = await run("CancelSession", {"sessionId": assigned["assignRoutine"]["sessions"][1]["id"]},
                          token=athlete_token)
    assert cancelled["cancelSession"]["session"]["status"] == "CANCELLED"
    replaced = await run("ReplaceAssignment", {"input": {"assignmentId": assignment_id, "versionId": version_2}},
                         token=coach.token)
    assert replaced["replaceAssignment"]["replaced"]["status"] == "REPLACED"
    assert (await run("Routine", {"id": routine_id}, token=athlete_token))["routine"]["versions"][0]["version"] == 2
    assert (await run("Routines", {"first": 10}, token=coach.token))["routines"]["totalCount"] == 1
    assert (await run("Assignments", {"athleteId": athlete_id}, token=coach.token))["assignments"]["totalCount"] == 2
    calendar = await run("Calendar", {"from": date.today().isoformat(),
                                      "to": (date.today() + timedelta(days=30)).isoformat(), "first": 50},
                         token=athlete_token)
    assert calendar["calendar"]["totalCount"] >= 8

    # A program workout trained live, watched by the coach's subscription.
    second_workout = tree["program"]["macrocycles"][0]["mesocycles"][0]["microcycles"][0]["workouts"][1]["id"]
    live_id = (await run("ScheduleWorkout", {"input": {"workoutId": second_workout}}, token=athlete_token))[
        "scheduleWorkout"]["session"]["id"]
    async with serving(app) as ws_url, connect(ws_url, subprotocols=[TRANSPORT_WS]) as ws:
        await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {coach.token}"}})
        assert_ack(await receive(ws))
        await send(ws, {"id": "1", "type": "subscribe", "payload": {
            "query": operations["SessionEvents"], "operationName": "SessionEvents", "variables": {"sessionId": live_id}}})
        async with asyncio.timeout(10):
            assert (await receive(ws))["payload"]["data"]["sessionEvents"]["kind"] == "SUBSCRIBED"
        started = await run("StartWorkout", {"sessionId": live_id, "device": "phone"}, token=athlete_token)
        version = started["startWorkout"]["progress"]["version"]
        async with asyncio.timeout(10):
            event = (await receive(ws))["payload"]["data"]["sessionEvents"]
        assert event["kind"] == "ATTEMPT_STARTED" and event["attempt"] == {"device": "phone"}
        ran.add("SessionEvents")
        await send(ws, {"id": "2", "type": "subscribe", "payload": {
            "query": operations["HeartRate"], "operationName": "HeartRate", "variables": {"sessionId": live_id}}})
        async with asyncio.timeout(10):
            assert (await receive(ws))["payload"]["data"]["heartRate"]["kind"] == "SUBSCRIBED"
        recorded = await run("RecordHeartRate", {"input": {
            "sessionId": live_id, "device": "strap", "startedAt": datetime.now(timezone.utc).isoformat(),
            "offsetsMs": [0, 1000, 2000], "bpm": [120, 121, 122]}}, token=athlete_token)
        assert recorded["recordHeartRate"]["accepted"] == 3
        async with asyncio.timeout(10):
            while (message := await receive(ws))["id"] != "2":
                pass
        assert message["payload"]["data"]["heartRate"]["latest"]["bpm"] == 122
        ran.add("HeartRate")
    series = await run("SessionHeartRate", {"id": live_id, "bucketSeconds": 1}, token=coach.token)
    assert series["session"]["heartRateSummary"]["samples"] == 3
    write = {"clientId": str(uuid.uuid4()), "sessionId": live_id, "device": "phone", "position": 0}
    logged = await run("LogSet", {"input": {**write, "reps": 5, "loadKg": 60.0}}, token=athlete_token)
    assert logged["logSet"]["version"] == version + 1
    saved = await run("SaveExerciseProgress", {"input": {**write, "clientId": str(uuid.uuid4()), "position": 0,
                                                         "baseVersion": version + 1, "notes": "easy"}}, token=athlete_token)
    status = await run("SetExerciseStatus", {"input": {**write, "clientId": str(uuid.uuid4()),
                                                       "baseVersion": saved["saveExerciseProgress"]["version"],
                                                       "status": "COMPLETED"}}, token=athlete_token)
    assert status["setExerciseStatus"]["exercise"]["status"] == "COMPLETED"
    await run("SaveSessionCursor", {"input": {"sessionId": live_id, "device": "phone", "exercisePosition": 1,
                                              "setNumber": 0}}, token=athlete_token)
    active = await run("ActiveSession", {"device": "watch"}, token=athlete_token)
    assert active["activeSession"]["session"]["id"] == live_id and active["activeSession"]["otherDeviceActive"]
    resumed = await run("ResumeWorkout", {"sessionId": live_id}, token=athlete_token)
    assert resumed["resumeWorkout"]["progress"]["summary"]["completed"] == 1
    completed_live = await run("CompleteWorkout", {"sessionId": live_id}, token=athlete_token)
    assert completed_live["completeWorkout"]["session"]["status"] == "COMPLETED"

    # An endurance template with repeats: scheduled for the athlete, and one execution logged whole.
    intervals = {"name": "6 x 3 min", "sport": "RUN", "steps": [
        {"type": "WARM_UP", "durationSeconds": 600},
        {"repeat": 6, "steps": [{"type": "INTERVAL", "durationSeconds": 180, "target": {"kind": "HR_ZONE", "zone": 4}},
                                {"type": "RECOVERY", "durationSeconds": 120}]},
        {"type": "COOL_DOWN", "durationSeconds": 600}]}
    template = (await run("CreateEnduranceTemplate", {"input": intervals}, token=coach.token))[
        "createEnduranceTemplate"]["template"]
    assert len(template["plannedSteps"]) == 14
    await run("UpdateEnduranceTemplate", {"id": template["id"], "input": {**intervals, "name": "Sixes"}},
              token=coach.token)
    assert (await run("EnduranceTemplate", {"id": template["id"]}, token=athlete_token))["enduranceTemplate"][
        "name"] == "Sixes"
    assert (await run("EnduranceTemplates", {"first": 5}, token=athlete_token))["enduranceTemplates"]["totalCount"] == 1
    planned = await run("ScheduleEnduranceSession", {"input": {"templateId": template["id"], "athleteId": athlete_id,
                                                               "date": date.today().isoformat()}}, token=coach.token)
    steps = planned["scheduleEnduranceSession"]["session"]["workoutSnapshot"]["plannedSteps"]
    assert steps[1]["targetBpmLow"] is not None  # zone 4 for this athlete (max 191, resting 50)
    done = await run("LogEnduranceSession", {"input": {
        "templateId": template["id"], "startedAt": "2026-11-30T07:00:00Z",
        "steps": [{"index": 0, "durationSeconds": 600, "avgHr": 128}]}}, token=athlete_token)
    assert done["logEnduranceSession"]["session"]["performanceLog"]["totals"]["durationSeconds"] == 600
    await run("DeleteEnduranceTemplate", {"id": template["id"]}, token=coach.token)

    # A wearable, and an activity file through a multipart upload.
    watch = (await run("ConnectWearable", {"input": {"type": "COROS", "name": "Pace 3", "accessToken": "t0k3n"}},
                       token=athlete_token))["connectWearable"]["wearable"]
    assert watch["hasCredentials"] and "accessToken" not in watch
    await run("UpdateWearable", {"input": {"id": watch["id"], "model": "Pace 3"}}, token=athlete_token)
    await run("DisconnectWearable", {"id": watch["id"]}, token=athlete_token)
    assert (await run("Wearables", token=athlete_token))["wearables"][0]["hasCredentials"] is False
    await run("RemoveWearable", {"id": watch["id"]}, token=athlete_token)
    upload = await client.post("/graphql", headers={"Authorization": f"Bearer {athlete_token}"}, files={
        "operations": (None, json.dumps({"query": operations["ImportActivity"], "operationName": "ImportActivity",
                                         "variables": {"file": None}})),
        "map": (None, json.dumps({"0": ["variables.file"]})),
        "0": ("run.fit", activity_fit(datetime(2026, 11, 29, 6, 0, tzinfo=timezone.utc), minutes=4), "application/octet-stream"),
    })
    assert upload.json()["data"]["importActivity"]["heartRateSamples"] == 240, upload.text
    ran.add("ImportActivity")

    unlinked = await run("UnlinkCoach", {"coachId": str(coach.id)}, token=athlete_token)
    assert unlinked["unlinkCoach"]["coachId"] == str(coach.id)

    assert ran == set(operations), f"operations without a run here: {set(operations) - ran}"
