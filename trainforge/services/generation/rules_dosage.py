"""Dosage rules of the rule-based generator: sets, reps, % 1RM, RPE and rest of one
exercise in one week, and the structure of endurance sessions.

- Main lifts: reps follow from the load and the target effort. Brzycki (1993):
  %1RM = 102.78 - 2.78 x reps-to-failure; RPE 10 - reps in reserve (Zourdos et al.
  2016, J Strength Cond Res 30:267). So reps = reps-to-failure at that %1RM minus the
  reps left in reserve, and reps fall or hold as the load rises week over week.
- Deload week: ~50 % of the sets, -10 points of %1RM, RPE <= 6 (Bell et al. 2024,
  "Deloading practices in strength and physique sports", Sports Med Open 10:26).
- Taper: volume cut progressively by 40-60 % while intensity and frequency are kept
  (Bosquet et al. 2007, Med Sci Sports Exerc 39:1358; Pritchard et al. 2015, "Effects
  and mechanisms of tapering in maximizing muscular strength", Strength Cond J 37(2):72).
- Heart-rate zones (% of max HR): Z1 50-60, Z2 60-70, Z3 70-80, Z4 80-90, Z5 90-100.
  VO2max intervals of 4 x 4 min at 90-95 % HRmax (Helgerud et al. 2007, Med Sci Sports
  Exerc 39:665).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from trainforge.models.program_content import PrescribedExercise
from trainforge.models.programs import MesocyclePhase
from trainforge.services.exercises import Exercise, MovementPattern
from trainforge.services.generation.rules_outline import PhaseProfile
from trainforge.services.generation.rules_templates import Role
from trainforge.services.generation.types import PeriodizationModel

P = MesocyclePhase
PCT_STEP = 2.5  # linear and block: main-lift load added each loading week
DUP_STEP = 1.25  # undulating: smaller weekly increases, the variation is daily
MAX_PCT = 97.5
DELOAD_SET_FACTOR = 0.5
DELOAD_PCT_DROP = 10.0
DELOAD_RPE = 6.0
# Taper volume, last weeks of a taper block: progressive, ending at ~45 % in event week.
TAPER_VOLUME = (0.8, 0.6, 0.45)
VOLUME_PHASES = frozenset({P.GENERAL_PREPARATION, P.ACCUMULATION, P.HYPERTROPHY, P.BASE})
# Equipment whose load is set as a % of a 1RM; body weight and bands go by RPE.
LOADABLE = frozenset({
    "barbell", "ez bar", "trap bar", "axle bar", "landmine", "dumbbell", "kettlebell", "cable", "machine",
    "smith machine", "leg press", "log", "keg", "yoke", "atlas stone", "sandbag", "plate",
})


class DayType(str, enum.Enum):
    """Daily undulating periodization (Rhea et al. 2002, J Strength Cond Res 16:250)."""

    HEAVY = "Heavy"
    MODERATE = "Moderate"
    LIGHT = "Light"


# (%1RM offset, RPE offset) from the phase's load, per day type
DUP_OFFSETS = {DayType.HEAVY: (7.5, 0.5), DayType.MODERATE: (0.0, 0.0), DayType.LIGHT: (-7.5, -1.0)}
DUP_ROTATION = (DayType.HEAVY, DayType.MODERATE, DayType.LIGHT)
ACCESSORY_REP_OFFSETS: dict[DayType | None, int] = {DayType.HEAVY: -2, DayType.LIGHT: 3}


@dataclass(frozen=True)
class Week:
    """Where a week sits in its mesocycle."""

    loading_index: int  # 0 for the first loading week; deload weeks keep week 1's index
    deload: bool = False
    taper: bool = False  # in a taper block: volume scaled, intensity kept
    volume: float = 1.0  # share of the normal volume (taper weeks)


@dataclass(frozen=True)
class Context:
    """What the dosage of one session depends on."""

    phase: MesocyclePhase
    profile: PhaseProfile
    model: PeriodizationModel
    week: Week
    day_type: DayType | None  # undulating model only
    endurance: bool  # strength work of an endurance athlete: maintenance volume
    minutes: int


def reps_to_failure(pct: float) -> float:
    return (102.78 - pct) / 2.78


def reps_for(pct: float, rpe: float, low: int, high: int) -> int:
    reps = math.floor(reps_to_failure(pct) - (10.0 - rpe) + 1e-9)
    return max(low, min(high, reps))


def _scaled(sets: int, factor: float) -> int:
    return max(1, round(sets * factor))


def main_load(ctx: Context) -> tuple[float, float]:
    """(% 1RM, RPE) of the main lifts this week, before any deload."""
    profile, w = ctx.profile, ctx.week.loading_index
    pct_offset, rpe_offset = DUP_OFFSETS[ctx.day_type] if ctx.day_type else (0.0, 0.0)
    step = 0.0 if ctx.week.taper else DUP_STEP if ctx.model is PeriodizationModel.UNDULATING else PCT_STEP
    pct = min(profile.pct_cap + pct_offset, MAX_PCT, profile.pct_start + pct_offset + step * w)
    rpe = min(profile.rpe_cap + rpe_offset, profile.rpe + rpe_offset + (0 if ctx.week.taper else 0.5 * w))
    return pct, min(rpe, 10.0)


def _main_sets(ctx: Context) -> int:
    sets = ctx.profile.main_sets
    if ctx.model is PeriodizationModel.BLOCK and ctx.phase in VOLUME_PHASES:
        sets += min(2, ctx.week.loading_index // 2)  # accumulation blocks add volume
    if ctx.endurance:
        sets = min(sets, 3)
    if ctx.minutes < 40:
        sets = max(2, sets - 1)
    return sets


def _rep_range(ctx: Context) -> tuple[int, int]:
    low, high = ctx.profile.reps
    if ctx.day_type is DayType.HEAVY:
        return max(1, low - 2), high
    if ctx.day_type is DayType.LIGHT:
        return low, min(15, high + 3)
    return low, high


def prescribe(ex: Exercise, role: Role, ctx: Context) -> PrescribedExercise:
    """One strength-session exercise for this week."""
    if role is Role.MAIN:
        return _main(ex, ctx)
    if role is Role.POWER:
        return _power(ex, ctx)
    if role in (Role.FINISHER, Role.MOBILITY):
        return _timed(ex, role, ctx)
    return _accessory(ex, ctx)


def _main(ex: Exercise, ctx: Context) -> PrescribedExercise:
    low, high = _rep_range(ctx)
    pct, rpe = main_load(ctx)
    sets, reps = _main_sets(ctx), reps_for(pct, rpe, low, high)
    if ctx.week.deload:
        pct, rpe = pct - DELOAD_PCT_DROP, min(DELOAD_RPE, rpe)
        sets, reps = _scaled(sets, DELOAD_SET_FACTOR), min(reps, reps_for(pct, rpe, 1, high))
    elif ctx.week.taper:
        sets = _scaled(sets, ctx.week.volume)
    loaded = bool(ex.equipment & LOADABLE)
    return PrescribedExercise(
        exercise=ex.name,
        sets=sets,
        reps=reps,
        percent_one_rm=round(pct, 1) if loaded else None,
        rpe=rpe,
        rest_seconds=ctx.profile.rest_main,
        notes=None if loaded else f"Body weight: choose the variation that leaves {10 - rpe:g} reps in reserve.",
    )


def _accessory(ex: Exercise, ctx: Context) -> PrescribedExercise:
    w, profile = ctx.week.loading_index, ctx.profile
    rpe_offset = DUP_OFFSETS[ctx.day_type][1] if ctx.day_type else 0.0
    rpe = min(9.0, profile.accessory_rpe + rpe_offset + (0 if ctx.week.taper else 0.5 * w))
    sets = 2 if ctx.endurance else profile.accessory_sets
    reps = profile.accessory_reps + ACCESSORY_REP_OFFSETS.get(ctx.day_type, 0)
    if ctx.week.deload:
        sets, rpe = _scaled(sets, DELOAD_SET_FACTOR), min(DELOAD_RPE, rpe)
    elif ctx.week.taper:
        sets = _scaled(sets, ctx.week.volume)
    timed = ex.force == "static" or ex.pattern is MovementPattern.CARRY
    return PrescribedExercise(
        exercise=ex.name,
        sets=sets,
        reps=None if timed else max(5, reps),
        duration_seconds=min(60, (40 if ex.pattern is MovementPattern.CARRY else 30) + 5 * w) if timed else None,
        rpe=rpe,
        rest_seconds=profile.rest_accessory,
    )


def _power(ex: Exercise, ctx: Context) -> PrescribedExercise:
    """Jumps and throws: few reps with full rest, quality over fatigue (NSCA ch. 18)."""
    sets, reps, rpe = 3 + min(1, ctx.week.loading_index // 2), 5 if ctx.phase in VOLUME_PHASES else 3, 7.0
    if ctx.week.deload:
        sets, reps, rpe = 2, 3, DELOAD_RPE
    elif ctx.week.taper:
        sets = _scaled(sets, ctx.week.volume)
    return PrescribedExercise(exercise=ex.name, sets=sets, reps=reps, rpe=rpe, rest_seconds=120,
                              notes="Maximal intent; stop a set when speed drops.")


def _timed(ex: Exercise, role: Role, ctx: Context) -> PrescribedExercise:
    if role is Role.MOBILITY and ex.pattern is MovementPattern.CONDITIONING:
        return PrescribedExercise(exercise=ex.name, sets=1, duration_seconds=60 * min(30, max(10, ctx.minutes // 2)),
                                  rpe=3.0, notes="Z1-Z2 (50-70 % HRmax): easy, for recovery.")
    if role is Role.MOBILITY:
        return PrescribedExercise(exercise=ex.name, sets=2, duration_seconds=45, rpe=3.0, rest_seconds=15)
    sets, rpe = min(10, 6 + ctx.week.loading_index), 8.0
    if ctx.week.deload:
        sets, rpe = 4, DELOAD_RPE
    elif ctx.week.taper:
        sets = _scaled(sets, ctx.week.volume)
    return PrescribedExercise(exercise=ex.name, sets=sets, duration_seconds=30, rpe=rpe, rest_seconds=60,
                              notes="Intervals: 30 s hard, 60 s easy.")


def slot_minutes(role: Role, ctx: Context) -> float:
    """Time one exercise takes (work ~40 s a set, plus rest and a minute to set up)."""
    if role is Role.MAIN:
        return _main_sets(ctx) * (40 + ctx.profile.rest_main) / 60 + 1
    if role is Role.POWER:
        return 3 * (20 + 120) / 60 + 1
    if role is Role.FINISHER:
        return 6 * 90 / 60 + 1
    if role is Role.MOBILITY:
        return 2.5
    sets = 2 if ctx.endurance else ctx.profile.accessory_sets
    return sets * (40 + ctx.profile.rest_accessory) / 60 + 1


def meet_session(mains: list[Exercise]) -> list[PrescribedExercise]:
    """A meet's attempts on the main lifts."""
    return [PrescribedExercise(exercise=ex.name, sets=3, reps=1, percent_one_rm=100.0 if ex.equipment & LOADABLE else None,
                               rpe=9.5, rest_seconds=600,
                               notes="Attempts: opener ~90-93 %, second ~96-98 %, third 100-103 % of 1RM.")
            for ex in mains]
