"""Endurance weeks of the rule-based generator: which run on which day, how long, how hard.

Running is assumed as the discipline. A week's minutes come from the program's volume plan
(rules_endurance_volume), sized from the runner's current volume, race and experience
(rules_endurance_athlete); the sessions are built in rules_endurance_sessions with targets
from rules_endurance_targets.

- Intensity distribution by time: at most ~15 % of a week's running is planned hard (Z3 and
  above), so that ~80 % or more is easy (Seiler 2010, Int J Sports Physiol Perform 5:276).
  Base blocks are all easy, plus strides. Build and peak blocks add race-specific work:
  VO2max intervals and threshold for 5-10 km races, threshold and race-pace segments (a
  race-pace tempo, a race-pace finish to the long run) from the half marathon up.
- Long run ~25-30 % of the week with 5+ runs (more with fewer runs), capped by race distance.
- Recovery weeks cut volume and keep one quality session; taper weeks keep intensity with
  less volume (Bosquet et al. 2007); race week keeps one short race-pace session three or
  more days out, an easy run with strides the day before, nothing hard in the last two
  days, and recovery after the race.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from trainforge.models.program_content import PrescribedExercise, WorkoutPrescription
from trainforge.models.programs import MesocyclePhase, WorkoutType
from trainforge.services.exercises import Exercise, ExerciseLibrary, MovementPattern
from trainforge.services.generation import calendar
from trainforge.services.generation.rules_dosage import Context
from trainforge.services.generation.rules_endurance_athlete import Runner, runner, taper_weeks
from trainforge.services.generation.rules_endurance_sessions import (
    RACE_REPS,
    RACE_TEMPO,
    SHARPENER,
    THRESHOLD,
    VO2MAX,
    WARM_UP_STRIDES,
    Kit,
    MainSet,
    easy_run,
    key_session,
    long_run,
    race,
    running_seconds,
)
from trainforge.services.generation.rules_endurance_targets import intensity_of, strides_seconds
from trainforge.services.generation.rules_endurance_volume import PlannedWeek, WeekRole, long_run_share, plan_volume
from trainforge.services.generation.rules_outline import plan_phases
from trainforge.services.generation.rules_selection import first_named
from trainforge.services.generation.rules_templates import LOW_IMPACT, RUNNING, SessionKind
from trainforge.services.generation.types import GenerationRequest, MesocycleOutline, ProgramOutline
from trainforge.services.program_tree import WorkoutPlan

P = MesocyclePhase
ENDURANCE_KINDS = frozenset({SessionKind.EASY, SessionKind.LONG, SessionKind.TEMPO, SessionKind.INTERVALS})
# Blocks whose running is all easy (plus strides); any other phase adds quality sessions.
EASY_PHASES = frozenset({P.BASE, P.GENERAL_PREPARATION, P.ACCUMULATION, P.HYPERTROPHY, P.TRANSITION})
RACE_SPECIFIC_PHASES = frozenset({P.PEAK, P.REALIZATION, P.TAPER})
HARD_SHARE = 0.16  # of the week's running planned in Z3+: leaves room under the 20 % ceiling
MIN_AVERAGE_RUN = 25  # minutes: fewer, longer runs when the week's volume is small
MIN_RUN = 15
BASE_STRIDES, SHAKEOUT_STRIDES = 6, 4
SHAKEOUT_MINUTES, PRE_RACE_MINUTES = 20, 25
RACE_WEEK_RUN_CAP = 45  # minutes: race week holds short runs only


@dataclass(frozen=True)
class EnduranceWeek:
    """One week of an endurance program, as the generator's breakdown sees it."""

    request: GenerationRequest
    meso: MesocycleOutline
    final_block: bool  # the program's last mesocycle (the race itself is placed by its date)
    week_index: int  # 0-based, inside the mesocycle
    week_number: int  # 1-based, in the program
    dates: list[date]  # the week's training days
    kinds: list[SessionKind]  # the day template of each training day, in order
    ctx: Context  # the week's dosage context (strength days use it; runs follow the volume plan)
    modalities: tuple[Exercise, Exercise]  # running and a low-impact modality
    strength: Callable[[date], WorkoutPlan]  # the strength session of a strength day
    recovery: Callable[[date, str], WorkoutPlan]  # easy movement only, with a title
    outline: ProgramOutline | None = None  # the volume plan spans it; else `plan_phases` of the request


