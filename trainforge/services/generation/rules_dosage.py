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
from dataclasses import dataclass, field

from trainforge.models.program_content import LoadBasis, PrescribedExercise
from trainforge.models.programs import MesocyclePhase
from trainforge.services.exercises import Exercise, MovementPattern
from trainforge.services.generation.curation import Owned, load_steps
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
BODY_WEIGHT_REPS = (6, 16)  # below 6 reps a body-weight lift needs its harder variation
FREE_WEIGHT_MIN_REPS = 5  # dumbbells and kettlebells: no heavy singles and doubles
MAX_REPS_AT_OWNED_LOAD = 30  # a light fixed bell or pair: more reps, up to here
BARBELL_LIKE = frozenset({"barbell", "trap bar", "ez bar", "axle bar", "smith machine", "machine", "cable", "leg press",
                          "landmine"})


@dataclass(frozen=True)
class Week:
    """Where a week sits in its mesocycle."""

    loading_index: int  # 0 for the first loading week; deload weeks keep week 1's index
    deload: bool = False
    taper: bool = False  # in a taper block: volume scaled, intensity kept
    volume: float = 1.0  # share of the normal volume (taper weeks)
    test: bool = False  # the program's last week: the main lifts are tested


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
    cycle: int = 0  # earlier blocks of the same phase: a repeated block starts higher
    one_rep_maxes: dict[str, float] = field(default_factory=dict)  # kg by lift, for this block
    novice: bool = False  # a beginner tests with an AMRAP set, not a 1RM
    owned: Owned = field(default_factory=dict)  # loads the athlete's own implements allow (fixed pairs, ...)
    volume_block: bool = False  # sets per muscle group ramp across the block (rules_volume), not main sets


def reps_to_failure(pct: float) -> float:
    return (102.78 - pct) / 2.78


def reps_for(pct: float, rpe: float, low: int, high: int) -> int:
    reps = math.floor(reps_to_failure(pct) - (10.0 - rpe) + 1e-9)
    return max(low, min(high, reps))


def _scaled(sets: int, factor: float) -> int:
    return max(1, round(sets * factor))


def main_load(ctx: Context) -> tuple[float, float]:
    """(% 1RM, RPE) of the main lifts this week, before any deload. A repeated block starts
    a step higher than the one before it (within the phase's cap)."""
    profile, w = ctx.profile, ctx.week.loading_index
    pct_offset, rpe_offset = DUP_OFFSETS[ctx.day_type] if ctx.day_type else (0.0, 0.0)
    step = 0.0 if ctx.week.taper else DUP_STEP if ctx.model is PeriodizationModel.UNDULATING else PCT_STEP
    start = profile.pct_start + PCT_STEP * min(ctx.cycle, 2)
    pct = min(profile.pct_cap + pct_offset, MAX_PCT, start + pct_offset + step * w)
    rpe = min(profile.rpe_cap + rpe_offset, profile.rpe + rpe_offset + (0 if ctx.week.taper else 0.5 * w))
    return pct, min(rpe, 10.0)


