"""The LLM generator through the real `openai` client over real HTTP to a fake
OpenAI-compatible server: valid replies, invalid ones fed back and retried,
server errors and timeouts, concurrent breakdowns."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from trainforge.services.generation.service import breakdown_all
from fakes.model_replies import ValidModel, breakdown_reply, outline_reply, user_prompt
from fakes.openai_server import Delay, FakeOpenAI, HTTPError
from openai import AsyncOpenAI

from trainforge.config import Settings
from trainforge.models.programs import ProgramGoal, WorkoutType
from trainforge.services.exercises import default_catalog, default_library
from trainforge.services.generation import calendar
from trainforge.services.generation.llm import (
    PROMPT_VERSION,
    BreakdownReply,
    LLMGenerator,
    OutlineReply,
    llm_generator_from_settings,
    load_prompt,
)
from trainforge.services.generation.types import (
    AthleteBaseline,
    ExperienceLevel,
    GenerationFailed,
    GenerationRequest,
    GeneratorKind,
    LiftBaseline,
    PeriodizationModel,
    ProgramOutline,
    Weekday,
)

# The shipped library and catalog: exercise names below are real library names.
LIBRARY, CATALOG = default_library(), default_catalog()
GYM = frozenset({"Olympic barbell", "Power rack", "Flat bench", "Adjustable dumbbells", "Pull-up bar"})


def make_request(**overrides: Any) -> GenerationRequest:
    values: dict[str, Any] = {
        "athlete_id": uuid.uuid4(),
        "goal": ProgramGoal.STRENGTH,
        "start_date": date(2026, 3, 3),  # a Tuesday: weeks run Tuesday to Monday
        "total_weeks": 12,
        "weekdays": (Weekday.MONDAY, Weekday.WEDNESDAY, Weekday.FRIDAY),
        "session_minutes": 60,
        "experience": ExperienceLevel.INTERMEDIATE,
        "equipment": GYM,
        "model": PeriodizationModel.BLOCK,
        "generator": GeneratorKind.LLM,
    }
    values.update(overrides)
    return GenerationRequest(**values)


# --- Fixtures


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def generator(fake: FakeOpenAI) -> AsyncIterator[LLMGenerator]:
    client = AsyncOpenAI(base_url=fake.base_url, api_key="test-key", timeout=5, max_retries=0)
    gen = LLMGenerator(client, "fake-model", library=LIBRARY, catalog=CATALOG, max_attempts=3)
    yield gen
    await gen.aclose()


def settings_for(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "openai_base_url": base_url,
        "openai_api_key": "sk-test-secret-0123456789",
        "llm_model": "fake-model",
        "llm_timeout_seconds": 0.5,
        "llm_http_retries": 1,
        "llm_max_attempts": 3,
    }
    values.update(overrides)
    return Settings(**values)


# --- Valid output


async def test_valid_output_gives_plans_dated_by_the_calendar(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    request = make_request()
    fake.responder = ValidModel([4, 4, 4])
    async with asyncio.timeout(20):
        outline = await generator.outline(request)
        plans = await breakdown_all(generator, request, outline)

    assert generator.info.generator is GeneratorKind.LLM
    assert PROMPT_VERSION == "v2"
    assert (generator.info.model, generator.info.prompt_version) == ("fake-model", "v2")
    assert outline.name == "Strength block" and outline.model is PeriodizationModel.BLOCK
    spans = calendar.mesocycle_spans(request, [4, 4, 4])
    assert [(m.start_date, m.end_date) for m in outline.mesocycles] == [(s, e) for s, e, _ in spans]
    assert outline.mesocycles[0].weekly_targets.emphasis == "accumulation emphasis"

    weeks = [micro for plan in plans for micro in plan.microcycles]
    assert [w.week_number for w in weeks] == list(range(1, 13))
    assert plans[-1].end_date == weeks[-1].end_date == request.end_date
    for plan, meso in zip(plans, outline.mesocycles, strict=True):
        assert (plan.name, plan.phase, plan.start_date, plan.end_date) == (
            meso.name, meso.phase, meso.start_date, meso.end_date,
        )
        assert not any(m.is_deload for m in plan.microcycles[:-1])
        # Each block ends with a deload, the program (strength) with a test week.
        assert plan.microcycles[-1].is_deload is (plan is not plans[-1])
    assert all(w.workout_type is WorkoutType.TEST for w in weeks[-1].workouts)
    for week in weeks:
        assert (week.start_date, week.end_date) == (
            calendar.week_start(request, week.week_number), calendar.week_end(request, week.week_number),
        )
        assert [w.scheduled_date for w in week.workouts] == calendar.training_days(request, week.week_number)
        for workout in week.workouts:
            assert workout.duration_minutes == 60
            assert all(LIBRARY.get(e.exercise) is not None for e in workout.prescription.exercises)
    assert fake.calls == 4


async def test_requests_carry_the_json_schema_and_the_prompt(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    request = make_request(equipment=frozenset({"Adjustable dumbbells"}))
    fake.responder = ValidModel([4, 4, 4])
    async with asyncio.timeout(20):
        outline = await generator.outline(request)
        await generator.breakdown(request, outline, 1, 5)
    outline_body, breakdown_body = fake.requests
    assert outline_body["model"] == "fake-model"
    assert outline_body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "program_outline", "schema": OutlineReply.model_json_schema()},
    }
    assert breakdown_body["response_format"]["json_schema"]["schema"] == BreakdownReply.model_json_schema()
    assert [m["role"] for m in breakdown_body["messages"]] == ["system", "user"]
    prompt = user_prompt(breakdown_body)
    assert "Weeks: 4 (program weeks 5 to 8)" in prompt and "Block 2: intensification, 4 weeks" in prompt
    assert "0 = Wednesday, 1 = Friday, 2 = Monday" in prompt  # weeks start on a Tuesday
    # Only exercises the equipment allows are offered, grouped by pattern, staples first.
    menu = prompt.split("## Exercises to choose from", 1)[1].split("## Output", 1)[0]
    lines = [line for line in menu.splitlines() if line.startswith("- ")]
    assert lines[0].startswith("- squat: ") and any(line.startswith("- core: ") for line in lines)
    assert "- horizontal_pull: One-Arm Dumbbell Row;" in menu
    kinds = CATALOG.kinds_for(request.equipment)
    offered = [name for line in lines for name in line.split(": ", 1)[1].split("; ")]
    assert 20 <= len(offered) <= 130
    assert all(LIBRARY.get(name).equipment <= kinds for name in offered)


def test_prompts_render_every_placeholder() -> None:
    for step in ("outline", "breakdown"):
        prompt = load_prompt(step)
        names = set(prompt.system.get_identifiers()) | set(prompt.user.get_identifiers())
        messages = prompt.messages(**{name: f"<{name}>" for name in names})
        assert "$" not in messages[0]["content"] + messages[1]["content"]
        assert "JSON" in messages[0]["content"] and "<schema>" in messages[1]["content"]


async def test_misspelt_exercises_are_mapped_to_library_names(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    request = make_request(total_weeks=4)
    typed = ["Barbel Full Squat", "romanian deadlift", "  pushups ", "Dumbell Bench Press", "Standing Militray Press",
             "Bent Over Barbel Row"]
    fake.responder = ValidModel([4], names=typed)
    async with asyncio.timeout(20):
        outline = await generator.outline(request)
        [plan] = await breakdown_all(generator, request, outline)
    names = [e.exercise for e in plan.microcycles[0].workouts[0].prescription.exercises]
    assert names == [
        "Barbell Full Squat", "Romanian Deadlift", "Pushups", "Dumbbell Bench Press", "Standing Military Press",
        "Bent Over Barbell Row",
    ]
    assert fake.calls == 2


async def test_exercises_needing_missing_equipment_are_refused(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    request = make_request(total_weeks=4, equipment=frozenset({"Adjustable dumbbells"}))
    fake.responder = ValidModel([4])
    async with asyncio.timeout(20):
        outline = await generator.outline(request)
        # The first needs a barbell (the program's only block ends with its test week).
        fake.script(breakdown_reply(4, 3, ["Barbell Deadlift", "One-Arm Dumbbell Row"], test_week=True))
        plan = await generator.breakdown(request, outline, 0, 1)
    feedback = fake.user_messages(2)[-1]
    assert (
        "weeks[0].workouts[0].exercises[0].exercise: 'Barbell Deadlift' needs equipment the athlete does not have "
        "(barbell)" in feedback
    )
    exercises = {e.exercise for week in plan.microcycles for w in week.workouts for e in w.prescription.exercises}
    assert all(LIBRARY.get(name).equipment <= {"dumbbell"} for name in exercises)


async def test_fenced_json_is_accepted(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    fake.script("```json\n" + json.dumps(outline_reply([4])) + "\n```")
    async with asyncio.timeout(20):
        outline = await generator.outline(make_request(total_weeks=4))
    assert len(outline.mesocycles) == 1 and fake.calls == 1


# --- Invalid output: fed back, retried


async def test_invalid_json_then_valid_succeeds_on_the_second_call(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    fake.script('{"name": "Strength block", "mesocycles": [')
    fake.responder = ValidModel([4, 4, 4])
    async with asyncio.timeout(20):
        outline = await generator.outline(make_request())
    assert len(outline.mesocycles) == 3
    assert fake.calls == 2
    retry = fake.requests[1]["messages"]
    assert [m["role"] for m in retry] == ["system", "user", "assistant", "user"]
    assert retry[2]["content"] == '{"name": "Strength block", "mesocycles": ['
    assert "not valid JSON" in retry[3]["content"]
    assert retry[:2] == fake.requests[0]["messages"]


def _mutated(reply: dict[str, Any], change: Any) -> dict[str, Any]:
    change(reply)
    return reply


def _drop_name(reply: dict[str, Any]) -> None:
    del reply["mesocycles"][1]["name"]


def _unknown_phase(reply: dict[str, Any]) -> None:
    reply["mesocycles"][0]["phase"] = "superphase"


def _low_above_high(reply: dict[str, Any]) -> None:
    reply["mesocycles"][2]["weekly_targets"].update(intensity_low_pct=90, intensity_high_pct=80)


@pytest.mark.parametrize(
    ("request_overrides", "bad_reply", "expected_feedback"),
    [
        ({}, lambda: outline_reply([4, 4, 3]),
         "mesocycles: their weeks add up to 11 (4 + 4 + 3); they must add up to exactly 12"),
        ({}, lambda: outline_reply([1, 5, 6]), "mesocycles[0].weeks: 1 is out of range"),
        ({}, lambda: outline_reply([4, 4, 4], sessions=5), "mesocycles[0].weekly_targets.sessions: 5 given; it must be 3"),
        ({}, lambda: _mutated(outline_reply([4, 4, 4]), _drop_name), "mesocycles[1].name: Field required"),
        ({}, lambda: _mutated(outline_reply([4, 4, 4]), _unknown_phase), "mesocycles[0].phase: Input should be"),
        ({}, lambda: _mutated(outline_reply([4, 4, 4]), _low_above_high),
         "mesocycles[2].weekly_targets: intensity_low_pct must not exceed intensity_high_pct"),
        ({"total_weeks": 4}, lambda: outline_reply([2, 2]), "a 4-week program has exactly one mesocycle, not 2"),
        ({"goal": ProgramGoal.COMPETITION, "event_date": date(2026, 5, 23)}, lambda: outline_reply([4, 4, 4]),
         "mesocycles[2].phase: the program ends on an event day, so the last mesocycle must be taper or peak"),
    ],
    ids=["weeks-sum", "short-mesocycle", "sessions", "missing-field", "unknown-phase", "targets", "4-weeks", "event"],
)
async def test_schema_violating_outline_then_valid_succeeds(
    fake: FakeOpenAI, generator: LLMGenerator, request_overrides: dict[str, Any], bad_reply: Any, expected_feedback: str
) -> None:
    request = make_request(**request_overrides)
    weeks = [4] if request.total_weeks == 4 else [4, 4, 4]
    fake.script(bad_reply())
    fake.responder = ValidModel(weeks, last_phase="taper" if request.event_date else "realization")
    async with asyncio.timeout(20):
        outline = await generator.outline(request)
    assert [m.weeks for m in outline.mesocycles] == weeks
    assert fake.calls == 2
    assert expected_feedback in fake.user_messages(1)[-1]


async def test_invalid_breakdown_is_fed_back_per_field(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    request = make_request()
    fake.responder = ValidModel([4, 4, 4])
    async with asyncio.timeout(20):
        outline = await generator.outline(request)
        bad = breakdown_reply(4, 3, ["Barbell Full Squat", "Plank"])
        bad["weeks"][3]["is_deload"] = False
        bad["weeks"][0]["workouts"][1]["day"] = 0  # two workouts on day 0, none on day 1
        bad["weeks"][0]["workouts"][0]["exercises"][1]["exercise"] = "Underwater Basket Weaving"
        bad["weeks"][1]["workouts"][0]["exercises"][0]["sets"] = 30
        bad["weeks"][1]["workouts"][0]["exercises"][1]["reps"] = None
        fake.script(bad)
        plan = await generator.breakdown(request, outline, 1, 5)
    assert [m.week_number for m in plan.microcycles] == [5, 6, 7, 8]
    feedback = fake.user_messages(2)[-1]
    assert "weeks[3].is_deload: the last week must be a deload week" in feedback
    assert "weeks[0].workouts: day indexes [2, 0, 0] given" in feedback
    assert "exercises[1].exercise: 'Underwater Basket Weaving' is not in the exercise list" in feedback
    assert "weeks[1].workouts[0].exercises[0].sets: Input should be less than or equal to 20" in feedback
    assert "weeks[1].workouts[0].exercises[1]: an exercise needs reps or duration_seconds" in feedback
    assert fake.calls == 3


async def test_a_breakdown_breaking_the_coaching_rules_is_sent_back(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    """Well-formed but unsound: the same review as the rule-based generator's, fed back like schema errors."""
    request = make_request()
    fake.responder = ValidModel([4, 4, 4])
    async with asyncio.timeout(20):
        outline = await generator.outline(request)
        unsound = breakdown_reply(4, 3, ["Barbell Full Squat", "Barbell Deadlift", "Barbell Bench Press - Medium Grip",
                                         "Standing Bradford Press"])
        unsound["weeks"][0]["workouts"][0]["exercises"][0]["percent_one_rm"] = 80  # no 1RM was given
        unsound["weeks"][1]["workouts"][0]["exercises"][2]["load_kg"] = 61  # not on a 20 kg bar and 2.5 kg steps
        fake.script(unsound)
        plan = await generator.breakdown(request, outline, 1, 5)
    feedback = fake.user_messages(2)[-1]
    assert "week 5: Standing Bradford Press is screened out (behind-the-neck variation)" in feedback
    assert "week 5: no pull exercise although the equipment allows one" in feedback
    assert "week 5: Barbell Full Squat: % of 1RM on a lift without a known 1RM" in feedback
    assert "week 6: Barbell Bench Press - Medium Grip: 61 kg cannot be loaded on its implement" in feedback
    assert fake.calls == 3  # the outline, the unsound reply, the sound one
    names = {e.exercise for week in plan.microcycles for w in week.workouts for e in w.prescription.exercises}
    assert "Standing Bradford Press" not in names


