"""Where an endurance plan starts and what it aims at: the race, the runner's current
volume and paces, with defaults by experience where the athlete gave nothing.

- Race time: Riegel's formula T2 = T1 x (D2 / D1)^1.06 (P. S. Riegel 1981, "Athletic
  records and human endurance", American Scientist 69:285), from the threshold pace taken
  as the pace held for about an hour (J. Daniels, *Daniels' Running Formula*, 3rd ed.):
  T1 = 60 min over D1 = 3600 / threshold pace. Riegel is fitted on races of ~3.5 to 230
  minutes; beyond that (ultras) it is optimistic.
- Peak weekly volume and the longest run by race distance and experience are our own
  figures, in the range of widely used plans (e.g. Pfitzinger & Douglas, *Advanced
  Marathoning*, 2nd ed.; Higdon's novice to advanced plans), interpolated between
  distances. A marathon long run tops out at 2.5-3 h, a 5 km one at 60-75 min.
- Taper length by race distance: 1 week up to 10-15 km, 2 for a half marathon, 3 for a
  marathon and longer (Mujika & Padilla 2003, Med Sci Sports Exerc 35:1182; Bosquet et al.
  2007, Med Sci Sports Exerc 39:1358: 8-14 days is best on average, longer events longer).

Defaults (said in docs/generation.md): a 10 km race; current volume 10 / 25 / 45 km a week
for a beginner / intermediate / advanced runner; a threshold pace of 6:30 / 5:15 / 4:20
min/km, used only to turn km into minutes and to estimate the race time, never shown as a
pace target.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from trainforge.services.generation.types import ExperienceLevel, GenerationRequest

E = ExperienceLevel
DEFAULT_RACE_KM = 10.0
ASSUMED_THRESHOLD_PACE = {E.BEGINNER: 390, E.INTERMEDIATE: 315, E.ADVANCED: 260}  # s/km
DEFAULT_WEEKLY_KM = {E.BEGINNER: 10.0, E.INTERMEDIATE: 25.0, E.ADVANCED: 45.0}
# Average training pace as a multiple of threshold pace: most running is easy (Daniels'
# E pace is ~1.2-1.33 x T pace), with some faster work.
TRAINING_PACE_FACTOR = 1.25
MIN_WEEK_MINUTES = 60  # a week of running is at least three 20-minute runs' worth
RIEGEL_EXPONENT = 1.06
# A race shorter than this is a "short" race: VO2max and threshold work; from here on,
# threshold and race-pace segments in the long run (half marathon and longer).
LONG_RACE_KM = 15.0
TAPER_WEEKS_BY_KM = ((15.0, 1), (30.0, 2))  # below 15 km: 1 week, below 30 km: 2, else 3
MAX_TAPER_WEEKS = 3

# Race km -> (beginner, intermediate, advanced) minutes; linear in between, flat outside.
_DISTANCES = (5.0, 10.0, 21.1, 42.2, 100.0)
_PEAK_WEEK_MINUTES = ((120, 200, 300), (150, 240, 360), (210, 300, 420), (270, 390, 540), (300, 450, 600))
_LONG_RUN_CAP = ((60, 70, 75), (75, 90, 100), (100, 120, 135), (150, 165, 180), (180, 210, 240))
# Any other single run (easy or quality, warm-up and cool-down included).
RUN_CAP = {E.BEGINNER: 60, E.INTERMEDIATE: 75, E.ADVANCED: 90}
_COLUMN = {E.BEGINNER: 0, E.INTERMEDIATE: 1, E.ADVANCED: 2}


@dataclass(frozen=True)
class Runner:
    """The athlete as the endurance rules see them, defaults filled in."""

    experience: ExperienceLevel
    race_km: float
    threshold_pace: float  # s/km: the athlete's, or assumed by experience
    pace_known: bool  # pace targets only when the athlete gave a threshold pace
    start_minutes: int  # this week's running, where the plan starts
    peak_minutes: int  # the peak week aimed at, before what the training days allow
    long_run_cap: int  # minutes
    run_cap: int  # minutes, any other run

    @property
    def long_race(self) -> bool:
        return self.race_km >= LONG_RACE_KM

    @property
    def race_seconds(self) -> float:
        return riegel_seconds(self.race_km, self.threshold_pace)

    @property
    def race_pace_factor(self) -> float:
        """Race pace as a multiple of threshold pace (below 1: faster)."""
        return self.race_seconds / self.race_km / self.threshold_pace

    def minutes_to_km(self, minutes: float) -> float:
        return minutes * 60 / (self.threshold_pace * TRAINING_PACE_FACTOR)


def runner(request: GenerationRequest) -> Runner:
    baseline, experience = request.baseline, request.experience
    km = race_km(request)
    pace_known = baseline.threshold_pace_seconds_per_km is not None
    pace = float(baseline.threshold_pace_seconds_per_km or ASSUMED_THRESHOLD_PACE[experience])
    weekly_km = baseline.weekly_running_km if baseline.weekly_running_km is not None else DEFAULT_WEEKLY_KM[experience]
    start = max(MIN_WEEK_MINUTES, round(weekly_km * pace * TRAINING_PACE_FACTOR / 60))
    long_cap = round(_interpolate(_LONG_RUN_CAP, km, experience))
    return Runner(
        experience=experience, race_km=km, threshold_pace=pace, pace_known=pace_known, start_minutes=start,
        peak_minutes=round(_interpolate(_PEAK_WEEK_MINUTES, km, experience)), long_run_cap=long_cap,
        run_cap=min(RUN_CAP[experience], long_cap),
    )


def race_km(request: GenerationRequest) -> float:
    return request.baseline.race_distance_km or DEFAULT_RACE_KM


def taper_weeks(request: GenerationRequest) -> int:
    """Weeks of taper before the race, race week included, by race distance."""
    km = race_km(request)
    return next((weeks for limit, weeks in TAPER_WEEKS_BY_KM if km < limit), MAX_TAPER_WEEKS)


def riegel_seconds(km: float, threshold_pace: float) -> float:
    """Race time over `km` for a runner who holds `threshold_pace` (s/km) for an hour."""
    hour_km = 3600 / threshold_pace
    return 3600 * (km / hour_km) ** RIEGEL_EXPONENT


def _interpolate(table: tuple[tuple[int, int, int], ...], km: float, experience: ExperienceLevel) -> float:
    column = [row[_COLUMN[experience]] for row in table]
    if km <= _DISTANCES[0]:
        return column[0]
    if km >= _DISTANCES[-1]:
        return column[-1]
    i = bisect.bisect_right(_DISTANCES, km)
    low, high = _DISTANCES[i - 1], _DISTANCES[i]
    share = (km - low) / (high - low)
    return column[i - 1] + share * (column[i] - column[i - 1])


def format_pace(seconds_per_km: float) -> str:
    seconds = int(round(seconds_per_km))
    return f"{seconds // 60}:{seconds % 60:02d}"


def format_duration(seconds: float) -> str:
    """1:45:30 or 48:30."""
    total = int(math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
