"""The rule-based generator: properties over many requests, and a few worked examples.

No database: requests are built directly and the generator's two steps are run as
the service runs them (outline, then each mesocycle's breakdown).
"""

from __future__ import annotations

import asyncio
import math
import uuid
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainforge.models.program_content import WeeklyTargets, WorkoutPrescription
from trainforge.models.programs import MesocyclePhase, ProgramGoal, WorkoutType
from trainforge.services.exercises import LEVELS, MovementPattern, default_catalog, default_library
from trainforge.services.generation.curation import level_of
from trainforge.services.generation.rules import RuleBasedGenerator
from trainforge.services.generation.rules_outline import ends_with_test
from trainforge.services.generation.types import (
    AthleteBaseline,
    ExperienceLevel,
    GenerationRequest,
    Generator,
    GeneratorKind,
    LiftBaseline,
    PeriodizationModel,
    ProgramOutline,
    Weekday,
)
from trainforge.services.program_tree import MesocyclePlan

CATALOG = default_catalog()
LIBRARY = default_library()
ALL_EQUIPMENT = CATALOG.names()
EQUIPMENT_NAMES = sorted(ALL_EQUIPMENT)
GENERATOR = RuleBasedGenerator()
PEAKING_GOALS = (ProgramGoal.ENDURANCE, ProgramGoal.COMPETITION)
RUN_TYPES = (WorkoutType.ENDURANCE, WorkoutType.TEST)
LEVEL_CAP = {ExperienceLevel.BEGINNER: 0, ExperienceLevel.INTERMEDIATE: 1, ExperienceLevel.ADVANCED: 2}


def generate(generator: Generator, request: GenerationRequest) -> tuple[ProgramOutline, list[MesocyclePlan]]:
    """Outline, then every mesocycle's breakdown with its first program week."""

    async def both() -> tuple[ProgramOutline, list[MesocyclePlan]]:
        outline = await generator.outline(request)
        plans, first_week = [], 1
        for index, meso in enumerate(outline.mesocycles):
            plans.append(await generator.breakdown(request, outline, index, first_week))
            first_week += meso.weeks
        return outline, plans

    return asyncio.run(both())


def make_request(**overrides) -> GenerationRequest:
    values = dict(
        athlete_id=uuid.UUID(int=7), goal=ProgramGoal.STRENGTH, start_date=date(2026, 1, 5), total_weeks=16,
        weekdays=(Weekday.MONDAY, Weekday.WEDNESDAY, Weekday.FRIDAY), session_minutes=60,
        experience=ExperienceLevel.INTERMEDIATE, equipment=ALL_EQUIPMENT, model=PeriodizationModel.BLOCK, seed=1,
    )
    values.update(overrides)
    return GenerationRequest(**values)


@st.composite
def requests(draw) -> GenerationRequest:
    goal = draw(st.sampled_from(ProgramGoal))
    start = draw(st.dates(date(2025, 1, 1), date(2028, 12, 31)))
    total = draw(st.integers(4, 52))
    weekdays = tuple(sorted(draw(st.sets(st.sampled_from(Weekday), min_size=1, max_size=7))))
    equipment = draw(st.one_of(
        st.just(frozenset()),
        st.just(ALL_EQUIPMENT),
        st.frozensets(st.sampled_from(EQUIPMENT_NAMES), max_size=15),
    ))
    event = None
    if goal is ProgramGoal.COMPETITION or (goal is ProgramGoal.ENDURANCE and draw(st.booleans())) \
            or draw(st.integers(0, 9)) == 0:
        event = start + timedelta(weeks=total - 1, days=draw(st.integers(0, 6)))
    return GenerationRequest(
        athlete_id=uuid.UUID(int=draw(st.integers(0, 2**64))),
        goal=goal,
        start_date=start,
        total_weeks=total,
        weekdays=weekdays,
        session_minutes=draw(st.integers(20, 180)),
        experience=draw(st.sampled_from(ExperienceLevel)),
        equipment=equipment,
        model=draw(st.sampled_from([PeriodizationModel.LINEAR, PeriodizationModel.UNDULATING, PeriodizationModel.BLOCK])),
        generator=GeneratorKind.RULES,
        event_date=event,
        seed=draw(st.integers(0, 2**31 - 1)),  # what GraphQL Int and validate_request allow
    )


def running_seconds(workout) -> int:
    """Reps plus the recoveries between them, of every step of a run."""
    return sum(e.sets * (e.duration_seconds or 0) + (e.sets - 1) * (e.rest_seconds or 0)
               for e in workout.prescription.exercises)


def main_loads(workout) -> tuple[float, ...]:
    """% 1RM of the exercises loaded by % 1RM (the main lifts), in session order."""
    return tuple(e.percent_one_rm for e in workout.prescription.exercises if e.percent_one_rm is not None)


