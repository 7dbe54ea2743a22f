"""generateProgram and regenerateMesocycle over GraphQL, with the rule-based generator."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, text

from trainforge.models import FitnessProgram, Role
from trainforge.services.exercises import default_catalog

GENERATE = """
mutation ($input: GenerateProgramInput!) {
  generateProgram(input: $input) {
    errors { __typename message field }
    program {
      id name goal startDate endDate generator generatorModel promptVersion seed
      generationInput { goal startDate totalWeeks weekdays daysPerWeek sessionMinutes experience equipment
                        periodizationModel generator eventDate seed }
      athlete { id } createdBy { id }
      macrocycles { mesocycles { id phase weeks startDate endDate
        microcycles { weekNumber startDate endDate isDeload workouts { id date status } } } }
    }
  }
}
"""
REGENERATE = """
mutation ($id: ID!, $seed: Int) {
  regenerateMesocycle(mesocycleId: $id, seed: $seed) {
    errors { __typename message field }
    mesocycle { id microcycles { weekNumber workouts { id date status prescription { exercises { exercise } }
      session { workoutSnapshot { name sections { exercises { exercise sets } } } } } } }
  }
}
"""
SCHEDULE_WORKOUT = """
mutation ($input: ScheduleWorkoutInput!) {
  scheduleWorkout(input: $input) { session { id workoutSnapshot { name sections { exercises { exercise sets } } } } }
}
"""
COMPLETE = """
mutation ($input: CompleteSessionInput!) { completeSession(input: $input) { errors { message } } }
"""
NEXT_MONDAY = date.today() + timedelta(days=7 - date.today().weekday())


def request(**overrides):
    equipment = sorted(default_catalog().names())
    values = {
        "goal": "STRENGTH",
        "startDate": NEXT_MONDAY.isoformat(),
        "totalWeeks": 12,
        "weekdays": ["MONDAY", "WEDNESDAY", "FRIDAY"],
        "sessionMinutes": 60,
        "experience": "INTERMEDIATE",
        "equipment": equipment[:40],
    }
    values.update(overrides)
    return {"input": values}


async def _programs(engine) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(select(func.count()).select_from(FitnessProgram))


async def test_generated_program_is_stored_and_returned_whole(gql, make_user, engine):
    athlete = await make_user(Role.ATHLETE)

    result = await gql(GENERATE, request(), as_=athlete)

    payload = result["data"]["generateProgram"]
    assert payload["errors"] == []
    program = payload["program"]
    assert program["generator"] == "RULES" and program["generatorModel"] is None
    assert program["athlete"]["id"] == str(athlete.id) and program["createdBy"]["id"] == str(athlete.id)
    settings = program["generationInput"]
    assert settings == {
        "goal": "STRENGTH", "startDate": NEXT_MONDAY.isoformat(), "totalWeeks": 12,
        "weekdays": ["MONDAY", "WEDNESDAY", "FRIDAY"], "daysPerWeek": 3, "sessionMinutes": 60,
        "experience": "INTERMEDIATE", "equipment": sorted(request()["input"]["equipment"]),
        # AUTO is stored as the model it chose: undulating for an intermediate's strength program.
        "periodizationModel": "UNDULATING", "generator": "RULES", "eventDate": None, "seed": program["seed"],
    }
    assert 0 <= program["seed"] < 2**31
    assert program["startDate"] == NEXT_MONDAY.isoformat()
    assert program["endDate"] == (NEXT_MONDAY + timedelta(weeks=12, days=-1)).isoformat()
    weeks = [w for m in program["macrocycles"][0]["mesocycles"] for w in m["microcycles"]]
    assert [w["weekNumber"] for w in weeks] == list(range(1, 13))
    assert all(len(w["workouts"]) == 3 for w in weeks)
    # Every block ends with a deload but the last: a strength program ends with its test week.
    mesocycles = program["macrocycles"][0]["mesocycles"]
    assert [m["microcycles"][-1]["isDeload"] for m in mesocycles] == [True] * (len(mesocycles) - 1) + [False]
    assert await _programs(engine) == 1


async def test_generation_is_deterministic_for_the_same_input(gql, make_user):
    athlete = await make_user(Role.ATHLETE)
    first = (await gql(GENERATE, request(seed=7), as_=athlete))["data"]["generateProgram"]["program"]
    second = (await gql(GENERATE, request(seed=7), as_=athlete))["data"]["generateProgram"]["program"]

    def shape(program):
        return [(m["phase"], [(w["weekNumber"], [x["date"] for x in w["workouts"]]) for w in m["microcycles"]])
                for m in program["macrocycles"][0]["mesocycles"]]

    assert first["id"] != second["id"] and shape(first) == shape(second)


async def test_generation_issues_batched_statements(gql, make_user, count_statements):
    athlete = await make_user(Role.ATHLETE)
    query = "mutation ($input: GenerateProgramInput!) { generateProgram(input: $input) { program { id } errors { message } } }"
    with count_statements() as n:
        result = await gql(query, request(totalWeeks=52, weekdays=["MONDAY", "TUESDAY", "THURSDAY", "FRIDAY", "SATURDAY"]), as_=athlete)
    assert result["data"]["generateProgram"]["errors"] == []
    # the athlete's profile (heart rates), one multi-row INSERT per level (program, macrocycle,
    # mesocycles, microcycles, 260 workouts), the planner statistics checked, ANALYZE (tables
    # truncated before each test were never analyzed since), then the program read back
    assert n.value == 9


async def test_coach_generates_for_linked_athletes_only(gql, make_user, link, engine):
    coach, linked, stranger = await make_user(Role.COACH), await make_user(Role.ATHLETE), await make_user(Role.ATHLETE)
    await link(coach, linked)

    ok = (await gql(GENERATE, request(athleteId=str(linked.id)), as_=coach))["data"]["generateProgram"]
    refused = (await gql(GENERATE, request(athleteId=str(stranger.id)), as_=coach))["data"]["generateProgram"]

    assert ok["errors"] == [] and ok["program"]["createdBy"]["id"] == str(coach.id)
    assert refused == {"program": None, "errors": [{"__typename": "NotFoundError", "message": "no such athlete", "field": "athleteId"}]}
    assert await _programs(engine) == 1


async def test_bad_input_names_every_field_and_stores_nothing(gql, make_user, engine):
    athlete = await make_user(Role.ATHLETE)
    bad = request(totalWeeks=3, weekdays=[], equipment=["Hover board"], sessionMinutes=5, goal="COMPETITION", daysPerWeek=2)

    errors = (await gql(GENERATE, bad, as_=athlete))["data"]["generateProgram"]["errors"]

    assert {e["field"] for e in errors} == {"totalWeeks", "weekdays", "daysPerWeek", "sessionMinutes", "equipment", "eventDate"}
    assert {e["__typename"] for e in errors} == {"ValidationError"}
    assert "Hover board" in next(e["message"] for e in errors if e["field"] == "equipment")
    assert await _programs(engine) == 0


async def test_event_date_must_fall_in_the_last_week(gql, make_user):
    athlete = await make_user(Role.ATHLETE)
    early = (NEXT_MONDAY + timedelta(weeks=3)).isoformat()
    errors = (await gql(GENERATE, request(goal="COMPETITION", eventDate=early), as_=athlete))["data"]["generateProgram"]["errors"]
    assert [e["field"] for e in errors] == ["eventDate"]


async def test_llm_generator_unconfigured_is_a_validation_error(gql, make_user, engine):
    athlete = await make_user(Role.ATHLETE)
    errors = (await gql(GENERATE, request(generator="LLM"), as_=athlete))["data"]["generateProgram"]["errors"]
    assert [(e["__typename"], e["field"]) for e in errors] == [("ValidationError", "generator")]
    assert await _programs(engine) == 0


async def test_regenerate_keeps_other_mesocycles_and_workouts_with_sessions_beyond_scheduled(gql, make_user, engine):
    athlete = await make_user(Role.ATHLETE)
    program = (await gql(GENERATE, request(seed=1), as_=athlete))["data"]["generateProgram"]["program"]
    mesos = program["macrocycles"][0]["mesocycles"]
    target, others = mesos[1], [m for i, m in enumerate(mesos) if i != 1]
    week1, week2 = target["microcycles"][0]["workouts"], target["microcycles"][1]["workouts"]
    # A session in every state beyond scheduled, and one still scheduled (only a plan: it is replaced).
    flows = {
        week1[0]["id"]: ["startSession", "completeSession"], week1[1]["id"]: ["skipSession"],
        week1[2]["id"]: ["startSession"], week2[0]["id"]: ["cancelSession"], week2[1]["id"]: [],
    }
    snapshots = {}
    for workout_id, steps in flows.items():
        body = await gql(SCHEDULE_WORKOUT, {"input": {"workoutId": workout_id}}, as_=athlete)
        session = body["data"]["scheduleWorkout"]["session"]
        snapshots[workout_id] = session["workoutSnapshot"]
        for step in steps:
            if step == "completeSession":
                done = await gql(COMPLETE, {"input": {"sessionId": session["id"], "performanceLog": {"exercises": []}}},
                                 as_=athlete)
                assert done["data"]["completeSession"]["errors"] == []
            else:
                moved = await gql(f"mutation ($id: ID!) {{ {step}(sessionId: $id) {{ errors {{ message }} }} }}",
                                  {"id": session["id"]}, as_=athlete)
                assert moved["data"][step]["errors"] == []
    kept = {i for i, steps in flows.items() if steps}

    result = (await gql(REGENERATE, {"id": target["id"], "seed": 99}, as_=athlete))["data"]["regenerateMesocycle"]

    assert result["errors"] == []
    weeks = result["mesocycle"]["microcycles"]
    workouts = [w for week in weeks for w in week["workouts"]]
    assert [w["weekNumber"] for w in weeks] == [w["weekNumber"] for w in target["microcycles"]]
    # Workouts whose session went beyond scheduled survive with it, snapshot untouched; every training
    # day still has exactly one workout.
    assert {w["id"]: w["status"] for w in workouts if w["id"] in flows} == {
        week1[0]["id"]: "COMPLETED", week1[1]["id"]: "SKIPPED", week1[2]["id"]: "IN_PROGRESS",
        week2[0]["id"]: "CANCELLED",
    }
    assert {w["id"]: w["session"]["workoutSnapshot"] for w in workouts if w["id"] in kept} == {
        i: snapshots[i] for i in kept
    }
    assert all(len(week["workouts"]) == 3 and len({w["date"] for w in week["workouts"]}) == 3 for week in weeks)
    old_ids = {w["id"] for week in target["microcycles"] for w in week["workouts"]}
    assert {w["id"] for w in workouts} & old_ids == kept
    # The replaced workout's scheduled session went with it.
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM training_sessions")) == len(kept)
    # The other mesocycles are exactly as they were.
    after = (await gql("query ($id: ID!) { program(id: $id) { macrocycles { mesocycles { id microcycles { workouts { id } } } } } }",
                       {"id": program["id"]}, as_=athlete))["data"]["program"]["macrocycles"][0]["mesocycles"]
    for before in others:
        now = next(m for m in after if m["id"] == before["id"])
        assert [w["id"] for wk in now["microcycles"] for w in wk["workouts"]] == [
            w["id"] for wk in before["microcycles"] for w in wk["workouts"]
        ]


async def test_regenerate_refuses_other_people_and_programs_not_generated(gql, make_user, make_programs):
    athlete, other = await make_user(Role.ATHLETE), await make_user(Role.ATHLETE)
    program = (await gql(GENERATE, request(), as_=athlete))["data"]["generateProgram"]["program"]
    meso_id = program["macrocycles"][0]["mesocycles"][0]["id"]
    [demo_program] = await make_programs(athlete, mesocycles=1)
    demo_meso = (await gql("query ($id: ID!) { program(id: $id) { macrocycles { mesocycles { id } } } }",
                           {"id": str(demo_program)}, as_=athlete))["data"]["program"]["macrocycles"][0]["mesocycles"][0]["id"]

    stranger = (await gql(REGENERATE, {"id": meso_id}, as_=other))["data"]["regenerateMesocycle"]
    not_generated = (await gql(REGENERATE, {"id": demo_meso}, as_=athlete))["data"]["regenerateMesocycle"]

    assert stranger["errors"] == [{"__typename": "NotFoundError", "message": "no such mesocycle", "field": "mesocycleId"}]
    assert [e["__typename"] for e in not_generated["errors"]] == ["ValidationError"]


async def test_coach_cannot_generate_for_themself_or_another_coach(gql, make_user, engine):
    coach, other_coach = await make_user(Role.COACH), await make_user(Role.COACH)

    omitted = (await gql(GENERATE, request(), as_=coach))["data"]["generateProgram"]
    explicit = (await gql(GENERATE, request(athleteId=str(coach.id)), as_=coach))["data"]["generateProgram"]
    another = (await gql(GENERATE, request(athleteId=str(other_coach.id)), as_=coach))["data"]["generateProgram"]

    refused = {"program": None, "errors": [{"__typename": "ValidationError", "field": "athleteId",
                                            "message": "a coach plans for a linked athlete: choose one with athleteId"}]}
    assert omitted == explicit == refused
    # Another coach is nobody's athlete: answered like an unknown id.
    assert another == {"program": None, "errors": [{"__typename": "NotFoundError", "message": "no such athlete", "field": "athleteId"}]}
    assert await _programs(engine) == 0


async def test_seeds_are_ints_from_zero(gql, make_user, engine):
    athlete = await make_user(Role.ATHLETE)

    negative = (await gql(GENERATE, request(seed=-1), as_=athlete))["data"]["generateProgram"]
    largest = (await gql(GENERATE, request(seed=2**31 - 1), as_=athlete))["data"]["generateProgram"]

    assert [(e["__typename"], e["field"]) for e in negative["errors"]] == [("ValidationError", "seed")]
    assert largest["errors"] == [] and largest["program"]["seed"] == largest["program"]["generationInput"]["seed"] == 2**31 - 1
    assert await _programs(engine) == 1
    meso_id = largest["program"]["macrocycles"][0]["mesocycles"][0]["id"]
    regenerated = (await gql(REGENERATE, {"id": meso_id, "seed": -5}, as_=athlete))["data"]["regenerateMesocycle"]
    assert regenerated["mesocycle"] is None
    assert [(e["__typename"], e["field"]) for e in regenerated["errors"]] == [("ValidationError", "seed")]


async def test_generation_leaves_the_program_tables_analyzed(scratch_server, settings, tmp_path):
    """Into a database never analyzed: the tables have planner statistics right after the mutation."""
    import httpx

    from trainforge.app import create_app
    from trainforge.db import migrate, session_factory
    from trainforge.services import accounts, auth
    from trainforge.services.auth import Viewer
    from trainforge.services.statistics import PROGRAM_TABLES

    name = await scratch_server.create("trainforge_analyze")
    application = create_app(settings, scratch_server.database_url(name))
    engine = application.state.engine
    try:
        await migrate(engine)
        async with session_factory(engine).begin() as session:
            user = await accounts.sign_up(session, settings, email="a@example.com", password="long enough",
                                          role=Role.ATHLETE, display_name="A")
        token = auth.issue_token(settings, Viewer(user.id, Role.ATHLETE))
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post("/graphql", json={"query": GENERATE, "variables": request()},
                                         headers={"Authorization": f"Bearer {token}"})
        assert response.json()["data"]["generateProgram"]["errors"] == []

        async with engine.connect() as conn:
            # pg_class is transactional, unlike the cumulative statistics views: no lag to wait for.
            tuples = dict((await conn.execute(
                text("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(:names)"), {"names": list(PROGRAM_TABLES)}
            )).all())
            await conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            analyzed = dict((await conn.execute(
                text("SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = ANY(:names)"),
                {"names": list(PROGRAM_TABLES)},
            )).all())
        # 1 program, 1 macrocycle, 3 mesocycles, 12 weeks, 36 workouts
        assert tuples == {"fitness_programs": 1, "macrocycles": 1, "mesocycles": 3, "microcycles": 12, "workout_instances": 36}
        # last_analyze (not last_autoanalyze): it was our ANALYZE.
        assert analyzed == dict.fromkeys(PROGRAM_TABLES, True)
    finally:
        await engine.dispose()
        await scratch_server.drop(name)


BASELINE_QUERY = """
mutation ($input: GenerateProgramInput!) {
  generateProgram(input: $input) {
    errors { __typename message field }
    warnings { code message detail }
    program {
      generationInput { baseline { bodyWeightKg maxHr restingHr lifts { exercise e1rmKg trainingMaxKg } } }
      macrocycles { mesocycles { microcycles { workouts { prescription { exercises {
        exercise sets reps repsMax loadKg percentOneRm rpe repsInReserve loadBasis superset } } } } } }
    }
  }
}
"""
UPDATE_PROFILE = """
mutation ($input: ProfileInput!) { updateProfile(input: $input) { errors { message } } }
"""


async def test_loads_in_kg_from_the_athletes_maxes_and_heart_rates_from_the_profile(gql, make_user):
    athlete = await make_user(Role.ATHLETE)
    profile = await gql(UPDATE_PROFILE, {"input": {"maxHr": 190, "restingHr": 50}}, as_=athlete)
    assert profile["data"]["updateProfile"]["errors"] == []
    baseline = {"bodyWeightKg": 82.5, "lifts": [{"exercise": "back squat", "e1rmKg": 140},
                                                 {"exercise": "bench press", "trainingMaxKg": 90}]}
    result = await gql(BASELINE_QUERY, request(baseline=baseline, equipment=["Olympic barbell", "Power rack",
                                                                             "Flat bench", "Pull-up bar"]), as_=athlete)
    assert "errors" not in result, result["errors"]
    payload = result["data"]["generateProgram"]
    assert payload["errors"] == []
    settings = payload["program"]["generationInput"]["baseline"]
    # Common names resolve to the library's; the profile's heart rates are recorded with the input.
    assert settings == {"bodyWeightKg": 82.5, "maxHr": 190, "restingHr": 50, "lifts": [
        {"exercise": "Barbell Full Squat", "e1rmKg": 140.0, "trainingMaxKg": None},
        {"exercise": "Barbell Bench Press - Medium Grip", "e1rmKg": None, "trainingMaxKg": 90.0}]}
    exercises = [e for meso in payload["program"]["macrocycles"][0]["mesocycles"] for week in meso["microcycles"]
                 for workout in week["workouts"] for e in workout["prescription"]["exercises"]]
    squats = [e for e in exercises if e["exercise"] == "Barbell Full Squat" and e["loadKg"] is not None]
    assert squats and all(e["loadBasis"] == "PERCENT_ONE_RM" and (e["loadKg"] - 20) % 2.5 == 0 for e in squats)
    others = [e for e in exercises if e["exercise"] not in ("Barbell Full Squat", "Barbell Bench Press - Medium Grip")]
    assert all(e["percentOneRm"] is None and e["loadKg"] is None for e in others)
    assert any(e["loadBasis"] == "RPE" and e["repsInReserve"] is not None for e in others)
    assert payload["warnings"] == [
        {"code": "PATTERN_UNAVAILABLE", "message": "no carry exercise suits the equipment and level given",
         "detail": "carry"}]


async def test_a_body_weight_plan_says_what_it_cannot_do(gql, make_user):
    athlete = await make_user(Role.ATHLETE)
    result = await gql(BASELINE_QUERY, request(goal="HYPERTROPHY", equipment=[], sessionMinutes=30,
                                               weekdays=["MONDAY", "THURSDAY"]), as_=athlete)
    payload = result["data"]["generateProgram"]
    assert payload["errors"] == []
    codes = {(w["code"], w["detail"]) for w in payload["warnings"]}
    assert ("PATTERN_UNAVAILABLE", "vertical_pull") in codes
    assert any(code == "VOLUME_BELOW_TARGET" for code, _ in codes)


async def test_a_bad_baseline_is_refused_field_by_field_and_nothing_is_written(gql, make_user, engine):
    athlete = await make_user(Role.ATHLETE)
    baseline = {"bodyWeightKg": 9000, "raceDistanceKm": 0, "thresholdPaceSecondsPerKm": 5,
                "lifts": [{"exercise": "underwater basket weaving", "e1rmKg": 100},
                          {"exercise": "bench press", "e1rmKg": 100, "trainingMaxKg": 90},
                          {"exercise": "squat", "e1rmKg": -5}]}
    result = await gql(BASELINE_QUERY, request(baseline=baseline), as_=athlete)
    payload = result["data"]["generateProgram"]
    assert payload["program"] is None and payload["warnings"] == []
    fields = {e["field"] for e in payload["errors"]}
    assert fields == {"baseline.bodyWeightKg", "baseline.raceDistanceKm", "baseline.thresholdPaceSecondsPerKm",
                      "baseline.lifts.0.exercise", "baseline.lifts.1", "baseline.lifts.2.e1rmKg"}
    assert {e["__typename"] for e in payload["errors"]} == {"ValidationError"}
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(FitnessProgram)) == 0


async def test_a_race_on_a_rest_day_is_raced_and_stored(gql, make_user):
    athlete = await make_user(Role.ATHLETE)
    sunday = NEXT_MONDAY + timedelta(weeks=11, days=6)  # the last week's Sunday; training days are Mon/Wed/Fri
    query = """
    mutation ($input: GenerateProgramInput!) {
      generateProgram(input: $input) {
        errors { message }
        warnings { code }
        program { macrocycles { mesocycles { microcycles { workouts { date type durationMinutes
          prescription { exercises { exercise distanceMeters loadBasis paceFastSecondsPerKm } } } } } } }
      }
    }"""
    baseline = {"raceDistanceKm": 21.1, "weeklyRunningKm": 30, "thresholdPaceSecondsPerKm": 300}
    result = await gql(query, request(goal="ENDURANCE", eventDate=sunday.isoformat(), baseline=baseline), as_=athlete)
    payload = result["data"]["generateProgram"]
    assert payload["errors"] == []
    assert payload["warnings"] == [{"code": "NO_HEART_RATE_ZONES"}]  # no max HR in the profile: pace and RPE only
    workouts = [w for m in payload["program"]["macrocycles"][0]["mesocycles"] for c in m["microcycles"]
                for w in c["workouts"]]
    [race] = [w for w in workouts if w["date"] == sunday.isoformat()]
    assert race["type"] == "TEST" and race["durationMinutes"] > 60  # a half marathon, not the 60-minute session
    assert sum(e["distanceMeters"] or 0 for e in race["prescription"]["exercises"]) >= 21_000
    runs = [e for w in workouts if w["type"] == "ENDURANCE" for e in w["prescription"]["exercises"]]
    assert runs and all(e["paceFastSecondsPerKm"] is not None for e in runs)
