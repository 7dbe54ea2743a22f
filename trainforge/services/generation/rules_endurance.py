"""Endurance weeks of the rule-based generator: which session on which day, and each
session's structure (warm-up, main set, cool-down) with its targets.

- Heart-rate zones (% of max HR): Z1 50-60, Z2 60-70, Z3 70-80, Z4 80-90, Z5 90-100.
  VO2max intervals of 4 x 4 min at 90-95 % HRmax (Helgerud et al. 2007, Med Sci Sports
  Exerc 39:665).
- About 80 % of sessions easy (Seiler 2010, Int J Sports Physiol Perform 5:276).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from trainforge.models.program_content import PrescribedExercise
from trainforge.models.programs import MesocyclePhase, WorkoutType
from trainforge.services.exercises import Exercise, ExerciseLibrary, MovementPattern
from trainforge.services.generation.rules_dosage import DELOAD_RPE, DELOAD_SET_FACTOR, Context
from trainforge.services.generation.rules_templates import LOW_IMPACT, RUNNING, SessionKind
from trainforge.services.generation.rules_selection import first_named
from trainforge.services.generation.types import GenerationRequest, MesocycleOutline
from trainforge.services.program_tree import WorkoutPlan

P = MesocyclePhase
ENDURANCE_KINDS = frozenset({SessionKind.EASY, SessionKind.LONG, SessionKind.TEMPO, SessionKind.INTERVALS})


@dataclass(frozen=True)
class EnduranceWeek:
    """One week of an endurance program, as the generator's breakdown sees it."""

    request: GenerationRequest
    meso: MesocycleOutline
    final_block: bool  # the program's last mesocycle (the race is in its last week)
    week_index: int  # 0-based, inside the mesocycle
    week_number: int  # 1-based, in the program
    dates: list[date]  # the week's training days
    kinds: list[SessionKind]  # the day template of each training day, in order
    ctx: Context  # the week's dosage context (phase, deload, taper volume, ...)
    modalities: tuple[Exercise, Exercise]  # running and a low-impact modality
    strength: Callable[[date], WorkoutPlan]  # the strength session of a strength day
    recovery: Callable[[date, str], WorkoutPlan]  # easy movement only, with a title


@dataclass(frozen=True)
class WeekPlan:
    workouts: list[WorkoutPlan]
    focus: str | None = None  # replaces the generic focus when given


def modalities(library: ExerciseLibrary, kinds: frozenset[str], level: str | None, seed: int) -> tuple[Exercise, Exercise]:
    """The endurance modality (running assumed) and a low-impact one for easy days."""
    pool = library.for_pattern(MovementPattern.CONDITIONING, kinds, level) or \
        library.for_pattern(MovementPattern.CONDITIONING, frozenset(), None)
    main = first_named(RUNNING, pool) or pool[0]
    low_impact = [ex for ex in pool if ex.name in LOW_IMPACT]
    easy = random.Random(f"{seed}:modality").choice(low_impact) if low_impact else main
    return main, easy


def plan_week(week: EnduranceWeek) -> WeekPlan:
    """The week's workouts: endurance sessions, strength days, the race and what follows it."""
    request, ctx = week.request, week.ctx
    modality, easy_modality = week.modalities
    race_day = None
    if week.final_block and week.week_index == week.meso.weeks - 1:
        race_day = request.event_date or (week.dates[-1] if week.dates else None)
    workouts, easy_seen = [], 0
    for day, kind in zip(week.dates, week.kinds, strict=True):
        if race_day is not None and day == race_day:
            label = "Race day" if request.event_date else "Time trial"
            workouts.append(_plan(day, f"{label} (W{week.week_number})", WorkoutType.TEST,
                                  race_session(modality, request.session_minutes), request.session_minutes))
        elif race_day is not None and day > race_day:
            workouts.append(week.recovery(day, f"Recovery (W{week.week_number})"))
        elif kind in ENDURANCE_KINDS:
            cross = kind is SessionKind.EASY and easy_seen % 2 == 1
            easy_seen += kind is SessionKind.EASY
            exercises = endurance_session(kind, modality, easy_modality if cross else modality, ctx)
            workouts.append(_plan(day, f"{kind.value.capitalize()} — {week.meso.name} (W{week.week_number})",
                                  WorkoutType.ENDURANCE, exercises, request.session_minutes))
        else:
            workouts.append(week.strength(day))
    focus = f"Event week: taper, then the event on {race_day.isoformat()}" if race_day else None
    return WeekPlan(workouts, focus)


def _plan(day: date, name: str, workout_type: WorkoutType, exercises: list[PrescribedExercise],
          minutes: int, notes: str | None = None) -> WorkoutPlan:
    from trainforge.models.program_content import WorkoutPrescription

    return WorkoutPlan(scheduled_date=day, name=name[:200], workout_type=workout_type,
                       prescription=WorkoutPrescription(exercises=exercises[:40]), duration_minutes=minutes,
                       notes=notes)