def intensity(workout) -> tuple:
    return tuple(sorted((e.percent_one_rm or 0.0, e.rpe or 0.0) for e in workout.prescription.exercises))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_generated_programs_keep_calendar_and_training_rules(request: GenerationRequest) -> None:
    outline, plans = generate(GENERATOR, request)

    # Outline: mesocycles of 3-6 weeks covering the program exactly, in date order; an
    # endurance program's final taper lasts 1-3 weeks (by race distance).
    assert outline.model is request.model
    assert sum(m.weeks for m in outline.mesocycles) == request.total_weeks
    blocks = list(outline.mesocycles)
    if request.goal is ProgramGoal.ENDURANCE and blocks[-1].phase is MesocyclePhase.TAPER:
        assert 1 <= blocks.pop().weeks <= 3
    assert all(3 <= m.weeks <= 6 for m in blocks) or len(outline.mesocycles) == 1
    assert outline.mesocycles[0].start_date == request.start_date
    assert outline.mesocycles[-1].end_date == request.end_date
    for earlier, later in zip(outline.mesocycles, outline.mesocycles[1:]):
        assert later.start_date == earlier.end_date + timedelta(days=1)
    if request.goal in PEAKING_GOALS or request.event_date is not None:
        assert outline.mesocycles[-1].phase is MesocyclePhase.TAPER

    # Weeks: contiguous calendar weeks 1..N from the start date to the end date.
    weeks = [week for plan in plans for week in plan.microcycles]
    assert [w.week_number for w in weeks] == list(range(1, request.total_weeks + 1))
    for n, week in enumerate(weeks):
        assert week.start_date == request.start_date + timedelta(weeks=n)
        assert week.end_date == week.start_date + timedelta(days=6)
    assert weeks[-1].end_date == request.end_date

    wanted_days = {int(d) for d in request.weekdays}
    # An event (race, meet) is on its date even when that is not a training day: one workout more.
    extra_day = request.event_date if request.event_date is not None \
        and request.event_date.weekday() not in wanted_days else None
    kinds = CATALOG.kinds_for(request.equipment)
    for meso, plan in zip(outline.mesocycles, plans, strict=True):
        assert plan.phase is meso.phase and len(plan.microcycles) == meso.weeks
        assert (plan.start_date, plan.end_date) == (meso.start_date, meso.end_date)
        WeeklyTargets.model_validate(plan.weekly_targets.model_dump())
        # The last week of every mesocycle is its deload (or the taper's event week), except the
        # test week that ends a strength program; only it.
        final_test = ends_with_test(request) and plan is plans[-1]
        assert [w.is_deload for w in plan.microcycles] == [False] * (meso.weeks - 1) + [not final_test]
        for week in plan.microcycles:
            # One workout per requested weekday, inside the week.
            dates = [w.scheduled_date for w in week.workouts if w.scheduled_date != extra_day]
            assert len(dates) == len(set(dates)) == len(wanted_days)
            assert {d.weekday() for d in dates} == wanted_days
            assert all(week.start_date <= d <= week.end_date for d in dates)
            for workout in week.workouts:
                assert workout.name
                race = workout.name.startswith(("Race day", "Time trial"))
                if race or request.goal is ProgramGoal.ENDURANCE and workout.workout_type in RUN_TYPES:
                    # A run (any goal's race too) lasts what the race and the plan ask, not the session length.
                    assert workout.duration_minutes == min(600, math.ceil(running_seconds(workout) / 60))
                else:
                    assert workout.duration_minutes == request.session_minutes
                WorkoutPrescription.model_validate(workout.prescription.model_dump())
                assert workout.prescription.exercises
                for prescribed in workout.prescription.exercises:
                    exercise = LIBRARY.get(prescribed.exercise)
                    assert exercise is not None, prescribed.exercise
                    assert exercise.equipment <= kinds, (exercise.name, exercise.equipment, kinds)
                    assert LEVELS.index(level_of(exercise)) <= LEVEL_CAP[request.experience]

        loading = [w for w in plan.microcycles
                   if not w.is_deload and not any(x.workout_type is WorkoutType.TEST for x in w.workouts)]
        if request.model in (PeriodizationModel.LINEAR, PeriodizationModel.BLOCK):
            # Main-lift load never falls from one loading week to the next, day slot by day slot.
            for earlier, later in zip(loading, loading[1:]):
                for a, b in zip(earlier.workouts, later.workouts, strict=True):
                    assert all(x <= y for x, y in zip(main_loads(a), main_loads(b), strict=True)), (a.name, b.name)

    if request.event_date is not None:
        [event] = [w for w in weeks[-1].workouts if w.scheduled_date == request.event_date]
        assert event.workout_type is WorkoutType.TEST


