"""Endurance templates: nested repeat blocks, their expansion, sessions scheduled (run live) or logged whole."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import text

from trainforge.models import Role

from test_live_sessions import COMPLETE, SAVE, START, STATUS, write

ERRORS = "errors { __typename message field }"
TARGET = "target { kind zone low high }"
STEP = f"type durationSeconds distanceMeters metrics {TARGET} notes"
TEMPLATE = f"""
id name sport phase focusBlock
steps {{ __typename ... on TemplateStep {{ {STEP} }}
  ... on RepeatBlock {{ repeat steps {{ __typename ... on TemplateStep {{ {STEP} }}
    ... on RepeatBlock {{ repeat steps {{ __typename ... on TemplateStep {{ {STEP} }} }} }} }} }} }}
plannedSteps {{ index type durationSeconds distanceMeters blockId repeatIndex repeats {{ blockId iteration count }} }}
"""
CREATE = f"mutation ($input: EnduranceTemplateInput!) {{ createEnduranceTemplate(input: $input) {{ template {{ {TEMPLATE} }} {ERRORS} }} }}"
UPDATE = f"mutation ($id: ID!, $input: EnduranceTemplateInput!) {{ updateEnduranceTemplate(id: $id, input: $input) {{ template {{ id }} {ERRORS} }} }}"
DELETE = f"mutation ($id: ID!) {{ deleteEnduranceTemplate(id: $id) {{ deletedId {ERRORS} }} }}"
READ = f"query ($id: ID!) {{ enduranceTemplate(id: $id) {{ {TEMPLATE} }} }}"
SESSION = """
id status kind source date durationSeconds enduranceTemplate { id }
workoutSnapshot { name sport plannedSteps { index type targetBpmLow targetBpmHigh blockId repeatIndex } }
performanceLog { steps { index durationSeconds distanceMeters avgHr maxHr zoneReached completed }
  totals { durationSeconds distanceMeters calories avgHr maxHr } }
