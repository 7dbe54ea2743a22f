"""Endurance sessions, each exactly as long as planned: easy and long runs, quality
sessions (warm-up with strides, a main set, cool-down), the shakeout and the race.

Main sets:
- VO2max intervals: reps of 2-4 min at I pace / Z5 with jog recoveries of ~3/4 of the rep
  (Helgerud et al. 2007, Med Sci Sports Exerc 39:665: 4 x 4 min at 90-95 % HRmax, 3 min jog).
- Threshold: cruise intervals of 4-10 min at T pace / Z4, 1 min jog per 5 min of work
  (Daniels, *Daniels' Running Formula*, 3rd ed.).
- Race pace: reps (5-10 km, and every race's last sharpening session) or a continuous
  tempo (half marathon and longer) at the race pace Riegel's formula gives.
The hard part of a week is capped by the week's budget (`plan_week`), so that at least
~80 % of the running is easy (Seiler 2010).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from trainforge.models.program_content import PrescribedExercise
from trainforge.services.generation.rules_endurance_athlete import Runner, format_duration, format_pace
from trainforge.services.generation.rules_endurance_targets import (
    INTERVAL_PACE,
    THRESHOLD_PACE,
    Intensity,
    step,
    strides,
    strides_seconds,
    zone_of_pace_factor,
)

WARM_UP_SECONDS, COOL_DOWN_MIN_SECONDS = 600, 300
WARM_UP_STRIDES = 4
MIN_EASY_SECONDS = 600  # strides only after at least 10 minutes of easy running
MAX_STEP_SECONDS = 8 * 3600  # what one prescribed step may hold
RACE_PACE_SPREAD = 0.015  # race-pace targets: +-1.5 %
MAX_FINISH_SHARE = 0.4  # of a long run at race pace, at most


@dataclass(frozen=True)
class MainSet:
    name: str
    zone: int | None  # None: the race's zone
    pace: tuple[float, float] | None  # multiples of threshold pace; None: race pace
    reps: tuple[int, ...]  # rep lengths to try, seconds, longest first
    recovery_share: float  # jog recovery as a share of the rep
    recovery_min: int  # seconds
    preferred_reps: int  # try for at least this many reps before shorter ones ...
    min_reps: int  # ... and never fewer than this
    max_reps: int
    detail: str


VO2MAX = MainSet("VO2max intervals", 5, INTERVAL_PACE, (240, 180, 120), 0.75, 60, 4, 2, 6,
                 "Hard but even; jog the recoveries (Helgerud et al. 2007)")
THRESHOLD = MainSet("Threshold intervals", 4, THRESHOLD_PACE, (600, 480, 360, 300, 240), 0.2, 60, 2, 2, 5,
                    "Comfortably hard cruise intervals; 1 min jog per 5 min of work (Daniels)")
RACE_REPS = MainSet("Race-pace intervals", None, None, (300, 240, 180, 120, 90, 60), 0.5, 60, 3, 2, 6,
                    "At goal race pace, relaxed; jog the recoveries")
RACE_TEMPO = MainSet("Race-pace tempo", None, None, (1800, 1500, 1200, 900, 720, 600), 0.0, 180, 1, 1, 3,
                     "Goal race pace, steady; 3 min jog between blocks")
# Race week: a few short reps at race pace, to feel it, not to train.
SHARPENER = MainSet("Race-pace sharpener", None, None, (180, 120, 90, 60), 0.5, 60, 3, 2, 4,
                    "Short reps at goal race pace: feel the rhythm, finish fresh")


@dataclass(frozen=True)
class Kit:
    """What every session builder needs."""

    runner: Runner
    intensity: Intensity
    exercise: str  # the running modality's library name

    @property
    def race_zone(self) -> int:
        return zone_of_pace_factor(self.runner.race_pace_factor)

    @property
    def race_pace(self) -> tuple[float, float]:
        factor = self.runner.race_pace_factor
        return factor * (1 - RACE_PACE_SPREAD), factor * (1 + RACE_PACE_SPREAD)


def running_seconds(items: list[PrescribedExercise]) -> int:
    """Reps plus the recoveries between them."""
    return sum(e.sets * (e.duration_seconds or 0) + (e.sets - 1) * (e.rest_seconds or 0) for e in items)


def easy_run(kit: Kit, seconds: int, label: str = "Easy run", stride_count: int = 0,
             zone: int = 2) -> list[PrescribedExercise]:
    stride_time = strides_seconds(stride_count) if stride_count else 0
    if seconds - stride_time < MIN_EASY_SECONDS:
        stride_count, stride_time = 0, 0
    items = [step(kit.intensity, kit.exercise, zone, seconds - stride_time, label,
                  detail="conversational: you could talk in full sentences")]
    if stride_count:
        items.append(strides(kit.intensity, kit.exercise, stride_count))
    return items


def long_run(kit: Kit, seconds: int, finish_budget: int = 0) -> list[PrescribedExercise]:
    """Steady Z2, with the last part at race pace when the budget allows (at least 5 min)."""
    finish = min(finish_budget, int(seconds * MAX_FINISH_SHARE)) // 60 * 60
    if finish < 300:
        finish = 0
    items = [step(kit.intensity, kit.exercise, 2, seconds - finish, "Long run", detail="steady and relaxed")]
    if finish:
        items.append(step(kit.intensity, kit.exercise, kit.race_zone, finish, "Race-pace finish",
                          pace=kit.race_pace, detail="settle into goal race pace for the last part"))
    return items


def key_session(kit: Kit, seconds: int, main: MainSet, hard_budget: int) -> list[PrescribedExercise] | None:
    """Warm-up with strides, the main set within the hard budget, and a cool-down filling the
    rest of the session; None when neither time nor budget allows the main set."""
    warm = WARM_UP_SECONDS + strides_seconds(WARM_UP_STRIDES)
    room = seconds - warm - COOL_DOWN_MIN_SECONDS
    chosen = _reps(main, room, hard_budget)
    if chosen is None:
        return None
    count, rep, rest = chosen
    zone = main.zone if main.zone is not None else kit.race_zone
    pace = main.pace if main.pace is not None else kit.race_pace
    work = count * rep + (count - 1) * rest
    return [
        step(kit.intensity, kit.exercise, 1, WARM_UP_SECONDS, "Warm-up", detail="easy, building to Z2"),
        strides(kit.intensity, kit.exercise, WARM_UP_STRIDES),
        step(kit.intensity, kit.exercise, zone, rep, main.name, sets=count, rest=rest if count > 1 else None,
             pace=pace, detail=main.detail),
        step(kit.intensity, kit.exercise, 1, seconds - warm - work, "Cool-down", detail="easy jog"),
    ]


def _reps(main: MainSet, room: int, hard_budget: int) -> tuple[int, int, int] | None:
    """(reps, rep seconds, recovery seconds): longer reps first, as many as preferred if possible."""
    for wanted in (main.preferred_reps, main.min_reps):
        for rep in main.reps:
            rest = max(main.recovery_min, round(rep * main.recovery_share))
            count = min(main.max_reps, hard_budget // rep)
            while count >= wanted and count * rep + (count - 1) * rest > room:
                count -= 1
            if count >= wanted:
                return count, rep, rest
    return None


def race(kit: Kit, title: str) -> tuple[list[PrescribedExercise], int]:
    """Warm-up (shorter the longer the race), then the race at its Riegel pace; with its minutes."""
    runner = kit.runner
    km, total = runner.race_km, runner.race_seconds
    warm = 900 if km < 15 else 600 if km < 30 else 300
    items = [step(kit.intensity, kit.exercise, 1, warm, "Warm-up", detail="easy jog before the start")]
    if km < 30:
        items.append(strides(kit.intensity, kit.exercise, WARM_UP_STRIDES))
    parts = math.ceil(total / MAX_STEP_SECONDS)  # an ultra longer than a step holds: in stretches
    goal = f"about {format_duration(total)}"
    if runner.pace_known:
        goal += f" ({format_pace(total / km)} min/km)"
    else:
        level = runner.experience.value
        goal += f" (estimated for {'an' if level[0] in 'aei' else 'a'} {level} runner)"
    items.append(step(kit.intensity, kit.exercise, kit.race_zone, round(total / parts), title, sets=parts,
                      pace=kit.race_pace, rpe=9.5, distance_m=round(km * 1000 / parts),
                      detail=f"{km:g} km in {goal}: even pacing, then give what is left over the last part"))
    return items, math.ceil(running_seconds(items) / 60)