@settings(max_examples=30, deadline=None)
@given(requests())
def test_generation_is_deterministic_and_a_mesocycle_breaks_down_alone(request: GenerationRequest) -> None:
    outline, plans = generate(GENERATOR, request)
    again = generate(RuleBasedGenerator(), request)
    assert (outline, plans) == again
    index = len(outline.mesocycles) // 2
    first_week = 1 + sum(m.weeks for m in outline.mesocycles[:index])
    alone = asyncio.run(RuleBasedGenerator().breakdown(request, outline, index, first_week))
    assert alone == plans[index]


def test_another_seed_may_pick_other_exercises():
    plans = {repr(generate(GENERATOR, make_request(goal=ProgramGoal.HYPERTROPHY, seed=seed))[1]) for seed in range(5)}
    assert len(plans) > 1


# ---------------------------------------------------------------- worked examples


MAXES = AthleteBaseline(lifts=(LiftBaseline("Barbell Full Squat", e1rm_kg=140),
                                LiftBaseline("Barbell Bench Press - Medium Grip", e1rm_kg=100),
                                LiftBaseline("Barbell Deadlift", e1rm_kg=180)))


def test_sixteen_week_block_strength_program_for_an_intermediate_with_a_full_gym():
    request = make_request(total_weeks=16, weekdays=(Weekday.MONDAY, Weekday.TUESDAY, Weekday.THURSDAY, Weekday.FRIDAY),
                           session_minutes=75, baseline=MAXES)
    outline, plans = generate(GENERATOR, request)

    phases = [m.phase for m in outline.mesocycles]
    assert phases == [MesocyclePhase.ACCUMULATION, MesocyclePhase.INTENSIFICATION, MesocyclePhase.REALIZATION]
    assert [m.weeks for m in outline.mesocycles] == [6, 5, 5]
    assert [w.week_number for p in plans for w in p.microcycles if w.is_deload] == [6, 11]
    assert all(w.workout_type is WorkoutType.TEST for w in plans[-1].microcycles[-1].workouts)
    # Load zones rise block by block; inside a block the main lifts get heavier each week.
    accumulation, intensification, realization = plans
    assert outline.mesocycles[0].weekly_targets.intensity_low_pct < outline.mesocycles[2].weekly_targets.intensity_low_pct
    squat_day = [[w for w in week.workouts if w.name.startswith("Lower A")][0] for week in accumulation.microcycles]
    loads = [main_loads(w)[0] for w in squat_day]
    assert loads[0] < loads[1] < loads[2] and loads[5] == loads[0] - 10
    assert all(main_loads(w)[0] >= 85 for week in realization.microcycles[:-1] for w in week.workouts if main_loads(w))
    first = accumulation.microcycles[0].workouts[1]
    assert first.name == "Lower A — Accumulation (W1)"
    assert first.prescription.exercises[0].exercise == "Barbell Full Squat"
    assert first.prescription.exercises[0].load_kg == 95.0  # 67.5 % of 140 kg, to the nearest 2.5 kg
    # Reps fall as load rises (from ~8-10 at 67.5 % to 1-3 at 85 %+).
    reps = [w.prescription.exercises[0].reps for p in (accumulation, intensification, realization)
            for w in p.microcycles[0].workouts[:1]]
    assert reps == sorted(reps, reverse=True) and reps[-1] <= 3


