"""Weekly running volume of a whole endurance program, in minutes.

- Start at the runner's current volume; grow towards the peak week of their race and
  experience by at most 10 % a week between loading weeks. The 10 % rule is a coaching
  convention with weak evidence: Buist et al. 2008 (Am J Sports Med 36:33) found no fewer
  injuries in novices progressing 10 % a week than with faster progressions; Nielsen et al.
  2014 (J Orthop Sports Phys Ther 44:739) found more injuries above ~30 % over two weeks.
  We keep it as a cap, not a target.
- Each block's loading weeks build on the previous block's: the growth runs across blocks,
  and a recovery week (a mesocycle's last) cuts ~30 % before the next block resumes above
  the last loading week.
- The peak is what the training days allow: the long run's cap plus the other runs' cap.
- Taper: volume falls week by week from the last loading week through race week, to
  ~50-55 % of it (Bosquet et al. 2007, Med Sci Sports Exerc 39:1358: -41 to -60 %,
  progressively; Mujika & Padilla 2003, Med Sci Sports Exerc 35:1182). The peak block's
  last week (a recovery week in the calendar) is the taper's first step.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from trainforge.models.programs import MesocyclePhase
from trainforge.services.generation.rules_endurance_athlete import Runner

MAX_WEEKLY_GROWTH = 1.10
RECOVERY_WEEK_SHARE = 0.70
# Share of the last loading week, from the taper's first step to race week, by the number of falling weeks.
_TAPER_FIRST = {1: 0.55, 2: 0.80, 3: 0.85}
_TAPER_FIRST_LONGER = 0.90


class WeekRole(str, enum.Enum):
    LOADING = "loading"
    RECOVERY = "recovery"  # a mesocycle's last week
    PRE_TAPER = "pre_taper"  # the last week before the taper block: the taper's first step
    TAPER = "taper"
    RACE = "race"  # the program's last week


@dataclass(frozen=True)
class PlannedWeek:
    number: int  # 1-based, in the program
    block: int  # mesocycle index
    phase: MesocyclePhase
    role: WeekRole
    minutes: int  # running planned for the week (the race itself excluded)
    peak_share: float  # of the program's biggest loading week


def long_run_share(runs: int) -> float:
    """The long run's share of the week: ~25-30 % with 5 or more runs, more with fewer."""
    return {1: 1.0, 2: 0.55, 3: 0.40, 4: 0.33}.get(runs, 0.28)


def week_capacity(runner: Runner, runs: int) -> int:
    """The most a week's runs can hold: the long run's cap plus the others'."""
    return runner.long_run_cap + max(0, runs - 1) * runner.run_cap


def plan_volume(runner: Runner, blocks: Sequence[tuple[MesocyclePhase, int]], runs: int,
                taper_weeks: int) -> list[PlannedWeek]:
    """Every week's role and minutes. `blocks` are the mesocycles (phase, weeks); `runs` the
    running days of a normal week; `taper_weeks` what a single-block program tapers."""
    roles = _roles(blocks, taper_weeks)
    capacity = max(week_capacity(runner, runs), 1)
    start = min(runner.start_minutes, capacity)
    peak = max(start, min(runner.peak_minutes, capacity))
    loading = _loading_minutes(start, peak, sum(role is WeekRole.LOADING for _, _, role in roles))
    falling = [role for _, _, role in roles if role in (WeekRole.PRE_TAPER, WeekRole.TAPER, WeekRole.RACE)]
    taper = iter(_taper_shares(len(falling)))
    weeks, loads, last = [], iter(loading), start
    for number, (block, phase, role) in enumerate(roles, start=1):
        if role is WeekRole.LOADING:
            minutes = last = next(loads)
        elif role is WeekRole.RECOVERY:
            minutes = round(RECOVERY_WEEK_SHARE * last)
        else:
            minutes = round(next(taper) * last)
        weeks.append(PlannedWeek(number, block, phase, role, minutes, minutes / max(loading or [start])))
    return weeks


def _roles(blocks: Sequence[tuple[MesocyclePhase, int]],
           taper_weeks: int) -> list[tuple[int, MesocyclePhase, WeekRole]]:
    flat = [(b, phase, i == weeks - 1) for b, (phase, weeks) in enumerate(blocks) for i in range(weeks)]
    final_phase, final_weeks = blocks[-1]
    tapering = 0
    if final_phase is MesocyclePhase.TAPER:
        # A taper block after others is all taper; a lone one keeps loading weeks first.
        tapering = final_weeks if len(blocks) > 1 else min(taper_weeks, final_weeks - 1)
    roles = []
    for n, (block, phase, last_of_block) in enumerate(flat):
        from_end = len(flat) - n
        if n == len(flat) - 1 and tapering:
            role = WeekRole.RACE
        elif from_end <= tapering:
            role = WeekRole.TAPER
        elif from_end == tapering + 1 and tapering and last_of_block:
            role = WeekRole.PRE_TAPER
        elif last_of_block:
            role = WeekRole.RECOVERY
        else:
            role = WeekRole.LOADING
        roles.append((block, phase, role))
    return roles


def _loading_minutes(start: int, peak: int, count: int) -> list[int]:
    """Geometric growth from `start` to `peak` over `count` loading weeks, never more than
    +10 % from one to the next (in whole minutes)."""
    if count == 0:
        return []
    rate = min(MAX_WEEKLY_GROWTH, (peak / start) ** (1 / (count - 1))) if count > 1 else 1.0
    minutes = [start]
    for i in range(1, count):
        aimed = min(peak, round(start * rate ** i))
        minutes.append(max(minutes[-1], min(aimed, math.floor(minutes[-1] * MAX_WEEKLY_GROWTH))))
    return minutes


def _taper_shares(count: int) -> list[float]:
    """Falling shares of the last loading week, e.g. 0.85, 0.675, 0.5 over three weeks."""
    if count == 0:
        return []
    first = _TAPER_FIRST.get(count, _TAPER_FIRST_LONGER)
    last = 0.55 if count <= 2 else 0.50
    if count == 1:
        return [first]
    return [first + (last - first) * i / (count - 1) for i in range(count)]
