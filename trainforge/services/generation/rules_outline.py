"""Outline rules of the rule-based generator: which mesocycle phases, how long, and
what a normal week of each aims at.

Load zones (main lifts, % of 1RM) follow the usual continuum: hypertrophy 65-75 %
for 6-12 reps, strength 75-87 % for 3-6 reps, peaking 87-95 % for 1-3 reps
(NSCA, *Essentials of Strength Training and Conditioning*, 4th ed., ch. 17;
Schoenfeld et al. 2021, "Loading recommendations for muscle strength, hypertrophy,
and local endurance: a re-examination of the repetition continuum", Sports 9:32).
Phase order follows block periodization (accumulation -> intensification /
transmutation -> realization; Issurin 2010, Sports Med 40:189) and, for endurance,
the base -> build -> peak -> taper sequence (Bompa & Haff, *Periodization*, 5th ed.).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from trainforge.models.programs import MesocyclePhase, ProgramGoal
from trainforge.services.generation.rules_endurance_athlete import taper_weeks
from trainforge.services.generation.types import ExperienceLevel, GenerationRequest

P = MesocyclePhase


@dataclass(frozen=True)
class PhaseProfile:
    """Dosage of one phase. Main-lift reps follow from %1RM and RPE (see rules_dosage)."""

    title: str
    emphasis: str
    pct_start: float  # main lifts, first loading week, % 1RM
    pct_cap: float  # never above this in the phase
    rpe: float  # main lifts, first loading week
    rpe_cap: float
    main_sets: int
    reps: tuple[int, int]  # main-lift rep range
    accessory_sets: int
    accessory_reps: int
    accessory_rpe: float
    rest_main: int  # seconds; NSCA: 2-5 min for strength, shorter for hypertrophy
    rest_accessory: int
    zone: tuple[float, float]  # the phase's %1RM zone, for the weekly targets


PHASES: dict[MesocyclePhase, PhaseProfile] = {
    P.GENERAL_PREPARATION: PhaseProfile(
        "General preparation", "Technique, work capacity and tissue tolerance: 60-70 % 1RM, 8-15 reps",
        60, 72.5, 6.5, 8, 3, (8, 15), 2, 12, 7, 120, 60, (60, 70)),
    P.ACCUMULATION: PhaseProfile(
        "Accumulation", "Volume: muscle and work capacity at 65-77.5 % 1RM, 6-12 reps",
        67.5, 80, 7, 8.5, 4, (6, 12), 3, 10, 7.5, 150, 75, (65, 77.5)),
    P.HYPERTROPHY: PhaseProfile(
        "Hypertrophy", "Muscle growth: 10-20 hard sets per muscle a week, 65-75 % 1RM, 6-12 reps",
        65, 77.5, 7.5, 9, 4, (6, 12), 3, 12, 8, 120, 60, (65, 75)),
    P.INTENSIFICATION: PhaseProfile(
        "Intensification", "Heavier, less volume: 75-87 % 1RM, 3-6 reps",
        77.5, 87.5, 7.5, 9, 5, (3, 6), 3, 8, 8, 180, 90, (75, 87)),
    P.STRENGTH: PhaseProfile(
        "Strength", "Maximal strength: 77.5-87.5 % 1RM, 3-6 reps",
        80, 87.5, 7.5, 9, 5, (3, 6), 3, 8, 8, 180, 90, (77.5, 87.5)),
    P.REALIZATION: PhaseProfile(
        "Realization", "Express the strength built: 85-92.5 % 1RM, 1-3 reps, low volume",
        85, 95, 8, 9.5, 4, (1, 3), 2, 6, 7.5, 240, 120, (85, 92.5)),
    P.PEAK: PhaseProfile(
        "Peak", "Peaking: 87-95 % 1RM singles to triples, minimal fatigue",
        87.5, 97.5, 8, 9.5, 3, (1, 3), 2, 5, 7, 300, 120, (87, 95)),
    P.POWER: PhaseProfile(
        "Power", "Rate of force development: explosive reps at 75-85 % 1RM",
        75, 85, 7, 8, 5, (2, 3), 2, 6, 7, 180, 90, (75, 85)),
    P.BASE: PhaseProfile(
        "Base", "Aerobic base, mostly Z1-Z2 (polarised ~80/20); heavy strength at 70-80 % 1RM",
        70, 80, 7, 8, 3, (4, 10), 2, 10, 7, 150, 60, (70, 80)),
    P.BUILD: PhaseProfile(
        "Build", "Threshold and VO2max intervals; strength heavy and low in volume",
        77.5, 87.5, 7.5, 8.5, 3, (3, 6), 2, 8, 7, 180, 75, (77.5, 87.5)),
    P.TAPER: PhaseProfile(
        "Taper", "Taper: volume down 40-60 %, intensity and frequency kept",
        87.5, 87.5, 8, 8, 2, (1, 3), 2, 5, 6.5, 240, 90, (85, 90)),
    P.TRANSITION: PhaseProfile(
        "Transition", "Active recovery: light loads and variety",
        55, 60, 5, 6, 2, (8, 12), 2, 12, 6, 90, 60, (50, 60)),
}

# Endurance athletes keep strength work heavy but brief, and peak for the race, not
# for a 1RM (Ronnestad & Mujika 2014, Scand J Med Sci Sports 24:603).
_ENDURANCE_PHASES: dict[MesocyclePhase, PhaseProfile] = {
    P.PEAK: replace(PHASES[P.BUILD], title="Peak", pct_start=80, pct_cap=85, rpe_cap=8, main_sets=2, reps=(3, 5),
                    emphasis="Race-specific intensity at race pace; strength maintained (2 sets)", zone=(80, 85)),
    P.TAPER: replace(PHASES[P.TAPER], pct_start=80, pct_cap=80, reps=(3, 4),
                     emphasis="Taper before the race: volume down 40-60 %, intensity and frequency kept", zone=(80, 80)),
}

TAPER_WEEKS = 3  # competitions; Mujika & Padilla 2003: progressive tapers of 1-4 weeks
MIN_WEEKS, MAX_WEEKS = 3, 6
# Weeks per mesocycle: 3-5 loading weeks + 1 deload (a deload every 4-6 weeks is what
# coaches report most; Bell et al. 2024, Sports Med Open 10:26); beginners recover faster
# relative to their loads and deload less often, advanced lifters more often.
TARGET_WEEKS = {ExperienceLevel.BEGINNER: 6, ExperienceLevel.INTERMEDIATE: 5, ExperienceLevel.ADVANCED: 4}

_CYCLES: dict[ProgramGoal, tuple[MesocyclePhase, ...]] = {
    ProgramGoal.STRENGTH: (P.ACCUMULATION, P.INTENSIFICATION, P.REALIZATION),
    ProgramGoal.HYPERTROPHY: (P.ACCUMULATION, P.HYPERTROPHY, P.INTENSIFICATION),
    ProgramGoal.GENERAL_FITNESS: (P.HYPERTROPHY, P.STRENGTH),  # after one general preparation block
}


def profile_for(goal: ProgramGoal, phase: MesocyclePhase) -> PhaseProfile:
    if goal is ProgramGoal.ENDURANCE and phase in _ENDURANCE_PHASES:
        return _ENDURANCE_PHASES[phase]
    return PHASES[phase]


def builds_to_event(request: GenerationRequest) -> bool:
    """Endurance, competition and any dated event end with a peak and a taper."""
    return request.goal in (ProgramGoal.ENDURANCE, ProgramGoal.COMPETITION) or request.event_date is not None


def split_weeks(total: int, target: int, min_count: int = 1) -> list[int]:
    """`total` weeks as mesocycles of 3-6 weeks near `target`, longer ones first."""
    count = max(math.ceil(total / MAX_WEEKS), min(total // MIN_WEEKS, max(min_count, int(total / target + 0.5))))
    base, extra = divmod(total, count)
    return [base + 1 if i < extra else base for i in range(count)]


def event_taper_weeks(request: GenerationRequest) -> int:
    """Weeks of the final taper block. Endurance: 1-3 by race distance (a 10 km race 1, a
    half marathon 2, a marathon 3; see rules_endurance_athlete), shortened so that a block
    of at least 3 weeks comes before it. Competitions and other events: TAPER_WEEKS."""
    if request.goal is not ProgramGoal.ENDURANCE:
        return TAPER_WEEKS
    return max(1, min(taper_weeks(request), request.total_weeks - MIN_WEEKS))


def _endurance_body(count: int) -> list[MesocyclePhase]:
    if count == 1:
        return [P.PEAK]
    if count == 2:
        return [P.BUILD, P.PEAK]
    bases = count // 2
    return [P.BASE] * bases + [P.BUILD] * (count - 1 - bases) + [P.PEAK]


def _competition_body(count: int) -> list[MesocyclePhase]:
    """... accumulation, intensification, accumulation, intensification, peak."""
    before = [P.INTENSIFICATION if i % 2 == 0 else P.ACCUMULATION for i in range(count - 1)]
    return before[::-1] + [P.PEAK]


def ends_with_test(request: GenerationRequest) -> bool:
    """Strength programs without an event end on a realization block and a test week."""
    return request.goal is ProgramGoal.STRENGTH and not builds_to_event(request)


def _strength_phases(count: int) -> list[MesocyclePhase]:
    """Whole accumulation -> intensification -> realization cycles counted back from the
    end, so the program always ends on realization; blocks left over at the start build
    volume first (accumulation, then intensification)."""
    if count == 1:
        return [P.INTENSIFICATION]
    if count == 2:
        return [P.ACCUMULATION, P.REALIZATION]
    cycle = _CYCLES[ProgramGoal.STRENGTH]
    cycles, left = divmod(count, len(cycle))
    return list(cycle[:left]) + list(cycle) * cycles


def plan_phases(request: GenerationRequest) -> list[tuple[MesocyclePhase, int]]:
    """(phase, weeks) of each mesocycle, summing to `request.total_weeks`."""
    total, target = request.total_weeks, TARGET_WEEKS[request.experience]
    if builds_to_event(request):
        taper = event_taper_weeks(request)
        if total < MIN_WEEKS + taper:
            return [(P.TAPER, total)]  # one block: sharpen, then taper into the event
        body = total - taper
        lengths = split_weeks(body, target, min_count=min(3, body // MIN_WEEKS))
        shape = _endurance_body if request.goal is ProgramGoal.ENDURANCE else _competition_body
        return list(zip(shape(len(lengths)), lengths)) + [(P.TAPER, taper)]
    # A strength program of 12 weeks or more gets all three blocks: volume, intensity, realization.
    lengths = split_weeks(total, target, min_count=min(3, total // 4) if request.goal is ProgramGoal.STRENGTH else 1)
    cycle = _CYCLES[request.goal]
    if request.goal is ProgramGoal.GENERAL_FITNESS:
        phases = [P.GENERAL_PREPARATION] + [cycle[i % len(cycle)] for i in range(len(lengths) - 1)]
    elif request.goal is ProgramGoal.STRENGTH:
        phases = _strength_phases(len(lengths))
    else:
        phases = [cycle[i % len(cycle)] for i in range(len(lengths))]
    return list(zip(phases, lengths))