def test_twelve_week_endurance_program_ends_with_a_taper_and_the_race():
    race = date(2026, 1, 5) + timedelta(weeks=11, days=5)  # the last week's Saturday
    request = make_request(goal=ProgramGoal.ENDURANCE, total_weeks=12, event_date=race, session_minutes=60,
                           weekdays=(Weekday.TUESDAY, Weekday.THURSDAY, Weekday.SATURDAY, Weekday.SUNDAY),
                           equipment=frozenset({"Treadmill", "Adjustable dumbbells"}))
    outline, plans = generate(GENERATOR, request)

    # No race distance given: a 10 km race, so a one-week taper (race week).
    assert [(m.phase, m.weeks) for m in outline.mesocycles] == [
        (MesocyclePhase.BASE, 4), (MesocyclePhase.BUILD, 4), (MesocyclePhase.PEAK, 3), (MesocyclePhase.TAPER, 1)]
    taper = plans[-1]
    assert taper.end_date == request.end_date
    [race_day] = [w for w in taper.microcycles[-1].workouts if w.scheduled_date == race]
    assert race_day.workout_type is WorkoutType.TEST and race_day.name.startswith("Race day")
    # The race's length comes from 10 km at an intermediate's estimated pace (Riegel), not sessionMinutes.
    [racing] = [e for e in race_day.prescription.exercises if e.distance_meters == 10_000]
    assert 45 * 60 < racing.duration_seconds < 60 * 60 and race_day.duration_minutes > 60
    after = [w for w in taper.microcycles[-1].workouts if w.scheduled_date > race]
    assert after and all(w.workout_type is WorkoutType.RECOVERY for w in after)
    # Two days before the race (a strength day) is an easy run.
    [thursday] = [w for w in taper.microcycles[-1].workouts if w.scheduled_date == race - timedelta(days=2)]
    assert thursday.workout_type is WorkoutType.ENDURANCE
    assert all(e.zone <= 2 or "Strides" in e.notes for e in thursday.prescription.exercises)

    def endurance_seconds(week) -> int:
        return sum(running_seconds(w) for w in week.workouts if w.workout_type is WorkoutType.ENDURANCE)

    # Volume falls from the last peak loading week through race week.
    last_loading, peak_end, race_week = plans[2].microcycles[-2], plans[2].microcycles[-1], taper.microcycles[-1]
    volumes = [endurance_seconds(week) for week in (last_loading, peak_end, race_week)]
    assert volumes[0] > volumes[1] > volumes[2] and volumes[-1] <= 0.6 * volumes[0]

    # Intensity is kept through the taper: the same hardest zone (strides aside) as at the peak.
    def hardest(week) -> int:
        return max(e.zone for w in week.workouts if w.workout_type is WorkoutType.ENDURANCE
                   for e in w.prescription.exercises if "Strides" not in e.notes)
    assert hardest(race_week) == hardest(last_loading) == 4
    exercises = {LIBRARY.get(e.exercise) for p in plans for wk in p.microcycles for w in wk.workouts
                 for e in w.prescription.exercises}
    assert any(ex.pattern is MovementPattern.CONDITIONING for ex in exercises)
    assert any(w.workout_type is WorkoutType.STRENGTH for wk in plans[0].microcycles for w in wk.workouts)


def test_body_weight_beginner_gets_body_weight_beginner_exercises():
    request = make_request(experience=ExperienceLevel.BEGINNER, equipment=frozenset(), goal=ProgramGoal.GENERAL_FITNESS,
                           model=PeriodizationModel.LINEAR, total_weeks=6, session_minutes=30)
    _, plans = generate(GENERATOR, request)
    names = {e.exercise for p in plans for wk in p.microcycles for w in wk.workouts for e in w.prescription.exercises}
    assert names
    for name in names:
        exercise = LIBRARY.get(name)
        assert not exercise.equipment and exercise.level == "beginner"


def test_work_scales_with_session_length():
    def per_session(minutes: int) -> tuple[float, float]:
        _, plans = generate(GENERATOR, make_request(session_minutes=minutes, total_weeks=4))
        workouts = plans[0].microcycles[0].workouts
        return (sum(len(w.prescription.exercises) for w in workouts) / len(workouts),
                sum(e.sets for w in workouts for e in w.prescription.exercises) / len(workouts))

    # Short sessions keep their exercises (paired, fewer sets) rather than drop a pattern.
    short, normal, long = per_session(30), per_session(60), per_session(120)
    assert short[0] <= normal[0] <= long[0] and short[1] < normal[1] <= long[1]


def test_four_weeks_are_one_mesocycle_ending_in_a_deload():
    outline, plans = generate(GENERATOR, make_request(goal=ProgramGoal.HYPERTROPHY, total_weeks=4, baseline=MAXES))
    assert len(outline.mesocycles) == 1 and outline.mesocycles[0].weeks == 4
    deload, first, fullest = plans[0].microcycles[-1], plans[0].microcycles[0], plans[0].microcycles[-2]
    assert deload.is_deload
    for easy, hard in zip(deload.workouts, fullest.workouts, strict=True):  # half the block's fullest week
        assert sum(e.sets for e in easy.prescription.exercises) <= 0.6 * sum(e.sets for e in hard.prescription.exercises)
    for easy, hard in zip(deload.workouts, first.workouts, strict=True):  # 10 points under its first week
        assert all(e.rpe <= 6 for e in easy.prescription.exercises if e.percent_one_rm)
        assert [x - 10 for x in main_loads(hard)] == list(main_loads(easy))


def test_competition_peaks_then_tapers_into_the_meet():
    meet = date(2026, 1, 5) + timedelta(weeks=15, days=4)  # the last week's Friday
    outline, plans = generate(GENERATOR, make_request(goal=ProgramGoal.COMPETITION, event_date=meet, total_weeks=16))
    assert [m.phase for m in outline.mesocycles] == [
        MesocyclePhase.ACCUMULATION, MesocyclePhase.INTENSIFICATION, MesocyclePhase.PEAK, MesocyclePhase.TAPER]
    [meet_day] = [w for w in plans[-1].microcycles[-1].workouts if w.scheduled_date == meet]
    assert meet_day.workout_type is WorkoutType.TEST
    assert [e.exercise for e in meet_day.prescription.exercises] == [
        "Barbell Full Squat", "Barbell Bench Press - Medium Grip", "Barbell Deadlift"]