@dataclass(frozen=True)
class WeekPlan:
    workouts: list[WorkoutPlan]
    focus: str | None = None  # replaces the generic focus when given


class Day(str, enum.Enum):
    RACE = "race"
    AFTER_RACE = "after_race"
    SHAKEOUT = "shakeout"  # the day before the race: short, easy, strides
    PRE_RACE = "pre_race"  # two days before: short and easy
    LONG = "long"
    INTERVALS = "intervals"  # the week's first quality day
    TEMPO = "tempo"  # the second quality day
    SHARPEN = "sharpen"  # race week's one short race-pace session
    EASY = "easy"
    STRIDES = "strides"  # easy run ending with strides
    STRENGTH = "strength"
    REST = "rest"  # easy movement only (a recovery day, or a run the week's volume cannot fill)


RUNS = frozenset({Day.LONG, Day.INTERVALS, Day.TEMPO, Day.SHARPEN, Day.EASY, Day.STRIDES})
_FROM_KIND = {SessionKind.LONG: Day.LONG, SessionKind.INTERVALS: Day.INTERVALS, SessionKind.TEMPO: Day.TEMPO,
              SessionKind.EASY: Day.EASY, SessionKind.STRENGTH: Day.STRENGTH, SessionKind.RECOVERY: Day.REST}
_STRIDES_SECONDS = {Day.INTERVALS: strides_seconds(WARM_UP_STRIDES), Day.TEMPO: strides_seconds(WARM_UP_STRIDES),
                    Day.SHARPEN: strides_seconds(WARM_UP_STRIDES), Day.SHAKEOUT: strides_seconds(SHAKEOUT_STRIDES),
                    Day.STRIDES: strides_seconds(BASE_STRIDES)}
_DROP_ORDER = (Day.EASY, Day.STRIDES, Day.TEMPO, Day.INTERVALS, Day.SHARPEN)  # the long run goes last


def modalities(library: ExerciseLibrary, kinds: frozenset[str], level: str | None, seed: int) -> tuple[Exercise, Exercise]:
    """The endurance modality (running assumed) and a low-impact one. Endurance plans run
    every session (their volume is running volume); the low-impact one is for other uses."""
    pool = library.for_pattern(MovementPattern.CONDITIONING, kinds, level) or \
        library.for_pattern(MovementPattern.CONDITIONING, frozenset(), None)
    main = first_named(RUNNING, pool) or pool[0]
    low_impact = [ex for ex in pool if ex.name in LOW_IMPACT]
    easy = random.Random(f"{seed}:modality").choice(low_impact) if low_impact else main
    return main, easy


def race_date(request: GenerationRequest) -> date:
    """The event date, or without one the last training day: a time trial."""
    return request.event_date or calendar.training_days(request, request.total_weeks)[-1]


def volume_plan(week: EnduranceWeek) -> list[PlannedWeek]:
    """The whole program's weekly volume, the same whichever mesocycle asks."""
    request = week.request
    blocks = ([(m.phase, m.weeks) for m in week.outline.mesocycles] if week.outline is not None
              else plan_phases(request))
    runs = sum(kind in ENDURANCE_KINDS for kind in week.kinds)
    return plan_volume(runner(request), blocks, runs, taper_weeks(request))