@dataclass(frozen=True)
class Intervals:
    work_seconds: int
    rest_seconds: int
    first_count: int
    rpe: float
    notes: str


INTERVALS = {
    P.BASE: Intervals(180, 120, 4, 7.0, "Z4 (80-90 % HRmax), relaxed and even."),
    P.BUILD: Intervals(240, 180, 4, 8.0, "Z4-Z5 (85-95 % HRmax): 4 x 4 min style VO2max work (Helgerud et al. 2007)."),
    P.PEAK: Intervals(180, 120, 5, 8.5, "Z5 (90-95 % HRmax) at race pace."),
    P.TAPER: Intervals(180, 120, 5, 8.5, "Z5 (90-95 % HRmax) at race pace; fewer repeats, same speed."),
}
DEFAULT_INTERVALS = Intervals(60, 90, 6, 8.0, "Z4-Z5: hard but repeatable.")
EASY_NOTE = "Z2 (60-70 % HRmax): conversational pace."


def _minutes(value: float) -> int:
    return max(60, int(round(value)) * 60)


def endurance_session(
    kind: SessionKind, modality: Exercise, easy_modality: Exercise, ctx: Context
) -> list[PrescribedExercise]:
    """Warm-up, main set and cool-down of an endurance session, all by time."""
    w, minutes, week = ctx.week.loading_index, ctx.minutes, ctx.week
    volume = DELOAD_SET_FACTOR + 0.1 if week.deload else week.volume
    grow = min(1.0, 0.8 + 0.05 * w)  # steady sessions lengthen through the block
    warm, cool = max(5, min(15, round(minutes * 0.15))), max(3, min(10, round(minutes * 0.1)))
    main_minutes = minutes - warm - cool

    def block(ex: Exercise, sets: int, seconds: int, rpe: float, notes: str, rest: int | None = None) -> PrescribedExercise:
        return PrescribedExercise(exercise=ex.name, sets=sets, duration_seconds=seconds, rpe=rpe,
                                  rest_seconds=rest, notes=notes)

    warm_up = block(modality, 1, warm * 60, 3.0, "Warm-up: Z1 rising to Z2, then 3-4 strides.")
    cool_down = block(modality, 1, cool * 60, 2.0, "Cool-down: Z1.")
    if kind is SessionKind.EASY:
        return [block(easy_modality, 1, _minutes(minutes * grow * volume), 3.0, EASY_NOTE)]
    if kind is SessionKind.LONG:
        steady = minutes * grow * volume
        if ctx.phase in (P.BUILD, P.PEAK) and not week.deload:
            race = round(steady * 0.2)
            return [block(modality, 1, _minutes(steady - race), 4.0, EASY_NOTE),
                    block(modality, 1, _minutes(race), 6.5, "Finish at race pace (Z3).")]
        return [block(modality, 1, _minutes(steady), 4.0, EASY_NOTE)]
    if kind is SessionKind.TEMPO:
        total = min(main_minutes * 0.8, main_minutes * (0.5 + 0.1 * w)) * volume
        count = max(1, math.ceil(total / 15))
        threshold = ctx.phase in (P.BUILD, P.PEAK, P.TAPER)
        rpe = min(DELOAD_RPE, 7.0) if week.deload else 7.0 if threshold else 6.0
        note = "Threshold, low Z4 (80-85 % HRmax)." if threshold else "Tempo, Z3 (70-80 % HRmax)."
        return [warm_up, block(modality, count, _minutes(total / count), rpe, note, rest=180), cool_down]
    spec = INTERVALS.get(ctx.phase, DEFAULT_INTERVALS)
    fit = max(1, main_minutes * 60 // (spec.work_seconds + spec.rest_seconds))
    count = min(fit, 12, spec.first_count + (0 if week.taper else w))
    rpe, notes = spec.rpe, spec.notes
    if week.deload:
        count, rpe, notes = max(2, round(count * DELOAD_SET_FACTOR)), DELOAD_RPE, "Deload: relaxed Z3, stop fresh."
    elif week.taper:
        count = max(2, round(count * week.volume))
    return [warm_up, block(modality, count, spec.work_seconds, rpe, notes, rest=spec.rest_seconds), cool_down]


def race_session(modality: Exercise, minutes: int) -> list[PrescribedExercise]:
    """The race itself, after a warm-up."""
    return [PrescribedExercise(exercise=modality.name, sets=1, duration_seconds=60 * min(15, max(5, minutes // 4)),
                               rpe=3.0, notes="Warm-up before the start: Z1-Z2 and 3-4 strides."),
            PrescribedExercise(exercise=modality.name, sets=1, duration_seconds=60 * minutes, rpe=9.5,
                               notes="Race: even pacing, then empty the tank over the last part.")]