async def test_the_menu_offers_nothing_screened_or_above_the_athletes_level(
    fake: FakeOpenAI, generator: LLMGenerator
) -> None:
    request = make_request(experience=ExperienceLevel.BEGINNER, equipment=frozenset(CATALOG.names()))
    fake.responder = ValidModel([4, 4, 4])
    async with asyncio.timeout(20):
        outline = await generator.outline(request)
        await generator.breakdown(request, outline, 0, 1)
    menu = user_prompt(fake.requests[1]).split("## Exercises to choose from", 1)[1].split("## Output", 1)[0]
    offered = [name for line in menu.splitlines() if line.startswith("- ") for name in line.split(": ", 1)[1].split("; ")]
    assert offered and not [name for name in offered if "Bradford" in name or "Behind" in name or "Manual" in name]
    assert "Pullups" not in offered and "Natural Glute Ham Raise" not in offered
    assert "Barbell Deadlift" in offered  # curated: beginners learn it


async def test_the_prompt_states_the_athletes_numbers_and_the_event_day(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    race = date(2026, 3, 3) + timedelta(weeks=11, days=5)  # the last week's Sunday: not a training day
    baseline = AthleteBaseline(lifts=(LiftBaseline("Barbell Full Squat", e1rm_kg=140),), race_distance_km=21.1,
                               threshold_pace_seconds_per_km=290, max_hr=188, resting_hr=50)
    request = make_request(goal=ProgramGoal.ENDURANCE, event_date=race, baseline=baseline)
    fake.responder = lambda body: json.dumps(outline_reply([4, 4, 4], last_phase="taper"))
    async with asyncio.timeout(20):
        outline = await generator.outline(request)
        fake.script(json.dumps({"weeks": []}))  # any reply: only the prompt is looked at here
        with pytest.raises(GenerationFailed):
            await generator.breakdown(request, outline, 2, 9)
    prompt = user_prompt(fake.requests[1])
    assert "- Barbell Full Squat: 1RM 140.0 kg" in prompt and "- Threshold pace: 4:50 min/km" in prompt
    assert "- Max HR: 188 bpm" in prompt and "- Race distance: 21.1 km" in prompt
    assert f"In program week 12 the event ({race.isoformat()}, a Sunday) is a day of its own" in prompt


async def test_always_invalid_fails_after_max_attempts(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    fake.responder = lambda body: json.dumps(outline_reply([4, 4, 3]))
    async with asyncio.timeout(20):
        with pytest.raises(GenerationFailed) as failure:
            await generator.outline(make_request())
    assert fake.calls == 3
    assert failure.value.field is None
    assert "outline" in failure.value.message and "after 3 attempts" in failure.value.message
    assert "add up to 11" in failure.value.message
    # Each retry carries the whole conversation so far.
    assert [len(r["messages"]) for r in fake.requests] == [2, 4, 6]


async def test_a_failing_breakdown_fails_them_all(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    request = make_request()
    valid = ValidModel([4, 4, 4])

    def respond(body: dict[str, Any]) -> str:
        if "Weeks: 4 (program weeks 5 to 8)" in user_prompt(body):
            return json.dumps(breakdown_reply(3, 3, ["Plank"]))  # one week short, every time
        return valid(body)

    fake.responder = respond
    async with asyncio.timeout(20):
        outline = await generator.outline(request)
        with pytest.raises(GenerationFailed, match=r"breakdown of mesocycle 2 \(Block 2\).*after 3 attempts"):
            await breakdown_all(generator, request, outline)


# --- Server problems


async def test_http_500_fails_after_the_clients_retries(fake: FakeOpenAI) -> None:
    error = HTTPError(500, headers={"retry-after-ms": "10"})
    fake.script(error, error, error)
    gen = llm_generator_from_settings(settings_for(fake.base_url), LIBRARY, CATALOG)
    try:
        async with asyncio.timeout(20):
            with pytest.raises(GenerationFailed, match="outline failed: the LLM server answered HTTP 500"):
                await gen.outline(make_request())
    finally:
        await gen.aclose()
    assert fake.calls == 2  # one call and the client's one retry; no validation retries


async def test_auth_errors_name_the_setting_without_echoing_the_key(fake: FakeOpenAI) -> None:
    body = {"error": {"message": "Incorrect API key provided: sk-test-secret-0123456789", "type": "invalid_request_error",
                      "code": "invalid_api_key", "param": None}}
    fake.script(HTTPError(401, body))
    gen = llm_generator_from_settings(settings_for(fake.base_url), LIBRARY, CATALOG)
    try:
        async with asyncio.timeout(20):
            with pytest.raises(GenerationFailed) as failure:
                await gen.outline(make_request())
    finally:
        await gen.aclose()
    assert "HTTP 401, invalid_api_key (check OPENAI_API_KEY)" in failure.value.message
    assert "sk-test" not in failure.value.message
    assert fake.calls == 1  # 4xx other than 408/409/429 is not retried
    assert fake.requests[0]["model"] == "fake-model"


async def test_timeouts_fail_after_the_clients_retries(fake: FakeOpenAI) -> None:
    fake.script(Delay(5), Delay(5))
    gen = llm_generator_from_settings(settings_for(fake.base_url), LIBRARY, CATALOG)
    try:
        async with asyncio.timeout(20):
            with pytest.raises(GenerationFailed, match="did not answer in time"):
                await gen.outline(make_request())
    finally:
        await gen.aclose()
    assert fake.calls == 2


async def test_an_unreachable_server_fails_cleanly() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    gen = llm_generator_from_settings(
        settings_for(f"http://127.0.0.1:{port}/v1", llm_http_retries=0), LIBRARY, CATALOG
    )
    try:
        async with asyncio.timeout(20):
            with pytest.raises(GenerationFailed, match="could not connect to the LLM server"):
                await gen.outline(make_request())
    finally:
        await gen.aclose()


# --- Concurrency


async def _outline_of(generator: LLMGenerator, request: GenerationRequest) -> ProgramOutline:
    async with asyncio.timeout(20):
        return await generator.outline(request)


async def test_breakdowns_run_concurrently(fake: FakeOpenAI, generator: LLMGenerator) -> None:
    request = make_request(total_weeks=16)
    fake.responder = ValidModel([4, 4, 4, 4])
    outline = await _outline_of(generator, request)
    fake.latency = 0.3
    async with asyncio.timeout(20):
        plans = await breakdown_all(generator, request, outline)
    assert fake.max_in_flight >= 2
    assert [p.microcycles[0].week_number for p in plans] == [1, 5, 9, 13]
    assert [p.name for p in plans] == ["Block 1", "Block 2", "Block 3", "Block 4"]


async def test_concurrency_is_bounded(fake: FakeOpenAI) -> None:
    client = AsyncOpenAI(base_url=fake.base_url, api_key="test-key", timeout=5, max_retries=0)
    gen = LLMGenerator(client, "fake-model", library=LIBRARY, catalog=CATALOG, concurrency=2)
    request = make_request(total_weeks=16)
    fake.responder = ValidModel([4, 4, 4, 4])
    try:
        outline = await _outline_of(gen, request)
        fake.latency = 0.1
        async with asyncio.timeout(20):
            await breakdown_all(gen, request, outline)
    finally:
        await gen.aclose()
    assert fake.max_in_flight == 2 and fake.calls == 5