"""
SCHEDULE = f"mutation ($input: ScheduleEnduranceInput!) {{ scheduleEnduranceSession(input: $input) {{ session {{ {SESSION} }} {ERRORS} }} }}"
LOG = f"mutation ($input: LogEnduranceSessionInput!) {{ logEnduranceSession(input: $input) {{ session {{ {SESSION} }} {ERRORS} }} }}"
SESSION_READ = f"query ($id: ID!) {{ session(id: $id) {{ {SESSION} }} }}"

Z4 = {"kind": "HR_ZONE", "zone": 4}
Z1 = {"kind": "HR_ZONE", "zone": 1}
# 10 min warm-up; 6 x [3 min Z4, 2 min Z1]; 2 x [3 x [400 m at 3:40-3:50/km, 200 m easy], 5 min steady]; cool-down.
INTERVALS = {
    "name": "Threshold and track", "sport": "RUN", "phase": "BUILD", "focusBlock": "VO2max",
    "steps": [
        {"type": "WARM_UP", "durationSeconds": 600, "metrics": ["DURATION", "HEART_RATE"]},
        {"repeat": 6, "steps": [
            {"type": "INTERVAL", "durationSeconds": 180, "target": Z4},
            {"type": "RECOVERY", "durationSeconds": 120, "target": Z1},
        ]},
        {"repeat": 2, "steps": [
            {"repeat": 3, "steps": [
                {"type": "INTERVAL", "distanceMeters": 400, "target": {"kind": "PACE_RANGE", "low": 220, "high": 230}},
                {"type": "RECOVERY", "distanceMeters": 200},
            ]},
            {"type": "STEADY", "durationSeconds": 300, "target": {"kind": "HR_RANGE", "low": 140, "high": 150}},
        ]},
        {"type": "COOL_DOWN", "durationSeconds": 600},
    ],
}


async def _create(gql, person, template=INTERVALS) -> dict:  # noqa: ANN001
    body = (await gql(CREATE, {"input": template}, as_=person))["data"]["createEnduranceTemplate"]
    assert body["errors"] == [], body
    return body["template"]


async def test_nested_repeats_stay_compact_and_expand_step_by_step(gql, make_user):
    coach = await make_user(Role.COACH)
    template = await _create(gql, coach)
    assert [item["__typename"] for item in template["steps"]] == ["TemplateStep", "RepeatBlock", "RepeatBlock",
                                                                  "TemplateStep"]
    track = template["steps"][2]
    assert track["repeat"] == 2 and track["steps"][0]["repeat"] == 3
    assert track["steps"][0]["steps"][0]["target"] == {"kind": "PACE_RANGE", "zone": None, "low": 220.0, "high": 230.0}

    planned = template["plannedSteps"]
    assert len(planned) == 1 + 6 * 2 + 2 * (3 * 2 + 1) + 1 == 28
    assert [p["index"] for p in planned] == list(range(28))
    assert planned[0] | {"repeats": None} == {"index": 0, "type": "WARM_UP", "durationSeconds": 600,
                                              "distanceMeters": None, "blockId": None, "repeatIndex": None,
                                              "repeats": None}
    # The sixth recovery of the first block.
    assert (planned[12]["type"], planned[12]["blockId"], planned[12]["repeatIndex"]) == ("RECOVERY", "1", 6)
    # Second pass of the outer track block, third 400 m of its inner block: both blocks named.
    fourth = [p for p in planned if p["distanceMeters"] == 400][5]
    assert fourth["repeats"] == [{"blockId": "2", "iteration": 2, "count": 2},
                                 {"blockId": "2.0", "iteration": 3, "count": 3}]
    assert (fourth["blockId"], fourth["repeatIndex"]) == ("2.0", 3)
    steady = [p for p in planned if p["type"] == "STEADY"]
    assert [(s["blockId"], s["repeatIndex"]) for s in steady] == [("2", 1), ("2", 2)]
    assert planned[-1]["type"] == "COOL_DOWN"


async def test_bad_steps_are_named_and_nothing_is_written(gql, make_user, engine):
    coach = await make_user(Role.COACH)
    bad = {**INTERVALS, "steps": [
        {"type": "WARM_UP"},  # no duration or distance
        {"repeat": 6, "steps": [{"type": "INTERVAL", "durationSeconds": 180,
                                 "target": {"kind": "HR_RANGE", "low": 170, "high": 150}}]},
        {"repeat": 1, "steps": [{"type": "STEADY", "durationSeconds": 60}]},
        {"repeat": 4, "type": "STEADY", "durationSeconds": 60, "steps": [{"type": "STEADY", "durationSeconds": 60}]},
    ]}
    body = (await gql(CREATE, {"input": bad}, as_=coach))["data"]["createEnduranceTemplate"]
    assert body["template"] is None
    fields = sorted(e["field"] for e in body["errors"])
    assert fields == ["input.steps.0", "input.steps.1.steps.0.target.high", "input.steps.2.repeat", "input.steps.3"], body
    assert {e["__typename"] for e in body["errors"]} == {"ValidationError"}

    deep = {"type": "STEADY", "durationSeconds": 10}
    for _ in range(4):
        deep = {"repeat": 2, "steps": [deep]}
    too_deep = (await gql(CREATE, {"input": {**INTERVALS, "steps": [deep]}}, as_=coach))["data"]
    assert "nest 4 deep" in too_deep["createEnduranceTemplate"]["errors"][0]["message"]
    huge = {"repeat": 100, "steps": [{"type": "STEADY", "durationSeconds": 10}, {"type": "RECOVERY", "durationSeconds": 5},
                                     {"type": "STEADY", "durationSeconds": 10}]}
    too_many = (await gql(CREATE, {"input": {**INTERVALS, "steps": [huge]}}, as_=coach))["data"]
    assert "300 planned steps" in too_many["createEnduranceTemplate"]["errors"][0]["message"]
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM endurance_templates")) == 0


async def test_a_scheduled_session_has_bpm_targets_for_its_athlete_and_runs_live(gql, make_user, link):
    coach = await make_user(Role.COACH)
    athlete = await make_user(Role.ATHLETE, max_hr=190, resting_hr=50)
    await link(coach, athlete)
    template = await _create(gql, coach)
    scheduled = (await gql(SCHEDULE, {"input": {"templateId": template["id"], "athleteId": str(athlete.id),
                                               "date": date.today().isoformat()}}, as_=coach))["data"]
    session = scheduled["scheduleEnduranceSession"]["session"]
    assert scheduled["scheduleEnduranceSession"]["errors"] == []
    assert (session["status"], session["kind"], session["source"]) == ("SCHEDULED", "ENDURANCE", "ENDURANCE_TEMPLATE")
    assert session["enduranceTemplate"] == {"id": template["id"]}
    planned = session["workoutSnapshot"]["plannedSteps"]
    assert session["workoutSnapshot"]["sport"] == "RUN" and len(planned) == 28
    # Karvonen: 50 + 80-90 % of (190 - 50) for zone 4, 50-60 % for zone 1; an HR range is kept as given.
    assert (planned[1]["targetBpmLow"], planned[1]["targetBpmHigh"]) == (162, 176)
    assert (planned[2]["targetBpmLow"], planned[2]["targetBpmHigh"]) == (120, 134)
    assert [(p["targetBpmLow"], p["targetBpmHigh"]) for p in planned if p["type"] == "STEADY"] == [(140, 150)] * 2
    assert (planned[13]["type"], planned[13]["targetBpmLow"]) == ("INTERVAL", None)  # a pace target: no bpm
    assert planned[0]["targetBpmLow"] is None  # no target

    # Run live like a strength session: one progress item per planned step.
    started = (await gql(START, {"id": session["id"], "device": "watch"}, as_=athlete))["data"]["startWorkout"]
    items = started["progress"]["exercises"]
    assert len(items) == 28 and {i["type"] for i in items} == {"STEP"}
    saved = await gql(SAVE, write(session["id"], "watch", position=1, baseVersion=1,
                                  data={"step": {"durationSeconds": 181, "avgHr": 168, "maxHr": 175, "zoneReached": 4}}),
                      as_=athlete)
    assert saved["data"]["saveExerciseProgress"]["errors"] == []
    status = await gql(STATUS, write(session["id"], "watch", position=1, baseVersion=2, status="COMPLETED"), as_=athlete)
    assert status["data"]["setExerciseStatus"]["errors"] == []
    done = (await gql(COMPLETE, {"id": session["id"]}, as_=athlete))["data"]["completeWorkout"]
    assert done["errors"] == []
    log = (await gql(SESSION_READ, {"id": session["id"]}, as_=athlete))["data"]["session"]["performanceLog"]
    assert log["steps"] == [{"index": 1, "durationSeconds": 181, "distanceMeters": None, "avgHr": 168, "maxHr": 175,
                             "zoneReached": 4, "completed": True}]
    assert log["totals"] == {"durationSeconds": 181, "distanceMeters": None, "calories": None, "avgHr": 168,
                             "maxHr": 175}


async def test_a_logged_execution_is_one_completed_session_with_steps_and_totals(gql, make_user, engine):
    athlete = await make_user(Role.ATHLETE)
    template = await _create(gql, athlete)
    started = datetime.now(timezone.utc) - timedelta(hours=2)
    steps = [{"index": 0, "durationSeconds": 600, "distanceMeters": 1800.0, "avgHr": 130, "maxHr": 142},
             {"index": 1, "durationSeconds": 180, "distanceMeters": 850.0, "avgHr": 170, "maxHr": 178, "zoneReached": 4},
             {"index": 2, "durationSeconds": 120, "completed": False}]
    body = (await gql(LOG, {"input": {"templateId": template["id"], "startedAt": started.isoformat(),
                                      "steps": steps}}, as_=athlete))["data"]["logEnduranceSession"]
    assert body["errors"] == []
    session = body["session"]
    assert (session["status"], session["durationSeconds"]) == ("COMPLETED", 900)
    assert len(session["workoutSnapshot"]["plannedSteps"]) == 28
    # Totals from the steps: durations and distances summed, average HR weighted by duration.
    assert session["performanceLog"]["totals"] == {"durationSeconds": 900, "distanceMeters": 2650.0, "calories": None,
                                                   "avgHr": round((130 * 600 + 170 * 180) / 780), "maxHr": 178}
    assert [s["completed"] for s in session["performanceLog"]["steps"]] == [True, True, False]

    given = {"durationSeconds": 3300, "distanceMeters": 11000.0, "calories": 780, "avgHr": 151, "maxHr": 182}
    body = (await gql(LOG, {"input": {"templateId": template["id"], "startedAt": started.isoformat(), "steps": steps,
                                      "totals": given}}, as_=athlete))["data"]["logEnduranceSession"]
    assert body["session"]["performanceLog"]["totals"] == given

    async with engine.connect() as conn:
        before = await conn.scalar(text("SELECT count(*) FROM training_sessions"))
    bad = [{"index": 0, "avgHr": 170, "maxHr": 150}, {"index": 99}, {"index": 1, "zoneReached": 6}]
    body = (await gql(LOG, {"input": {"templateId": template["id"], "startedAt": started.isoformat(), "steps": bad}},
                      as_=athlete))["data"]["logEnduranceSession"]
    assert body["session"] is None
    assert sorted(e["field"] for e in body["errors"]) == ["input.steps.0", "input.steps.1.index",
                                                          "input.steps.2.zoneReached"]
    future = datetime.now(timezone.utc) + timedelta(days=1)
    body = (await gql(LOG, {"input": {"templateId": template["id"], "startedAt": future.isoformat(), "steps": []}},
                      as_=athlete))["data"]["logEnduranceSession"]
    assert body["errors"][0]["field"] == "input.startedAt"
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM training_sessions")) == before


async def test_editing_or_deleting_a_template_leaves_its_sessions_as_they_were(gql, make_user):
    athlete = await make_user(Role.ATHLETE)
    template = await _create(gql, athlete)
    session = (await gql(SCHEDULE, {"input": {"templateId": template["id"], "date": "2026-12-20"}},
                         as_=athlete))["data"]["scheduleEnduranceSession"]["session"]
    short = {**INTERVALS, "steps": [{"type": "STEADY", "durationSeconds": 1800}]}
    assert (await gql(UPDATE, {"id": template["id"], "input": short}, as_=athlete))["data"][
        "updateEnduranceTemplate"]["errors"] == []
    assert len((await gql(READ, {"id": template["id"]}, as_=athlete))["data"]["enduranceTemplate"]["plannedSteps"]) == 1
    read = (await gql(SESSION_READ, {"id": session["id"]}, as_=athlete))["data"]["session"]
    assert len(read["workoutSnapshot"]["plannedSteps"]) == 28

    assert (await gql(DELETE, {"id": template["id"]}, as_=athlete))["data"]["deleteEnduranceTemplate"] == {
        "deletedId": template["id"], "errors": []}
    read = (await gql(SESSION_READ, {"id": session["id"]}, as_=athlete))["data"]["session"]
    assert read["enduranceTemplate"] is None and len(read["workoutSnapshot"]["plannedSteps"]) == 28


async def test_strangers_cannot_read_edit_or_use_a_template(gql, make_user, link):
    coach, athlete, stranger = await make_user(Role.COACH), await make_user(), await make_user(Role.COACH)
    await link(coach, athlete)
    template = await _create(gql, coach)
    assert (await gql(READ, {"id": template["id"]}, as_=athlete))["data"]["enduranceTemplate"]["id"] == template["id"]
    assert (await gql(READ, {"id": template["id"]}, as_=stranger))["data"]["enduranceTemplate"] is None
    edited = (await gql(UPDATE, {"id": template["id"], "input": INTERVALS}, as_=athlete))["data"]
    assert edited["updateEnduranceTemplate"]["errors"][0]["__typename"] == "NotFoundError"
    scheduled = (await gql(SCHEDULE, {"input": {"templateId": template["id"], "athleteId": str(athlete.id),
                                               "date": "2026-12-20"}}, as_=stranger))["data"]
    assert scheduled["scheduleEnduranceSession"]["errors"][0]["field"] == "input.templateId"
    # The athlete may use the coach's template for themself; the coach not for an athlete not theirs.
    mine = (await gql(SCHEDULE, {"input": {"templateId": template["id"], "date": "2026-12-20"}}, as_=athlete))["data"]
    assert mine["scheduleEnduranceSession"]["errors"] == []
    other = await make_user()
    theirs = (await gql(SCHEDULE, {"input": {"templateId": template["id"], "athleteId": str(other.id),
                                            "date": "2026-12-20"}}, as_=coach))["data"]
    assert theirs["scheduleEnduranceSession"]["errors"][0]["field"] == "input.athleteId"
    assert (await gql(DELETE, {"id": str(uuid.uuid4())}, as_=coach))["data"]["deleteEnduranceTemplate"][
        "errors"][0]["__typename"] == "NotFoundError"
