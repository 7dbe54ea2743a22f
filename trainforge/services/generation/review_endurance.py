"""The endurance rules, checked on any generator's plan: pure functions, plans in,
short problem statements out (they are fed back to a language model).

How running is counted:
- Running time of a step: sets x duration plus the recoveries between sets (a jog).
- A week's volume: the steps of its ENDURANCE workouts; the race (a TEST workout) is not
  training and is left out, so is easy movement on recovery days.
- Intensity distribution by time, over continuous running only: Z1-Z2 is easy, Z3 and up
  hard (a step without a zone is placed by its RPE). Strides (steps of 30 s or less whose
  note says "strides") and jog recoveries count as neither: they are too short to move
  the distribution and are not what it is about (Seiler 2010). A base week may hold no
  hard running at all; any other week at most 25 % (the plan aims at ~15 %).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from trainforge.models.program_content import PrescribedExercise
from trainforge.models.programs import MesocyclePhase, WorkoutType
from trainforge.services.generation.rules_endurance import EASY_PHASES
from trainforge.services.generation.rules_endurance_athlete import Runner, runner
from trainforge.services.generation.rules_endurance_targets import EASY_ZONES, Intensity, intensity_of
from trainforge.services.generation.types import GenerationRequest, ProgramOutline
from trainforge.services.program_tree import MesocyclePlan, MicrocyclePlan, WorkoutPlan

MAX_HARD_SHARE = 0.25
MAX_GROWTH = 0.10
TOLERANCE_SECONDS = 60  # rounding: a minute a week
STRIDE_MAX_SECONDS = 30
HARD_WORKOUTS = frozenset({WorkoutType.STRENGTH, WorkoutType.POWER, WorkoutType.HYPERTROPHY,
                           WorkoutType.CONDITIONING, WorkoutType.TEST})


@dataclass(frozen=True)
class Rules:
    """What the checks need to know about the athlete."""

    runner: Runner
    intensity: Intensity
    race_day: date | None  # only with an event date: a time trial has no fixed day
    hr_source: str | None  # what made bpm targets possible

    @classmethod
    def of(cls, request: GenerationRequest) -> Rules:
        baseline = request.baseline
        source = "LTHR" if baseline.lactate_threshold_hr is not None else "max HR" if baseline.max_hr else None
        return cls(runner(request), intensity_of(baseline), request.event_date, source)


@dataclass(frozen=True)
class WeekLoad:
    number: int
    block: int  # the mesocycle's index
    phase: MesocyclePhase
    deload: bool
    seconds: int  # running volume, race excluded
    easy: int
    hard: int


def is_strides(step: PrescribedExercise) -> bool:
    return (step.duration_seconds or 0) <= STRIDE_MAX_SECONDS and "stride" in (step.notes or "").lower()


def step_seconds(step: PrescribedExercise) -> int:
    return step.sets * (step.duration_seconds or 0) + (step.sets - 1) * (step.rest_seconds or 0)


def zone_of(step: PrescribedExercise) -> int | None:
    if step.zone is not None:
        return step.zone
    if step.rpe is None:
        return None
    return 2 if step.rpe <= 4.5 else 3 if step.rpe <= 6 else 4 if step.rpe <= 7.5 else 5


def week_load(plan: MesocyclePlan, block: int, week: MicrocyclePlan) -> WeekLoad:
    seconds = easy = hard = 0
    for workout in week.workouts:
        if workout.workout_type is not WorkoutType.ENDURANCE:
            continue
        for step in workout.prescription.exercises:
            seconds += step_seconds(step)
            zone = zone_of(step)
            if zone is None or is_strides(step):
                continue
            if zone in EASY_ZONES:
                easy += step.sets * (step.duration_seconds or 0)
            else:
                hard += step.sets * (step.duration_seconds or 0)
    return WeekLoad(week.week_number, block, plan.phase, week.is_deload, seconds, easy, hard)


def endurance_mesocycle_problems(request: GenerationRequest, outline: ProgramOutline, index: int,
                                 plan: MesocyclePlan) -> list[str]:
    """What one mesocycle breaks on its own: distribution, long runs, targets, growth and
    recovery inside it, a taper that falls, and the race if its date is inside."""
    rules = Rules.of(request)
    loads = [week_load(plan, index, week) for week in plan.microcycles]
    problems = [p for week in plan.microcycles for p in _week_problems(rules, week)]
    problems += [p for load in loads for p in _distribution_problems(load)]
    problems += _growth_problems(loads) + _recovery_problems(loads)
    if plan.phase is MesocyclePhase.TAPER and index == len(outline.mesocycles) - 1:
        problems += _taper_problems(loads)
    problems += _race_problems(rules, plan.microcycles, plan.start_date, plan.end_date)
    return problems


def endurance_problems(request: GenerationRequest, outline: ProgramOutline, plans: list[MesocyclePlan]) -> list[str]:
    """Every endurance rule over the whole program: the mesocycles' own problems, and volume
    building across blocks, the taper falling from the last loading week, the race."""
    rules = Rules.of(request)
    pairs = [(plan, week) for plan in plans for week in plan.microcycles]
    loads = [week_load(plan, block, week) for block, plan in enumerate(plans) for week in plan.microcycles]
    problems = [p for _, week in pairs for p in _week_problems(rules, week)]
    problems += [p for load in loads for p in _distribution_problems(load)]
    problems += _growth_problems(loads) + _recovery_problems(loads) + _block_problems(plans, loads)
    if plans and plans[-1].phase is MesocyclePhase.TAPER:  # from the last loading week before it
        first = len(loads) - len(plans[-1].microcycles)
        first = max((i for i in range(first) if not loads[i].deload), default=first)
        problems += _taper_problems(loads[first:])
    if plans:
        problems += _race_problems(rules, [week for _, week in pairs], plans[0].start_date, plans[-1].end_date)
    return problems


def _minutes(seconds: float) -> int:
    return round(seconds / 60)


def _distribution_problems(load: WeekLoad) -> list[str]:
    total = load.easy + load.hard
    if not total or not load.hard:
        return []
    if load.phase in EASY_PHASES:
        return [f"week {load.number}: {_minutes(load.hard)} min of Z3+ running in a {load.phase.value} week "
                f"(only easy running and strides allowed)"]
    share = load.hard / total
    if share > MAX_HARD_SHARE:
        return [f"week {load.number}: {share * 100:.0f} % of running time is Z3 or harder "
                f"(at most {MAX_HARD_SHARE * 100:.0f} %)"]
    return []


def _growth_problems(loads: Sequence[WeekLoad]) -> list[str]:
    """Consecutive non-recovery weeks: at most +10 % (and a minute)."""
    loading = [load for load in loads if not load.deload and load.seconds]
    return [f"week {later.number}: running volume rises {(later.seconds / earlier.seconds - 1) * 100:.0f} % over week "
            f"{earlier.number} ({_minutes(earlier.seconds)} -> {_minutes(later.seconds)} min; at most +10 %)"
            for earlier, later in zip(loading, loading[1:])
            if later.seconds > earlier.seconds * (1 + MAX_GROWTH) + TOLERANCE_SECONDS]


def _recovery_problems(loads: Sequence[WeekLoad]) -> list[str]:
    """A recovery week (not the taper's) runs less than the week before it."""
    return [f"week {later.number} (recovery): {_minutes(later.seconds)} min of running, not below week "
            f"{earlier.number}'s {_minutes(earlier.seconds)} min"
            for earlier, later in zip(loads, loads[1:])
            if later.deload and later.phase is not MesocyclePhase.TAPER and not earlier.deload
            and later.seconds >= earlier.seconds]


def _block_problems(plans: Sequence[MesocyclePlan], loads: Sequence[WeekLoad]) -> list[str]:
    """Each block's biggest loading week at least the previous block's (the taper excepted)."""
    peaks: list[tuple[str, int]] = []
    for block, plan in enumerate(plans):
        if plan.phase is MesocyclePhase.TAPER:
            continue
        weeks = [load.seconds for load in loads if load.block == block and not load.deload]
        if weeks:
            peaks.append((plan.name, max(weeks)))
    return [f"{later}: its biggest week ({_minutes(b)} min) is below {earlier}'s ({_minutes(a)} min); "
            f"volume must build block by block"
            for (earlier, a), (later, b) in zip(peaks, peaks[1:]) if b < a - TOLERANCE_SECONDS]


def _taper_problems(loads: Sequence[WeekLoad]) -> list[str]:
    return [f"week {later.number}: {_minutes(later.seconds)} min of running, above week {earlier.number}'s "
            f"{_minutes(earlier.seconds)} min (the taper falls week by week)"
            for earlier, later in zip(loads, loads[1:]) if later.seconds > earlier.seconds + TOLERANCE_SECONDS]


def _week_problems(rules: Rules, week: MicrocyclePlan) -> list[str]:
    """Long runs within their cap; bpm and pace targets where the athlete's inputs allow, inside their zone."""
    problems = []
    cap = rules.runner.long_run_cap
    for workout in _runs(week.workouts):
        minutes = _minutes(sum(step_seconds(step) for step in workout.prescription.exercises))
        if minutes > cap + 1:
            problems.append(f"week {week.week_number}: a {minutes}-min run "
                            f"(the cap for a {rules.runner.race_km:g} km race is {cap} min)")
    steps = [step for workout in _runs(week.workouts, races=True) for step in workout.prescription.exercises]
    no_bpm = sum(1 for step in steps if not is_strides(step) and step.heart_rate_low_bpm is None)
    if rules.intensity.heart_rate and no_bpm:
        problems.append(f"week {week.week_number}: {_steps(no_bpm)} without a bpm target "
                        f"(the athlete's {rules.hr_source} is known)")
    no_pace = sum(1 for step in steps if step.pace_fast_seconds_per_km is None)
    if rules.intensity.threshold_pace is not None and no_pace:
        problems.append(f"week {week.week_number}: {_steps(no_pace)} without a pace target "
                        f"(the athlete's threshold pace is known)")
    problems += [f"week {week.week_number}: {problem}" for step in steps for problem in _target_problems(rules, step)]
    return problems


def _steps(count: int) -> str:
    return f"{count} running step{'s' * (count != 1)}"


def _target_problems(rules: Rules, step: PrescribedExercise) -> list[str]:
    zone = step.zone
    if zone is None:
        return []
    problems = []
    bounds = rules.intensity.bpm(zone)
    low, high = step.heart_rate_low_bpm, step.heart_rate_high_bpm
    if bounds and low is not None and high is not None and not bounds[0] <= low <= high <= bounds[1]:
        problems.append(f"a Z{zone} step targets {low}–{high} bpm, outside Z{zone} ({bounds[0]}–{bounds[1]} bpm)")
    paces = rules.intensity.pace_bounds(zone)
    fast, slow = step.pace_fast_seconds_per_km, step.pace_slow_seconds_per_km
    if paces and fast is not None and slow is not None and not paces[0] <= fast <= slow <= paces[1]:
        problems.append(f"a Z{zone} step targets {fast}–{slow} s/km, outside Z{zone} ({paces[0]}–{paces[1]} s/km)")
    return problems


def _race_problems(rules: Rules, weeks: Iterable[MicrocyclePlan], start: date, end: date) -> list[str]:
    """The race on its date (a TEST workout), and nothing hard in the two days before it."""
    workouts = [w for week in weeks for w in week.workouts]
    tests = sorted(w.scheduled_date for w in workouts if w.workout_type is WorkoutType.TEST)
    race_day = rules.race_day or (tests[-1] if tests else None)
    if race_day is None or not start - timedelta(days=2) <= race_day <= end + timedelta(days=2):
        return []
    problems = []
    if rules.race_day is not None and start <= race_day <= end and race_day not in tests:
        problems.append(f"no race workout (type TEST) on the race date {race_day.isoformat()}")
    for workout in workouts:
        before = (race_day - workout.scheduled_date).days
        if before in (1, 2) and _is_hard(workout):
            problems.append(f"{workout.scheduled_date.isoformat()}, {before} day{'s' * (before > 1)} before the race: "
                            f"a hard session ({workout.name[:60]}); only easy running then")
    return problems


def _is_hard(workout: WorkoutPlan) -> bool:
    if workout.workout_type in HARD_WORKOUTS:
        return True
    if workout.workout_type is not WorkoutType.ENDURANCE:
        return False
    return any((zone_of(step) or 0) >= 3 and not is_strides(step) for step in workout.prescription.exercises)


def _runs(workouts: Iterable[WorkoutPlan], races: bool = False) -> list[WorkoutPlan]:
    kinds = (WorkoutType.ENDURANCE, WorkoutType.TEST) if races else (WorkoutType.ENDURANCE,)
    return [w for w in workouts if w.workout_type in kinds]

