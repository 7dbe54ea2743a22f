"""Endurance programs of the rule-based generator: properties a running coach checks, over
many generated requests, each asserted on its own (not through the checker), then the
checker itself on generated and on broken plans, and one worked example to read
(`pytest -s` prints a build week of a half-marathon plan).

Counting, as documented in docs/generation.md: a week's running is its ENDURANCE workouts
(the race, a TEST workout, is not training); a step lasts sets x duration plus the jog
recoveries between sets; strides (<= 30 s, "strides" in the note) and recoveries count
neither as easy nor as hard time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_generation_rules import ALL_EQUIPMENT, GENERATOR, generate, make_request

from trainforge.models.program_content import LoadBasis
from trainforge.models.programs import MesocyclePhase, ProgramGoal, WorkoutType
from trainforge.services.generation.review_endurance import endurance_mesocycle_problems, endurance_problems
from trainforge.services.generation.rules import RuleBasedGenerator
from trainforge.services.generation.types import (
    AthleteBaseline,
    ExperienceLevel,
    GenerationRequest,
    PeriodizationModel,
    Weekday,
)
from trainforge.services.heart_rate_zones import zones

RUNS = (WorkoutType.ENDURANCE, WorkoutType.TEST)
# The documented figures, restated here rather than imported: what the plan must respect.
FRIEL = ((0.75, 0.85), (0.85, 0.90), (0.90, 0.95), (0.95, 1.00), (1.00, 1.06))  # x LTHR
DANIELS = ((1.33, 1.50), (1.20, 1.33), (1.04, 1.20), (0.97, 1.04), (0.82, 0.97))  # x threshold pace
LONG_RUN_LIMIT = ((5, 75), (10, 100), (21.1, 135), (42.2, 180), (1000, 240))  # race km up to, minutes


@st.composite
def endurance_requests(draw) -> GenerationRequest:
    start = draw(st.dates(date(2025, 1, 1), date(2028, 12, 31)))
    total = draw(st.integers(4, 52))
    event = draw(st.one_of(st.none(), st.integers(0, 6).map(lambda d: start + timedelta(weeks=total - 1, days=d))))
    baseline = AthleteBaseline(
        race_distance_km=draw(st.one_of(st.none(), st.sampled_from([5.0, 10.0, 21.0975, 42.195]),
                                        st.integers(10, 1000).map(lambda x: x / 10))),
        weekly_running_km=draw(st.one_of(st.none(), st.integers(0, 160).map(float))),
        threshold_pace_seconds_per_km=draw(st.one_of(st.none(), st.integers(150, 600))),
        lactate_threshold_hr=draw(st.one_of(st.none(), st.integers(120, 190))),
        max_hr=draw(st.one_of(st.none(), st.integers(150, 210))),
        resting_hr=draw(st.one_of(st.none(), st.integers(35, 80))),
    )
    return make_request(
        goal=ProgramGoal.ENDURANCE, start_date=start, total_weeks=total,
        weekdays=tuple(sorted(draw(st.sets(st.sampled_from(Weekday), min_size=1, max_size=7)))),
        session_minutes=draw(st.integers(20, 180)), experience=draw(st.sampled_from(ExperienceLevel)),
        equipment=draw(st.sampled_from([frozenset(), ALL_EQUIPMENT])), model=PeriodizationModel.BLOCK,
        event_date=event, seed=draw(st.integers(0, 2**31 - 1)), baseline=baseline,
    )


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def step_seconds(step) -> int:
    return step.sets * step.duration_seconds + (step.sets - 1) * (step.rest_seconds or 0)


def is_strides(step) -> bool:
    return step.duration_seconds <= 30 and "strides" in step.notes.lower()


def running(week) -> int:
    return sum(step_seconds(s) for w in week.workouts if w.workout_type is WorkoutType.ENDURANCE
               for s in w.prescription.exercises)


def weeks_of(plans) -> list:
    return [(plan, week) for plan in plans for week in plan.microcycles]


def race_km(request: GenerationRequest) -> float:
    return request.baseline.race_distance_km or 10.0


def race_day(request: GenerationRequest, plans) -> date:
    if request.event_date is not None:
        return request.event_date
    return max(w.scheduled_date for w in plans[-1].microcycles[-1].workouts if w.workout_type is WorkoutType.TEST)


# ---------------------------------------------------------------- properties


@PROPERTY
@given(endurance_requests())
def test_most_running_is_easy_and_base_blocks_only_add_strides(request: GenerationRequest) -> None:
    _, plans = generate(GENERATOR, request)
    for plan, week in weeks_of(plans):
        easy = hard = 0
        for workout in week.workouts:
            if workout.workout_type is not WorkoutType.ENDURANCE:
                continue
            for step in workout.prescription.exercises:
                if is_strides(step):
                    assert step.duration_seconds <= 20 and step.zone == 5
                elif step.zone <= 2:
                    easy += step.sets * step.duration_seconds
                else:
                    hard += step.sets * step.duration_seconds
        if plan.phase is MesocyclePhase.BASE:
            assert hard == 0, week.week_number
        if easy + hard:
            assert easy / (easy + hard) >= 0.80, (week.week_number, easy, hard)


@PROPERTY
@given(endurance_requests())
def test_volume_builds_by_at_most_ten_percent_a_week_and_block_by_block(request: GenerationRequest) -> None:
    _, plans = generate(GENERATOR, request)
    weeks = weeks_of(plans)
    loading = [running(week) for _, week in weeks if not week.is_deload]
    for earlier, later in zip(loading, loading[1:]):
        assert later <= earlier * 1.10 + 60
    # A recovery week (a block's last, the taper aside) runs less than the week before it.
    for (_, earlier), (plan, later) in zip(weeks, weeks[1:]):
        if later.is_deload and plan.phase is not MesocyclePhase.TAPER:
            assert running(later) < running(earlier)
    # Each block's biggest loading week is at least the previous block's.
    biggest = [max(running(w) for w in plan.microcycles if not w.is_deload)
               for plan in plans if plan.phase is not MesocyclePhase.TAPER]
    assert biggest == sorted(biggest)


@PROPERTY
@given(endurance_requests())
def test_taper_lasts_by_race_distance_and_falls_week_by_week(request: GenerationRequest) -> None:
    outline, plans = generate(GENERATOR, request)
    km = race_km(request)
    expected = 1 if km < 15 else 2 if km < 30 else 3
    taper = outline.mesocycles[-1]
    assert taper.phase is MesocyclePhase.TAPER
    assert taper.weeks == max(1, min(expected, request.total_weeks - 3))
    weeks = [week for _, week in weeks_of(plans)]
    first = len(weeks) - taper.weeks
    last_loading = max(i for i in range(first) if not weeks[i].is_deload)
    volumes = [running(week) for week in weeks[last_loading:]]
    assert all(later < earlier for earlier, later in zip(volumes, volumes[1:])), volumes
    assert volumes[-1] <= 0.6 * volumes[0]


@PROPERTY
@given(endurance_requests())
def test_the_race_is_on_its_date_with_easy_days_before_and_recovery_after(request: GenerationRequest) -> None:
    _, plans = generate(GENERATOR, request)
    day = race_day(request, plans)
    last_week = plans[-1].microcycles[-1]
    [race] = [w for w in last_week.workouts if w.scheduled_date == day]
    assert race.workout_type is WorkoutType.TEST
    [racing] = [s for s in race.prescription.exercises if s.rpe == 9.5]  # the race itself, after a warm-up
    assert abs(racing.sets * racing.distance_meters - race_km(request) * 1000) <= racing.sets
    assert race.duration_minutes == min(600, math.ceil(sum(step_seconds(s) for s in race.prescription.exercises) / 60))
    training_days = {int(d) for d in request.weekdays}
    for _, week in weeks_of(plans):
        for workout in week.workouts:
            before = (day - workout.scheduled_date).days
            if before in (1, 2):  # nothing hard in the last two days
                assert workout.workout_type in (WorkoutType.ENDURANCE, WorkoutType.RECOVERY)
                assert all(s.zone <= 2 or is_strides(s) for s in workout.prescription.exercises
                           if workout.workout_type is WorkoutType.ENDURANCE)
            if before == 1:  # the day before: a short easy run with strides
                assert workout.workout_type is WorkoutType.ENDURANCE and workout.duration_minutes <= 30
                assert any(is_strides(s) for s in workout.prescription.exercises)
            if before < 0:
                assert workout.workout_type is WorkoutType.RECOVERY
            if workout.scheduled_date != day:
                assert workout.scheduled_date.weekday() in training_days


def hr_bounds(baseline: AthleteBaseline, zone: int) -> tuple[int, int] | None:
    if baseline.lactate_threshold_hr is not None:
        low, high = FRIEL[zone - 1]
        return round(low * baseline.lactate_threshold_hr), round(high * baseline.lactate_threshold_hr)
    if baseline.max_hr is not None:
        return zones(baseline.max_hr, baseline.resting_hr).range_of(zone)
    return None


@PROPERTY
@given(endurance_requests())
def test_every_step_has_targets_from_what_the_athlete_gave(request: GenerationRequest) -> None:
    _, plans = generate(GENERATOR, request)
    baseline, pace = request.baseline, request.baseline.threshold_pace_seconds_per_km
    for _, week in weeks_of(plans):
        for workout in week.workouts:
            if workout.workout_type not in RUNS:
                continue
            if workout.workout_type is WorkoutType.ENDURANCE:  # the session's real length
                assert workout.duration_minutes * 60 == sum(step_seconds(s) for s in workout.prescription.exercises)
            for step in workout.prescription.exercises:
                assert 1 <= step.zone <= 5 and step.rpe is not None and f"Z{step.zone}" in step.notes
                bounds = hr_bounds(baseline, step.zone)
                if bounds is None or is_strides(step):
                    assert step.heart_rate_low_bpm is None
                else:
                    assert bounds[0] <= step.heart_rate_low_bpm <= step.heart_rate_high_bpm <= bounds[1]
                    assert f"{step.heart_rate_low_bpm}–{step.heart_rate_high_bpm} bpm" in step.notes
                if pace is None:
                    assert step.pace_fast_seconds_per_km is None
                    assert step.distance_meters is None or workout.workout_type is WorkoutType.TEST
                else:
                    fast, slow = DANIELS[step.zone - 1]
                    assert round(fast * pace) <= step.pace_fast_seconds_per_km <= step.pace_slow_seconds_per_km \
                        <= round(slow * pace)
                    assert step.distance_meters
                if pace is not None and step.zone >= 3:
                    assert step.load_basis is LoadBasis.PACE
                elif bounds is not None and not is_strides(step):
                    assert step.load_basis is LoadBasis.HEART_RATE
                elif pace is None:
                    assert step.load_basis is LoadBasis.RPE


@PROPERTY
@given(endurance_requests())
def test_long_runs_grow_with_the_race_but_stay_under_its_cap(request: GenerationRequest) -> None:
    _, plans = generate(GENERATOR, request)
    limit = next(minutes for km, minutes in LONG_RUN_LIMIT if race_km(request) <= km)
    for _, week in weeks_of(plans):
        for workout in week.workouts:
            if workout.workout_type is WorkoutType.ENDURANCE:
                assert workout.duration_minutes <= limit


@PROPERTY
@given(endurance_requests())
def test_the_checker_finds_nothing_wrong_in_generated_programs(request: GenerationRequest) -> None:
    outline, plans = generate(GENERATOR, request)
    assert endurance_problems(request, outline, plans) == []
    for index, plan in enumerate(plans):
        assert endurance_mesocycle_problems(request, outline, index, plan) == []


@settings(max_examples=15, deadline=None)
@given(endurance_requests())
def test_an_endurance_mesocycle_breaks_down_alone_as_in_the_program(request: GenerationRequest) -> None:
    outline, plans = generate(GENERATOR, request)
    assert generate(RuleBasedGenerator(), request) == (outline, plans)
    index = len(outline.mesocycles) // 2
    first_week = 1 + sum(m.weeks for m in outline.mesocycles[:index])
    assert asyncio.run(GENERATOR.breakdown(request, outline, index, first_week)) == plans[index]


# ---------------------------------------------------------------- the checker on broken plans

HALF = make_request(
    goal=ProgramGoal.ENDURANCE, start_date=date(2026, 1, 5), total_weeks=16,
    event_date=date(2026, 1, 5) + timedelta(weeks=15, days=6),  # the last Sunday
    weekdays=(Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.SATURDAY, Weekday.SUNDAY),
    session_minutes=60, model=PeriodizationModel.BLOCK,
    baseline=AthleteBaseline(race_distance_km=21.0975, weekly_running_km=30, threshold_pace_seconds_per_km=300,
                             max_hr=190, resting_hr=50),
)


def _replace_step(plans, week_number: int, workout_index: int, step_index: int, **changes) -> None:
    week = [w for _, w in weeks_of(plans) if w.week_number == week_number][0]
    workout = week.workouts[workout_index]
    steps = list(workout.prescription.exercises)
    steps[step_index] = steps[step_index].model_copy(update=changes)
    workout.prescription = workout.prescription.model_copy(update={"exercises": steps})


def test_the_checker_names_what_is_broken():
    outline, plans = generate(GENERATOR, HALF)
    assert endurance_problems(HALF, outline, plans) == []

    _replace_step(plans, 2, 0, 0, zone=4)  # a base week's easy run at threshold
    _replace_step(plans, 3, 0, 0, duration_seconds=3 * 3600)  # a three-hour "easy run"
    _replace_step(plans, 6, 0, 0, heart_rate_low_bpm=None, heart_rate_high_bpm=None)
    race_week = plans[-1].microcycles[-1]
    race_week.workouts = [w for w in race_week.workouts if w.workout_type is not WorkoutType.TEST]
    saturday = [w for w in race_week.workouts if w.scheduled_date == HALF.event_date - timedelta(days=1)][0]
    saturday.prescription = plans[2].microcycles[0].workouts[1].prescription  # a threshold session
    problems = endurance_problems(HALF, outline, plans)
    text = "\n".join(problems)
    assert "week 2:" in text and "Z3+ running in a base week" in text
    assert "week 2: a Z4 step targets 134–148 bpm, outside Z4 (162–176 bpm)" in text
    assert "week 3: running volume rises 73 % over week 2 (197 -> 340 min; at most +10 %)" in text
    assert "week 3: a 180-min run (the cap for a 21.0975 km race is 120 min)" in text
    assert "week 6: 1 running step without a bpm target (the athlete's max HR is known)" in text
    assert f"no race workout (type TEST) on the race date {HALF.event_date.isoformat()}" in text
    assert "1 day before the race: a hard session" in text
    # The same rules on one mesocycle alone, as an LLM reply would be checked.
    base = endurance_mesocycle_problems(HALF, outline, 0, plans[0])
    assert any("Z3+ running in a base week" in p for p in base) and any("rises" in p for p in base)
    assert all(len(p) < 160 for p in problems)


def test_the_checker_wants_the_taper_to_fall_and_volume_to_build():
    outline, plans = generate(GENERATOR, HALF)
    taper_week = plans[-1].microcycles[0]
    long_run = [w for w in taper_week.workouts if w.name.startswith("Long run")][0]
    _replace_step(plans, taper_week.week_number, taper_week.workouts.index(long_run), 0, duration_seconds=130 * 60)
    build = plans[1]
    for week in build.microcycles:
        for workout in week.workouts:
            if workout.workout_type is WorkoutType.ENDURANCE:
                steps = [s.model_copy(update={"duration_seconds": max(1, s.duration_seconds // 2)})
                         for s in workout.prescription.exercises]
                workout.prescription = workout.prescription.model_copy(update={"exercises": steps})
    text = "\n".join(endurance_problems(HALF, outline, plans))
    assert "(the taper falls week by week)" in text
    assert "Build: its biggest week" in text and "volume must build block by block" in text


# ---------------------------------------------------------------- a worked example


def test_a_half_marathon_build_week_reads_like_a_coach_wrote_it():
    outline, plans = generate(GENERATOR, HALF)
    assert [(m.phase, m.weeks) for m in outline.mesocycles] == [
        (MesocyclePhase.BASE, 5), (MesocyclePhase.BUILD, 5), (MesocyclePhase.PEAK, 4), (MesocyclePhase.TAPER, 2)]
    week = plans[1].microcycles[2]  # build, week 8
    print(f"\nWeek {week.week_number} ({week.start_date} to {week.end_date}): {week.focus}")
    for workout in week.workouts:
        print(f"  {workout.scheduled_date:%a %d %b}  {workout.name}  [{workout.duration_minutes} min]")
        if workout.workout_type is WorkoutType.ENDURANCE:
            for step in workout.prescription.exercises:
                reps = f"{step.sets} x " if step.sets > 1 else ""
                rest = f" / {step.rest_seconds} s jog" if step.rest_seconds else ""
                print(f"      {reps}{step.duration_seconds // 60}:{step.duration_seconds % 60:02d}{rest}  "
                      f"{step.distance_meters or 0:.0f} m  {step.notes}")

    # 30 km a week at ~6:15 min/km is where it starts; build week 3 is ~33 % above it.
    assert running(plans[0].microcycles[0]) == 188 * 60
    assert running(week) == 249 * 60
    by_day = {w.scheduled_date.strftime("%a"): w for w in week.workouts}
    long_run = by_day["Sun"].prescription.exercises
    assert by_day["Sun"].duration_minutes == 82  # a third of a four-run week
    assert (long_run[0].zone, long_run[0].heart_rate_low_bpm, long_run[0].heart_rate_high_bpm) == (2, 134, 148)
    assert (long_run[0].pace_fast_seconds_per_km, long_run[0].pace_slow_seconds_per_km) == (360, 399)
    # The race-pace finish at Riegel's half-marathon pace from a 5:00 threshold pace: ~5:09 min/km.
    assert long_run[1].zone == 4 and 300 <= long_run[1].pace_fast_seconds_per_km <= 309 <= \
        long_run[1].pace_slow_seconds_per_km <= 315
    threshold = by_day["Wed"].prescription.exercises[2]
    assert threshold.zone == 4 and threshold.sets >= 2 and threshold.pace_fast_seconds_per_km == 294
    assert by_day["Thu"].workout_type is WorkoutType.STRENGTH
    # The race: 21.1 km in about 1:49 (Riegel), on its Sunday.
    [race] = [w for w in plans[-1].microcycles[-1].workouts if w.workout_type is WorkoutType.TEST]
    racing = race.prescription.exercises[-1]
    assert race.scheduled_date == HALF.event_date and racing.distance_meters == 21_098
    assert 108 * 60 <= racing.duration_seconds <= 110 * 60


def test_a_race_on_a_rest_day_is_still_raced():
    friday = date(2026, 1, 5) + timedelta(weeks=7, days=4)
    request = make_request(goal=ProgramGoal.ENDURANCE, total_weeks=8, event_date=friday,
                           weekdays=(Weekday.MONDAY, Weekday.WEDNESDAY, Weekday.SATURDAY),
                           baseline=AthleteBaseline(race_distance_km=5))
    _, plans = generate(GENERATOR, request)
    last = plans[-1].microcycles[-1]
    assert [(w.scheduled_date.strftime("%a"), w.workout_type) for w in last.workouts] == [
        ("Mon", WorkoutType.ENDURANCE), ("Wed", WorkoutType.ENDURANCE), ("Fri", WorkoutType.TEST),
        ("Sat", WorkoutType.RECOVERY)]
    wednesday = last.workouts[1]  # two days out: easy, short
    assert all(s.zone <= 2 for s in wednesday.prescription.exercises) and wednesday.duration_minutes <= 30


def test_without_heart_rate_or_pace_targets_go_by_zone_and_rpe():
    request = dataclasses.replace(HALF, baseline=AthleteBaseline(race_distance_km=42.195))
    outline, plans = generate(GENERATOR, request)
    assert outline.mesocycles[-1].weeks == 3
    steps = [s for _, week in weeks_of(plans) for w in week.workouts if w.workout_type in RUNS
             for s in w.prescription.exercises]
    assert all(s.heart_rate_low_bpm is None and s.pace_fast_seconds_per_km is None for s in steps)
    assert all(s.load_basis is LoadBasis.RPE and s.rpe and s.notes.count("Z") >= 1 for s in steps)
    assert endurance_problems(request, outline, plans) == []
