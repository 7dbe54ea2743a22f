"""FIT files: a planned session exported as a FIT workout and read back with fitdecode (same steps and
targets), rides as Zwift workouts, and FIT activities (built here with fit-tool) imported as sessions."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone
from xml.etree import ElementTree

import fitdecode
from sqlalchemy import text

from trainforge.models import Role

from fit_activity import activity_fit
from test_endurance import CREATE, INTERVALS, SCHEDULE

ERRORS = "errors { __typename message field }"
IMPORT = f"""mutation ($file: Upload!) {{ importActivity(file: $file) {{ heartRateSamples droppedSamples {ERRORS}
  session {{ status kind source durationSeconds workoutSnapshot {{ name sport plannedSteps {{ index type durationSeconds }} }}
    performanceLog {{ steps {{ index durationSeconds distanceMeters paceSecondsPerKm avgHr maxHr }}
      totals {{ durationSeconds distanceMeters calories avgHr maxHr }} heartRate {{ samples avgHr quality }} }}
    heartRateSummary {{ samples minHr maxHr }} }} }} }}"""


async def _scheduled(gql, athlete, template_input) -> str:  # noqa: ANN001
    template = (await gql(CREATE, {"input": template_input}, as_=athlete))["data"]["createEnduranceTemplate"]
    assert template["errors"] == [], template
    session = (await gql(SCHEDULE, {"input": {"templateId": template["template"]["id"], "date": date.today().isoformat()}},
                         as_=athlete))["data"]["scheduleEnduranceSession"]["session"]
    return session["id"]


def read_workout(data: bytes) -> tuple[dict, list[dict]]:
    workout, steps = {}, []
    with fitdecode.FitReader(io.BytesIO(data)) as fit:
        for frame in fit:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                values = {f.name: f.value for f in frame.fields if f.value is not None}
                if frame.name == "workout":
                    workout = values
                elif frame.name == "workout_step":
                    steps.append(values)
    return workout, steps


def expand_fit(steps: list[dict]) -> list[dict]:
    """A FIT workout's steps in the order a device does them (repeat steps replay steps[first:here])."""

    def run(start: int, stop: int) -> list[dict]:
        done, i = [], start
        while i < stop:
            step = steps[i]
            if step["duration_type"] == "repeat_until_steps_cmplt":
                raise AssertionError("a repeat step is reached only through its block")
            # The last repeat step (before stop) that goes back to i closes the outermost block starting here.
            block = max((j for j in range(i + 1, stop) if steps[j]["duration_type"] == "repeat_until_steps_cmplt"
                         and steps[j]["duration_step"] == i), default=None)
            if block is not None:
                inner = run(i, block)
                done += inner * steps[block]["repeat_steps"]
                i = block + 1
            else:
                done.append(step)
                i += 1
        return done

    return run(0, len(steps))