def plan_week(week: EnduranceWeek) -> WeekPlan:
    """The week's workouts: runs sized by the volume plan, strength days, the race and after."""
    request = week.request
    plan = volume_plan(week)
    planned = plan[min(week.week_number, len(plan)) - 1]
    athlete = runner(request)
    kit = Kit(athlete, intensity_of(request.baseline), week.modalities[0].name)
    race_day = race_date(request)
    days = _days(week, race_day)
    roles = _roles(planned, days, race_day)
    minutes = _minutes(athlete, planned, roles)
    budget = _hard_budgets(athlete, planned, roles, sum(minutes.values()))
    workouts = [_workout(week, kit, planned, day, role, minutes.get(i, 0), budget.get(i, 0))
                for i, ((day, _), role) in enumerate(zip(days, roles, strict=True))]
    return WeekPlan(workouts, _focus(week, planned, workouts, athlete, race_day))


def _days(week: EnduranceWeek, race_day: date) -> list[tuple[date, SessionKind | None]]:
    """The training days with their templates, and the race day even when it is not one."""
    days: list[tuple[date, SessionKind | None]] = list(zip(week.dates, week.kinds, strict=True))
    start, end = calendar.week_start(week.request, week.week_number), calendar.week_end(week.request, week.week_number)
    if start <= race_day <= end and race_day not in week.dates:
        days = sorted([*days, (race_day, None)], key=lambda pair: pair[0])
    return days


def _roles(planned: PlannedWeek, days: list[tuple[date, SessionKind | None]], race_day: date) -> list[Day]:
    """What each day holds: the race and the days around it first, then the day's template,
    made easy in base blocks, with one quality session in recovery weeks and race week."""
    quality = planned.phase not in EASY_PHASES
    race_week = any(day == race_day for day, _ in days)
    roles = []
    for day, kind in days:
        before = (race_day - day).days
        role = _FROM_KIND.get(kind, Day.STRENGTH) if kind is not None else Day.REST
        if before == 0:
            role = Day.RACE
        elif before < 0:
            role = Day.AFTER_RACE
        elif before == 1:
            role = Day.SHAKEOUT
        elif before == 2 and role is not Day.REST:
            role = Day.PRE_RACE
        elif race_week and role is Day.LONG:
            role = Day.EASY
        roles.append(role)
    if race_week:  # one short race-pace session, three or more days before the race
        keys = [i for i, role in enumerate(roles) if role in (Day.INTERVALS, Day.TEMPO)]
        roles = [Day.STRIDES if role in (Day.INTERVALS, Day.TEMPO) else role for role in roles]
        if keys and quality:
            roles[keys[0]] = Day.SHARPEN
    elif not quality:  # base: easy running, strides on the quality days
        roles = [Day.STRIDES if role in (Day.INTERVALS, Day.TEMPO) else role for role in roles]
    elif planned.role is WeekRole.RECOVERY:  # one quality session only
        keys = [i for i, role in enumerate(roles) if role in (Day.INTERVALS, Day.TEMPO)]
        for i in keys[1:]:
            roles[i] = Day.STRIDES
    fixed = _fixed_minutes(roles, planned.minutes)
    roles = [Day.REST if role is Day.PRE_RACE and i not in fixed else role for i, role in enumerate(roles)]
    return _drop_runs(roles, planned.minutes - sum(fixed.values()))


def _fixed_minutes(roles: list[Day], week_minutes: int) -> dict[int, int]:
    """The short runs before the race, by position, out of the week's minutes: the
    shakeout always (15-20 min), the run two days out only if the week has room for it."""
    fixed, left = {}, week_minutes
    for i, role in sorted(enumerate(roles), key=lambda pair: pair[1] is not Day.SHAKEOUT):
        if role is Day.SHAKEOUT:
            fixed[i] = min(SHAKEOUT_MINUTES, max(MIN_RUN, left))
        elif role is Day.PRE_RACE and left >= MIN_RUN:
            fixed[i] = min(PRE_RACE_MINUTES, left)
        left -= fixed.get(i, 0)
    return fixed


def _drop_runs(roles: list[Day], flexible_minutes: int) -> list[Day]:
    """Fewer, longer runs when the volume is small: every run at least ~25 min on average."""
    allowed = flexible_minutes // MIN_AVERAGE_RUN or (1 if flexible_minutes >= MIN_RUN else 0)
    roles = list(roles)
    for dropped in _DROP_ORDER + (Day.LONG,):
        for i in reversed(range(len(roles))):
            if sum(role in RUNS for role in roles) <= allowed:
                return roles
            if roles[i] is dropped:
                roles[i] = Day.REST
    return roles