def main_sets(ctx: Context) -> int:
    sets = ctx.profile.main_sets + (1 if ctx.cycle else 0)
    if ctx.model is PeriodizationModel.BLOCK and ctx.phase in VOLUME_PHASES and not ctx.volume_block:
        sets += min(2, ctx.week.loading_index // 2)  # accumulation blocks add volume
    if ctx.endurance:
        sets = min(sets, 3)
    if ctx.minutes < 40:
        sets = max(2, sets - 1)
    return sets


def accessory_sets(ctx: Context) -> int:
    return 2 if ctx.endurance else ctx.profile.accessory_sets


def rest_seconds(role: Role, ctx: Context) -> int:
    if role is Role.MAIN:
        return ctx.profile.rest_main
    if role is Role.POWER:
        return 120
    if role is Role.FINISHER:
        return 60
    if role is Role.MOBILITY:
        return 15
    return ctx.profile.rest_accessory


def base_sets(role: Role, ctx: Context) -> int:
    """A normal week's sets of one exercise, before the week is balanced and fitted."""
    if role is Role.MAIN:
        return main_sets(ctx)
    grows = 0 if ctx.volume_block else ctx.week.loading_index  # volume blocks give their time to hard sets
    if role is Role.POWER:
        return 3 + min(1, grows // 2)
    if role is Role.FINISHER:
        return min(10, 6 + grows)
    if role is Role.MOBILITY:
        return 2
    return accessory_sets(ctx)


def week_sets(sets: int, ctx: Context) -> int:
    """Deload and taper weeks scale the normal week's sets."""
    if ctx.week.deload or ctx.week.test:
        return max(1, math.floor(sets * DELOAD_SET_FACTOR))  # half, rounded down: a deload is light
    if ctx.week.taper:
        return _scaled(sets, ctx.week.volume)
    return sets


def _rep_range(ctx: Context) -> tuple[int, int]:
    low, high = ctx.profile.reps
    if ctx.day_type is DayType.HEAVY:
        return max(1, low - 2), high
    if ctx.day_type is DayType.LIGHT:
        return low, min(15, high + 3)
    return low, high


def prescribe(ex: Exercise, role: Role, ctx: Context, sets: int | None = None, rest: int | None = None,
              superset: str | None = None) -> PrescribedExercise:
    """One strength-session exercise for this week; `sets` and `rest` as balanced and
    fitted for the week (see rules_volume), else the normal week's."""
    sets = week_sets(base_sets(role, ctx), ctx) if sets is None else sets
    rest = rest_seconds(role, ctx) if rest is None else rest
    if role is Role.MAIN:
        prescribed = _main(ex, ctx, sets, rest)
    elif role is Role.POWER:
        prescribed = _power(ex, ctx, sets)
    elif role in (Role.FINISHER, Role.MOBILITY):
        prescribed = _timed(ex, role, ctx, sets)
    else:
        prescribed = _accessory(ex, ctx, sets, rest)
    return prescribed.model_copy(update={"superset": superset}) if superset else prescribed


def _main(ex: Exercise, ctx: Context, sets: int, rest: int) -> PrescribedExercise:
    """By % of the lift's 1RM in kg when the athlete gave one (RPE a ceiling), else by RPE
    and a rep range; body-weight lifts keep 6+ reps (a harder variation makes them heavier)."""
    if ctx.week.test:
        return _test(ex, ctx)
    low, high = _rep_range(ctx)
    if not ex.equipment & BARBELL_LIKE:  # low-rep sets are for bars and machines, not bells
        low, high = max(low, FREE_WEIGHT_MIN_REPS), max(high, FREE_WEIGHT_MIN_REPS + 3)
    pct, rpe = main_load(ctx)
    reps = reps_for(pct, rpe, low, high)
    if ctx.week.deload:
        pct, rpe = pct - DELOAD_PCT_DROP, min(DELOAD_RPE, rpe)
        reps = min(reps, reps_for(pct, rpe, 1, high))
    one_rm, steps = ctx.one_rep_maxes.get(ex.name), load_steps(ex.equipment, ctx.owned)
    if one_rm is not None and steps is not None:
        kg = steps.nearest(pct / 100 * one_rm)
        actual = 100 * kg / one_rm
        if abs(actual - pct) > PCT_STEP:  # the athlete's bells or pairs are far off: reps make up the effort
            pct, reps = actual, reps_for(actual, rpe, low, MAX_REPS_AT_OWNED_LOAD)
        return PrescribedExercise(
            exercise=ex.name, sets=sets, reps=reps, load_kg=kg, percent_one_rm=round(pct, 1), rpe=rpe,
            load_basis=LoadBasis.PERCENT_ONE_RM, rest_seconds=rest,
            notes=f"{kg:g} kg ({pct:.3g} % of a {one_rm:g} kg 1RM); stop the set if it passes RPE {rpe:g}.")
    reserve = round(10 - rpe)
    if ctx.cycle and not ctx.week.deload:
        reserve_note = f" Block {ctx.cycle + 1} of this phase: start a step above the last one."
    else:
        reserve_note = ""
    if ex.bodyweight:
        reps = max(BODY_WEIGHT_REPS[0], min(BODY_WEIGHT_REPS[1] - 4, reps))
        notes = (f"Body weight: {reps}-{reps + 4} reps leaving {reserve} in reserve; past that, the harder "
                 f"variation.{reserve_note}")
        return PrescribedExercise(exercise=ex.name, sets=sets, reps=reps, reps_max=reps + 4, rpe=rpe,
                                  reps_in_reserve=reserve, load_basis=LoadBasis.RPE, rest_seconds=rest, notes=notes)
    return PrescribedExercise(
        exercise=ex.name, sets=sets, reps=reps, reps_max=reps + 2, rpe=rpe, reps_in_reserve=reserve,
        load_basis=LoadBasis.RPE, rest_seconds=rest,
        notes=f"Choose the load that leaves {reserve} reps in reserve at {reps}-{reps + 2} reps.{reserve_note}")


def _test(ex: Exercise, ctx: Context) -> PrescribedExercise:
    """Test week: a 1RM worked up to in singles, or for beginners (and lifts without a
    known max) an AMRAP set at ~85 %, from which the next 1RM is estimated (Epley 1985:
    1RM = load x (1 + reps / 30))."""
    one_rm, steps = ctx.one_rep_maxes.get(ex.name), load_steps(ex.equipment, ctx.owned)
    kg = steps.nearest(0.85 * one_rm) if one_rm is not None and steps is not None else None
    if ctx.novice or kg is None:
        at = f" at {kg:g} kg (85 %)" if kg is not None else " with the week's heaviest working load"
        return PrescribedExercise(
            exercise=ex.name, sets=1, reps=5, load_kg=kg, percent_one_rm=85.0 if kg is not None else None,
            rpe=9.5, reps_in_reserve=0 if kg is None else 1, load_basis=LoadBasis.PERCENT_ONE_RM if kg else LoadBasis.RPE,
            rest_seconds=300,
            notes=f"AMRAP test: as many good reps as possible{at}, at least 5; new 1RM ~ load x (1 + reps / 30).")
    top = steps.nearest(one_rm)
    return PrescribedExercise(
        exercise=ex.name, sets=3, reps=1, load_kg=top, percent_one_rm=100.0, rpe=9.5,
        load_basis=LoadBasis.PERCENT_ONE_RM, rest_seconds=300,
        notes=f"1RM test: singles at ~90 % and ~95 %, then {top:g} kg; go up 2.5-5 kg if it moved well.")


def _accessory(ex: Exercise, ctx: Context, sets: int, rest: int) -> PrescribedExercise:
    w, profile = ctx.week.loading_index, ctx.profile
    rpe = min(9.0, profile.accessory_rpe + (0 if ctx.week.taper else 0.5 * w))
    reps = profile.accessory_reps + ACCESSORY_REP_OFFSETS.get(ctx.day_type, 0)
    if ctx.week.deload or ctx.week.test:
        rpe = min(DELOAD_RPE, rpe)
    timed = ex.force == "static" or ex.pattern is MovementPattern.CARRY
    reps = max(5, reps)
    return PrescribedExercise(
        exercise=ex.name,
        sets=sets,
        reps=None if timed else reps,
        reps_max=None if timed else reps + 3,
        duration_seconds=min(60, (40 if ex.pattern is MovementPattern.CARRY else 30) + 5 * w) if timed else None,
        rpe=rpe,
        reps_in_reserve=round(10 - rpe),
        load_basis=LoadBasis.RPE,
        rest_seconds=rest,
    )


def _power(ex: Exercise, ctx: Context, sets: int) -> PrescribedExercise:
    """Jumps and throws: few reps with full rest, quality over fatigue (NSCA ch. 18)."""
    reps, rpe = 5 if ctx.phase in VOLUME_PHASES else 3, 7.0
    if ctx.week.deload:
        sets, reps, rpe = 2, 3, DELOAD_RPE
    return PrescribedExercise(exercise=ex.name, sets=sets, reps=reps, rpe=rpe, rest_seconds=120,
                              notes="Maximal intent; stop a set when speed drops.")


def _timed(ex: Exercise, role: Role, ctx: Context, sets: int) -> PrescribedExercise:
    if role is Role.MOBILITY and ex.pattern is MovementPattern.CONDITIONING:
        return PrescribedExercise(exercise=ex.name, sets=1, duration_seconds=60 * min(30, max(10, ctx.minutes // 2)),
                                  rpe=3.0, zone=2, notes="Z1-Z2 (50-70 % HRmax): easy, for recovery.")
    if role is Role.MOBILITY:
        return PrescribedExercise(exercise=ex.name, sets=2, duration_seconds=45, rpe=3.0, rest_seconds=15)
    rpe = DELOAD_RPE if ctx.week.deload else 8.0
    return PrescribedExercise(exercise=ex.name, sets=sets, duration_seconds=30, rpe=rpe, rest_seconds=60,
                              notes="Intervals: 30 s hard, 60 s easy.")


def meet_session(mains: list[Exercise], one_rep_maxes: dict[str, float], owned: Owned) -> list[PrescribedExercise]:
    """A meet's three attempts on each main lift: opener ~92 %, second ~97 %, third ~100-102 %
    of the 1RM where it is known (in kg), else by feel."""
    attempts = []
    for ex in mains:
        one_rm, steps = one_rep_maxes.get(ex.name), load_steps(ex.equipment, owned)
        if one_rm is not None and steps is not None:
            opener, second, third = (steps.nearest(share * one_rm) for share in (0.92, 0.97, 1.01))
            attempts.append(PrescribedExercise(
                exercise=ex.name, sets=3, reps=1, load_kg=opener, percent_one_rm=92.0, rpe=9.5,
                load_basis=LoadBasis.PERCENT_ONE_RM, rest_seconds=600,
                notes=f"Attempts: {opener:g} kg, {second:g} kg, {third:g} kg (third by how the second moved)."))
        else:
            attempts.append(PrescribedExercise(
                exercise=ex.name, sets=3, reps=1, rpe=9.5, reps_in_reserve=0, load_basis=LoadBasis.RPE,
                rest_seconds=600,
                notes="Attempts: an opener you could triple, a second near your best, a third for a record."))
    return attempts