async def test_a_planned_session_as_a_fit_workout_reads_back_step_for_step(gql, client, make_user):
    athlete = await make_user(Role.ATHLETE, max_hr=190, resting_hr=50)
    session_id = await _scheduled(gql, athlete, INTERVALS)
    response = await client.get(f"/sessions/{session_id}/workout.fit", headers=athlete.headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/vnd.ant.fit"
    workout, steps = read_workout(response.content)
    assert workout == {"sport": "running", "num_valid_steps": 10, "wkt_name": "Threshold and track"}
    # The compact form: 6 x [...], then 2 x [3 x [...], steady]; repeat steps point back at their first step.
    repeats = [(s["message_index"], s["duration_step"], s["repeat_steps"]) for s in steps
               if s["duration_type"] == "repeat_until_steps_cmplt"]
    assert repeats == [(3, 1, 6), (6, 4, 3), (8, 4, 2)]
    done = expand_fit(steps)
    assert len(done) == 28
    interval, recovery = done[1], done[2]
    assert (interval["duration_type"], interval["duration_time"], interval["intensity"]) == ("time", 180.0, "interval")
    # Zone 4 and zone 1 of this athlete (Karvonen 162-176, 120-134) as custom bpm, which FIT offsets by 100.
    assert (interval["target_type"], interval["custom_target_heart_rate_low"],
            interval["custom_target_heart_rate_high"]) == ("heart_rate", 262, 276)
    assert (recovery["custom_target_heart_rate_low"], recovery["custom_target_heart_rate_high"]) == (220, 234)
    track = done[13]  # 400 m at 3:40-3:50 per km: 4.348-4.545 m/s
    assert (track["duration_type"], track["duration_distance"], track["target_type"]) == ("distance", 400.0, "speed")
    assert (track["custom_target_speed_low"], track["custom_target_speed_high"]) == (round(1000 / 230, 3),
                                                                                   round(1000 / 220, 3))
    steady = [s for s in done if s.get("wkt_step_name") == "steady"]
    assert len(steady) == 2 and (steady[0]["custom_target_heart_rate_low"], steady[0]["custom_target_heart_rate_high"]) \
        == (240, 250)
    assert done[0]["target_type"] == "open" and done[-1]["intensity"] == "cooldown"


async def test_rides_as_zwift_workouts(gql, client, make_user):
    rider = await make_user(Role.ATHLETE, max_hr=185)
    ride = {"name": "Sweet spot", "sport": "RIDE", "steps": [
        {"type": "WARM_UP", "durationSeconds": 600},
        {"repeat": 3, "steps": [{"type": "INTERVAL", "durationSeconds": 720,
                                 "target": {"kind": "POWER_RANGE", "low": 220, "high": 235}},
                                {"type": "RECOVERY", "durationSeconds": 240, "target": {"kind": "HR_ZONE", "zone": 1}}]},
        {"type": "COOL_DOWN", "durationSeconds": 300}]}
    session_id = await _scheduled(gql, rider, ride)
    response = await client.get(f"/sessions/{session_id}/workout.zwo?ftp=250", headers=rider.headers)
    assert response.status_code == 200, response.text
    root = ElementTree.fromstring(response.text)
    assert root.findtext("sportType") == "bike" and root.findtext("name") == "Sweet spot"
    steps = list(root.find("workout"))
    assert [s.tag for s in steps] == ["Warmup"] + ["SteadyState", "SteadyState"] * 3 + ["Cooldown"]
    assert steps[1].attrib == {"Duration": "720", "Power": f"{(220 + 235) / 2 / 250:.3f}"}
    assert steps[2].attrib == {"Duration": "240", "Power": "0.550"}

    no_ftp = await client.get(f"/sessions/{session_id}/workout.zwo", headers=rider.headers)
    assert no_ftp.status_code == 400 and no_ftp.json()["errors"][0]["extensions"]["field"] == "ftp"
    run_id = await _scheduled(gql, rider, INTERVALS)
    assert (await client.get(f"/sessions/{run_id}/workout.zwo", headers=rider.headers)).status_code == 400
    stranger = await make_user()
    assert (await client.get(f"/sessions/{session_id}/workout.fit", headers=stranger.headers)).status_code == 404
    assert (await client.get(f"/sessions/{session_id}/workout.fit")).status_code == 401


async def _upload(client, person, data: bytes, name: str = "run.fit") -> dict:  # noqa: ANN001
    files = {
        "operations": (None, json.dumps({"query": IMPORT, "variables": {"file": None}})),
        "map": (None, json.dumps({"0": ["variables.file"]})),
        "0": (name, data, "application/octet-stream"),
    }
    response = await client.post("/graphql", files=files, headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]["importActivity"]


async def test_a_fit_activity_becomes_a_completed_session_with_its_heart_rate(client, make_user, engine):
    athlete = await make_user(Role.ATHLETE, max_hr=190, resting_hr=50)
    start = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
    imported = await _upload(client, athlete, activity_fit(start))
    assert imported["errors"] == [] and (imported["heartRateSamples"], imported["droppedSamples"]) == (1200, 0)
    session = imported["session"]
    assert (session["status"], session["kind"], session["source"], session["durationSeconds"]) == (
        "COMPLETED", "ENDURANCE", "IMPORTED", 1200)
    assert session["workoutSnapshot"]["sport"] == "RUN" and session["workoutSnapshot"]["name"] == "Run on 2026-11-30"
    assert [(s["type"], s["durationSeconds"]) for s in session["workoutSnapshot"]["plannedSteps"]] == [
        ("WARM_UP", 300), ("STEADY", 300), ("STEADY", 300), ("STEADY", 300)]
    laps = session["performanceLog"]["steps"]
    assert laps[2] == {"index": 2, "durationSeconds": 300, "distanceMeters": 900.0,
                       "paceSecondsPerKm": round(1000 / 3.0, 1), "avgHr": 145, "maxHr": 150}
    assert session["performanceLog"]["totals"] == {"durationSeconds": 1200, "distanceMeters": 3600.0, "calories": 240,
                                                   "avgHr": 139, "maxHr": 159}
    assert session["performanceLog"]["heartRate"]["samples"] == 1200
    assert session["heartRateSummary"] == {"samples": 1200, "minHr": 120, "maxHr": 159}


async def test_files_that_are_not_fit_activities_are_refused_and_nothing_is_written(gql, client, make_user, engine):
    athlete = await make_user(Role.ATHLETE, max_hr=190)
    async with engine.connect() as conn:
        before = await conn.scalar(text("SELECT count(*) FROM training_sessions"))
    garbage = await _upload(client, athlete, b"\x0e\x10not a fit file at all" * 10)
    assert garbage["session"] is None and garbage["errors"][0]["field"] == "file"
    truncated = await _upload(client, athlete, activity_fit(datetime(2026, 11, 30, tzinfo=timezone.utc))[:500])
    assert truncated["errors"][0]["field"] == "file"
    session_id = await _scheduled(gql, athlete, INTERVALS)
    workout = (await client.get(f"/sessions/{session_id}/workout.fit", headers=athlete.headers)).content
    not_activity = await _upload(client, athlete, workout)
    assert "not an activity" in not_activity["errors"][0]["message"]
    future = await _upload(client, athlete, activity_fit(datetime.now(timezone.utc) + timedelta(days=2)))
    assert future["errors"][0]["field"] == "file"
    as_json = await gql(IMPORT, {"file": "run.fit"}, as_=athlete)  # not a multipart request: no file in it
    assert as_json["data"]["importActivity"]["errors"][0]["field"] == "file"
    coach = await make_user(Role.COACH)
    assert (await _upload(client, coach, activity_fit(datetime(2026, 11, 30, tzinfo=timezone.utc))))["errors"][0][
        "__typename"] == "ForbiddenError"
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM training_sessions")) == before + 1  # the scheduled one