def _minutes(athlete: Runner, planned: PlannedWeek, roles: list[Day]) -> dict[int, int]:
    """Minutes of each run, by position: the long run's share first, the rest shared evenly."""
    fixed = _fixed_minutes(roles, planned.minutes)
    runs = [i for i, role in enumerate(roles) if role in RUNS]
    left = max(0, planned.minutes - sum(fixed.values()))
    shares: dict[int, int] = dict(fixed)
    longs = [i for i in runs if roles[i] is Day.LONG]
    if longs:
        shares[longs[0]] = min(athlete.long_run_cap, round(long_run_share(len(runs)) * left))
        left -= shares[longs[0]]
    others = [i for i in runs if i not in shares]
    cap = RACE_WEEK_RUN_CAP if planned.role is WeekRole.RACE else athlete.run_cap
    if others:
        each, extra = divmod(left, len(others))
        for n, i in enumerate(others):
            shares[i] = min(cap, each + (n < extra))
    return shares


def _hard_budgets(athlete: Runner, planned: PlannedWeek, roles: list[Day], minutes: int) -> dict[int, int]:
    """Seconds of Z3+ work each session may hold: shares of the hard budget of the week's
    `minutes` of running. A share left unused (a recovery week's second quality day) is
    not passed on."""
    intervals, tempo, finish = _weights(athlete, planned)
    if not any(role in (Day.INTERVALS, Day.TEMPO) for role in roles):
        finish = 1.0  # one or two runs a week: the long run carries the quality
    if planned.phase in EASY_PHASES or planned.role not in (WeekRole.LOADING, WeekRole.PRE_TAPER, WeekRole.TAPER):
        finish = 0.0
    weight = {Day.SHARPEN: 1.0, Day.INTERVALS: intervals, Day.TEMPO: tempo, Day.LONG: finish}
    # Of the continuous running: strides count neither way in the distribution.
    budget = HARD_SHARE * (minutes * 60 - sum(_STRIDES_SECONDS.get(role, 0) for role in roles))
    return {i: int(budget * weight[role]) for i, role in enumerate(roles) if weight.get(role)}


def _weights(athlete: Runner, planned: PlannedWeek) -> tuple[float, float, float]:
    """Shares of the hard budget: (intervals day, tempo day, race-pace finish of the long run)."""
    if not athlete.long_race:
        return 0.5, 0.5, 0.0
    return (0.40, 0.25, 0.35) if _race_specific(planned) else (0.55, 0.0, 0.45)


def _race_specific(planned: PlannedWeek) -> bool:
    return planned.phase in RACE_SPECIFIC_PHASES or planned.role in (WeekRole.PRE_TAPER, WeekRole.TAPER)


def _main_set(athlete: Runner, planned: PlannedWeek, role: Day) -> MainSet:
    if role is Day.SHARPEN:
        return SHARPENER
    if athlete.long_race:
        return THRESHOLD if role is Day.INTERVALS else RACE_TEMPO
    if role is Day.INTERVALS:
        return RACE_REPS if _race_specific(planned) else VO2MAX
    return THRESHOLD


