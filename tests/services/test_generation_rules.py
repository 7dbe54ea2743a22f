"""The rule-based generator: properties over many requests, and a few worked examples.

No database: requests are built directly and the generator's two steps are run as
the service runs them (outline, then each mesocycle's breakdown).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainforge.models.program_content import WeeklyTargets, WorkoutPrescription
from trainforge.models.programs import MesocyclePhase, ProgramGoal, WorkoutType
from trainforge.services.exercises import LEVELS, MovementPattern, default_catalog, default_library
from trainforge.services.generation.rules import RuleBasedGenerator
from trainforge.services.generation.types import (
    ExperienceLevel,
    GenerationRequest,
    Generator,
    GeneratorKind,
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


def main_loads(workout) -> tuple[float, ...]:
    """% 1RM of the exercises loaded by % 1RM (the main lifts), in session order."""
    return tuple(e.percent_one_rm for e in workout.prescription.exercises if e.percent_one_rm is not None)


def intensity(workout) -> tuple:
    return tuple(sorted((e.percent_one_rm or 0.0, e.rpe or 0.0) for e in workout.prescription.exercises))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_generated_programs_keep_calendar_and_training_rules(request: GenerationRequest) -> None:
    outline, plans = generate(GENERATOR, request)

    # Outline: mesocycles of 3-6 weeks covering the program exactly, in date order.
    assert outline.model is request.model
    assert sum(m.weeks for m in outline.mesocycles) == request.total_weeks
    assert all(3 <= m.weeks <= 6 for m in outline.mesocycles) or len(outline.mesocycles) == 1
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
    kinds = CATALOG.kinds_for(request.equipment)
    for meso, plan in zip(outline.mesocycles, plans, strict=True):
        assert plan.phase is meso.phase and len(plan.microcycles) == meso.weeks
        assert (plan.start_date, plan.end_date) == (meso.start_date, meso.end_date)
        WeeklyTargets.model_validate(plan.weekly_targets.model_dump())
        # The last week of every mesocycle is its deload (or the taper's event week); only it.
        assert [w.is_deload for w in plan.microcycles] == [False] * (meso.weeks - 1) + [True]
        for week in plan.microcycles:
            # One workout per requested weekday, inside the week.
            dates = [w.scheduled_date for w in week.workouts]
            assert len(dates) == len(set(dates)) == len(wanted_days)
            assert {d.weekday() for d in dates} == wanted_days
            assert all(week.start_date <= d <= week.end_date for d in dates)
            for workout in week.workouts:
                assert workout.name and workout.duration_minutes == request.session_minutes
                WorkoutPrescription.model_validate(workout.prescription.model_dump())
                assert workout.prescription.exercises
                for prescribed in workout.prescription.exercises:
                    exercise = LIBRARY.get(prescribed.exercise)
                    assert exercise is not None, prescribed.exercise
                    assert exercise.equipment <= kinds, (exercise.name, exercise.equipment, kinds)
                    assert LEVELS.index(exercise.level) <= LEVEL_CAP[request.experience]

        loading = [w for w in plan.microcycles if not w.is_deload]
        if request.model in (PeriodizationModel.LINEAR, PeriodizationModel.BLOCK):
            # Main-lift load never falls from one loading week to the next, day slot by day slot.
            for earlier, later in zip(loading, loading[1:]):
                for a, b in zip(earlier.workouts, later.workouts, strict=True):
                    assert all(x <= y for x, y in zip(main_loads(a), main_loads(b), strict=True)), (a.name, b.name)
        elif len(wanted_days) >= 2:
            for week in loading:
                assert len({intensity(w) for w in week.workouts}) >= 2, [w.name for w in week.workouts]

    if request.event_date is not None and request.event_date.weekday() in wanted_days:
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


def test_sixteen_week_block_strength_program_for_an_intermediate_with_a_full_gym():
    request = make_request(total_weeks=16, weekdays=(Weekday.MONDAY, Weekday.TUESDAY, Weekday.THURSDAY, Weekday.FRIDAY),
                           session_minutes=75)
    outline, plans = generate(GENERATOR, request)

    phases = [m.phase for m in outline.mesocycles]
    assert phases[:3] == [MesocyclePhase.ACCUMULATION, MesocyclePhase.INTENSIFICATION, MesocyclePhase.REALIZATION]
    assert [m.weeks for m in outline.mesocycles] == [4, 4, 4, 4]
    assert [w.week_number for p in plans for w in p.microcycles if w.is_deload] == [4, 8, 12, 16]
    # Load zones rise block by block; inside a block the main lifts get heavier each week.
    accumulation, intensification, realization = plans[:3]
    assert outline.mesocycles[0].weekly_targets.intensity_low_pct < outline.mesocycles[2].weekly_targets.intensity_low_pct
    squat_day = [[w for w in week.workouts if w.name.startswith("Lower A")][0] for week in accumulation.microcycles]
    loads = [main_loads(w)[0] for w in squat_day]
    assert loads[0] < loads[1] < loads[2] and loads[3] == loads[0] - 10
    assert all(main_loads(w)[0] >= 85 for week in realization.microcycles[:-1] for w in week.workouts if main_loads(w))
    first = accumulation.microcycles[0].workouts[1]
    assert first.name == "Lower A — Accumulation (W1)"
    assert first.prescription.exercises[0].exercise in ("Barbell Full Squat", "Front Barbell Squat")
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

    assert [m.phase for m in outline.mesocycles] == [
        MesocyclePhase.BASE, MesocyclePhase.BUILD, MesocyclePhase.PEAK, MesocyclePhase.TAPER]
    taper = plans[-1]
    assert taper.end_date == request.end_date
    race_day = [w for w in taper.microcycles[-1].workouts if w.scheduled_date == race][0]
    assert race_day.workout_type is WorkoutType.TEST and race_day.name.startswith("Race day")
    after = [w for w in taper.microcycles[-1].workouts if w.scheduled_date > race]
    assert after and all(w.workout_type is WorkoutType.RECOVERY for w in after)

    def endurance_seconds(week) -> int:
        return sum(e.sets * (e.duration_seconds or 0) for w in week.workouts if w.workout_type is WorkoutType.ENDURANCE
                   for e in w.prescription.exercises)

    peak_week = plans[2].microcycles[-2]
    volumes = [endurance_seconds(week) for week in (peak_week, *taper.microcycles[:2])]
    assert volumes == sorted(volumes, reverse=True) and volumes[-1] <= 0.7 * volumes[0]
    # Intensity is kept through the taper: the same hard-interval effort as at the peak.
    def hardest(week) -> float:
        return max(e.rpe for w in week.workouts if w.workout_type is WorkoutType.ENDURANCE for e in w.prescription.exercises)
    assert hardest(taper.microcycles[0]) == hardest(peak_week)
    exercises = {LIBRARY.get(e.exercise) for p in plans for wk in p.microcycles for w in wk.workouts
                 for e in w.prescription.exercises}
    assert any(ex.pattern is MovementPattern.CONDITIONING for ex in exercises)
    assert any(w.workout_type is WorkoutType.STRENGTH for wk in plans[0].microcycles for w in wk.workouts)


def test_undulating_days_rotate_heavy_moderate_light():
    request = make_request(goal=ProgramGoal.HYPERTROPHY, model=PeriodizationModel.UNDULATING, total_weeks=8)
    _, plans = generate(GENERATOR, request)
    week = plans[0].microcycles[0]
    assert [w.name.split(" — ")[1].split(" (")[0] for w in week.workouts] == ["Heavy", "Moderate", "Light"]
    heavy, moderate, light = (main_loads(w)[0] for w in week.workouts)
    assert heavy > moderate > light
    heavy_reps, _, light_reps = (w.prescription.exercises[0].reps for w in week.workouts)
    assert heavy_reps < light_reps


def test_body_weight_beginner_gets_body_weight_beginner_exercises():
    request = make_request(experience=ExperienceLevel.BEGINNER, equipment=frozenset(), goal=ProgramGoal.GENERAL_FITNESS,
                           model=PeriodizationModel.LINEAR, total_weeks=6, session_minutes=30)
    _, plans = generate(GENERATOR, request)
    names = {e.exercise for p in plans for wk in p.microcycles for w in wk.workouts for e in w.prescription.exercises}
    assert names
    for name in names:
        exercise = LIBRARY.get(name)
        assert not exercise.equipment and exercise.level == "beginner"


def test_exercise_count_scales_with_session_length():
    def exercises_per_session(minutes: int) -> float:
        _, plans = generate(GENERATOR, make_request(session_minutes=minutes, total_weeks=4))
        workouts = plans[0].microcycles[0].workouts
        return sum(len(w.prescription.exercises) for w in workouts) / len(workouts)

    assert exercises_per_session(30) < exercises_per_session(60) < exercises_per_session(120)


def test_four_weeks_are_one_mesocycle_ending_in_a_deload():
    outline, plans = generate(GENERATOR, make_request(total_weeks=4))
    assert len(outline.mesocycles) == 1 and outline.mesocycles[0].weeks == 4
    deload, normal = plans[0].microcycles[-1], plans[0].microcycles[0]
    assert deload.is_deload
    for easy, hard in zip(deload.workouts, normal.workouts, strict=True):
        assert sum(e.sets for e in easy.prescription.exercises) <= 0.6 * sum(e.sets for e in hard.prescription.exercises)
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