def _workout(week: EnduranceWeek, kit: Kit, planned: PlannedWeek, day: date, role: Day, minutes: int,
             budget: int) -> WorkoutPlan:
    number, block = week.week_number, week.meso.name
    if role is Day.RACE:
        label = "Race day" if week.request.event_date else "Time trial"
        title = f"{label}: {kit.runner.race_km:g} km"
        items, race_minutes = race(kit, "Race" if week.request.event_date else "Time trial")
        return _plan(day, f"{title} (W{number})", WorkoutType.TEST, items, race_minutes,
                     "Race: start controlled, even splits, the last part all out.")
    if role is Day.AFTER_RACE:
        return week.recovery(day, f"Recovery after the race (W{number})")
    if role is Day.STRENGTH:
        return week.strength(day)
    if role is Day.REST or minutes < MIN_RUN:
        return week.recovery(day, f"Recovery: easy movement (W{number})")
    seconds = minutes * 60
    items: list[PrescribedExercise] | None = None
    title, notes = "", ""
    if role in (Day.INTERVALS, Day.TEMPO, Day.SHARPEN):
        main = _main_set(kit.runner, planned, role)
        items = key_session(kit, seconds, main, budget)
        title, notes = main.name, main.detail + "."
    if items is None and role is Day.LONG:
        items, title, notes = long_run(kit, seconds, budget), "Long run", "The week's long run: steady, fuel and drink."
    if items is None and role is Day.SHAKEOUT:
        items, title = easy_run(kit, seconds, "Shakeout", SHAKEOUT_STRIDES), "Shakeout + strides"
        notes = "Short and easy: legs awake for tomorrow."
    if items is None:  # an easy day, or too little time or budget for a main set
        strides = role in (Day.STRIDES, Day.INTERVALS, Day.TEMPO, Day.SHARPEN)
        items = easy_run(kit, seconds, stride_count=BASE_STRIDES if strides else 0)
        title = "Easy run + strides" if len(items) > 1 else "Easy run"
        notes = "Easy: you could talk in full sentences." + (" Strides at the end." if len(items) > 1 else "")
    return _plan(day, f"{title} — {block} (W{number})", WorkoutType.ENDURANCE, items, minutes, notes)


def _plan(day: date, name: str, workout_type: WorkoutType, exercises: list[PrescribedExercise], minutes: int,
          notes: str | None = None) -> WorkoutPlan:
    return WorkoutPlan(scheduled_date=day, name=name[:200], workout_type=workout_type,
                       prescription=WorkoutPrescription(exercises=exercises[:40]),
                       duration_minutes=max(1, min(600, minutes)), notes=notes)


def _focus(week: EnduranceWeek, planned: PlannedWeek, workouts: list[WorkoutPlan], athlete: Runner,
           race_day: date) -> str:
    runs = [w.prescription.exercises for w in workouts if w.workout_type is WorkoutType.ENDURANCE]
    minutes = round(sum(running_seconds(items) for items in runs) / 60)
    longest = round(max((running_seconds(items) for items in runs), default=0) / 60)
    meters = sum(e.sets * (e.distance_meters or 0) for items in runs for e in items)
    volume = f"{minutes} min running" + (f" (≈ {meters / 1000:.0f} km)" if athlete.pace_known and meters else "")
    if planned.role is WeekRole.RACE:
        return f"Race week: {athlete.race_km:g} km on {race_day.isoformat()}; {volume} before it, intensity kept"
    if planned.role in (WeekRole.PRE_TAPER, WeekRole.TAPER):
        return f"Taper: {volume}, {round(planned.peak_share * 100)} % of the peak week; intensity kept"
    if planned.role is WeekRole.RECOVERY:
        return f"Recovery week: {volume}, ~30 % less; one quality session at most"
    return f"{week.meso.name} week {week.week_index + 1}: {volume}, long run {longest} min; {_style(athlete, planned)}"


def _style(athlete: Runner, planned: PlannedWeek) -> str:
    if planned.phase in EASY_PHASES:
        return "all easy, plus strides"
    if athlete.long_race:
        tempo = "race-pace tempo, " if _race_specific(planned) else ""
        return f"threshold, {tempo}race-pace finish to the long run"
    if planned.phase in RACE_SPECIFIC_PHASES:
        return "race-pace intervals and threshold"
    return "VO2max intervals and threshold"


def race_session(request: GenerationRequest, modality: Exercise) -> tuple[list[PrescribedExercise], int]:
    """The race of a program whose goal is not endurance (a general-fitness 10 km, say): the
    same race workout as an endurance plan's, sized by the race distance; with its minutes."""
    kit = Kit(runner(request), intensity_of(request.baseline), modality.name)
    return race(kit, "Race" if request.event_date else "Time trial")
