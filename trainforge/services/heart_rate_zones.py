"""Heart-rate zones and what a session's samples say: time in zones, TRIMP, effort, data quality.

Pure functions over (second, bpm) samples; nothing here reads the database.

Sources:
- Zones as % of max HR (50-60, 60-70, 70-80, 80-90, 90-100 %): the five-zone model of
  S. Edwards, "The Heart Rate Monitor Book" (1993).
- Karvonen: target = resting + % x (max - resting), the heart-rate reserve; M. J. Karvonen,
  E. Kentala, O. Mustala, "The effects of training on heart rate", Ann. Med. Exp. Biol. Fenn. 35 (1957).
- Banister TRIMP: minutes x HRr x a x e^(b x HRr), HRr = (HR - resting) / (max - resting); a = 0.64,
  b = 1.92 for men, a = 0.86, b = 1.67 for women. E. W. Banister, "Modeling elite athletic performance",
  in Physiological Testing of Elite Athletes (1991); R. H. Morton, J. R. Fitz-Clarke, E. W. Banister,
  J. Appl. Physiol. 69 (1990). Summed sample by sample here, not from the session's average.
- Edwards TRIMP: minutes in zone k x k, k = 1..5 (Edwards 1993, as above).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from trainforge.models.heart_rate_content import DataQuality
from trainforge.services.accounts import effective_max_hr

PERCENTS = ((0.50, 0.60), (0.60, 0.70), (0.70, 0.80), (0.80, 0.90), (0.90, 1.00))
MAX_SAMPLE_SECONDS = 5  # a sample stands for the time until the next one, at most this long (longer: a gap)
LONG_GAP_SECONDS = 30


class ZoneMethod(str, enum.Enum):
    PERCENT_MAX = "percent_max"  # % of max HR
    KARVONEN = "karvonen"  # % of heart-rate reserve, when resting HR is known


@dataclass(frozen=True, slots=True)
class Zones:
    method: ZoneMethod
    max_hr: int
    resting_hr: int | None
    bounds: tuple[tuple[int, int], ...]  # (low, high) bpm of zones 1-5; zone k starts at its low

    def zone_of(self, bpm: float) -> int:
        """1-5, or 0 below zone 1; above max HR is zone 5."""
        zone = 0
        for number, (low, _) in enumerate(self.bounds, start=1):
            if bpm >= low:
                zone = number
        return zone

    def range_of(self, zone: int) -> tuple[int, int]:
        return self.bounds[zone - 1]


def of_profile(profile: Any, today: date) -> tuple[Zones | None, str | None]:
    """An athlete's zones and sex from their profile (max_hr, resting_hr, birth_date, sex): None without a
    profile, or without a max HR or birth date. Max HR is the measured one, else 220 - age."""
    if profile is None:
        return None, None
    max_hr = effective_max_hr(profile.max_hr, profile.birth_date, today)
    sex = profile.sex.value if profile.sex is not None else None
    return (zones(max_hr, profile.resting_hr) if max_hr else None), sex


def zones(max_hr: int, resting_hr: int | None = None) -> Zones:
    """The athlete's five zones: Karvonen when resting HR is known (and below max), else % of max HR."""
    if resting_hr is not None and resting_hr < max_hr:
        reserve = max_hr - resting_hr
        bounds = tuple((round(resting_hr + lo * reserve), round(resting_hr + hi * reserve)) for lo, hi in PERCENTS)
        return Zones(ZoneMethod.KARVONEN, max_hr, resting_hr, bounds)
    bounds = tuple((round(lo * max_hr), round(hi * max_hr)) for lo, hi in PERCENTS)
    return Zones(ZoneMethod.PERCENT_MAX, max_hr, None, bounds)


@dataclass(frozen=True, slots=True)
class TrimpCoefficients:
    """Banister's weighting a x e^(b x HRr), by sex; configurable (settings)."""

    male: tuple[float, float] = (0.64, 1.92)
    female: tuple[float, float] = (0.86, 1.67)

    def for_sex(self, sex: str | None) -> tuple[float, float]:
        if sex == "male":
            return self.male
        if sex == "female":
            return self.female
        # Not given (or neither): the mean of the two, so neither sex's curve is assumed.
        return ((self.male[0] + self.female[0]) / 2, (self.male[1] + self.female[1]) / 2)


@dataclass(frozen=True, slots=True)
class HeartRateSummary:
    samples: int
    avg_hr: int | None
    min_hr: int | None
    max_hr: int | None
    seconds_in_zones: tuple[int, int, int, int, int]  # zones 1-5
    seconds_below_zones: int
    banister_trimp: float | None  # needs the resting HR
    edwards_trimp: float
    effort: int  # 0-100
    coverage: float  # share of the recorded span that samples stand for
    longest_gap_seconds: int
    quality: DataQuality


def summarize(
    samples: Sequence[tuple[float, int]], athlete_zones: Zones | None, sex: str | None = None,
    coefficients: TrimpCoefficients = TrimpCoefficients(),
) -> HeartRateSummary:
    """What (second, bpm) samples, sorted by time, say. Each sample stands for the time until the next
    (at most MAX_SAMPLE_SECONDS; the last one for one second); zones and TRIMP need the athlete's zones."""
    if not samples:
        return HeartRateSummary(0, None, None, None, (0, 0, 0, 0, 0), 0, None, 0.0, 0, 0.0, 0, DataQuality.POOR)
    in_zone = [0.0] * 6  # index 0: below zone 1
    banister = 0.0
    counted = 0.0
    longest_gap = 0.0
    a, b = coefficients.for_sex(sex)
    for i, (at, bpm) in enumerate(samples):
        gap = samples[i + 1][0] - at if i + 1 < len(samples) else 1.0
        longest_gap = max(longest_gap, gap)
        seconds = min(gap, MAX_SAMPLE_SECONDS)
        counted += seconds
        if athlete_zones is not None:
            in_zone[athlete_zones.zone_of(bpm)] += seconds
            if athlete_zones.resting_hr is not None:
                reserve = (bpm - athlete_zones.resting_hr) / (athlete_zones.max_hr - athlete_zones.resting_hr)
                reserve = min(max(reserve, 0.0), 1.0)
                banister += seconds / 60 * reserve * a * math.exp(b * reserve)
    edwards = sum(seconds / 60 * zone for zone, seconds in enumerate(in_zone))
    span = samples[-1][0] - samples[0][0] + 1.0
    coverage = min(1.0, counted / span)
    bpms = [bpm for _, bpm in samples]
    return HeartRateSummary(
        samples=len(samples),
        avg_hr=round(sum(bpms) / len(bpms)),
        min_hr=min(bpms),
        max_hr=max(bpms),
        seconds_in_zones=tuple(round(s) for s in in_zone[1:]),  # type: ignore[arg-type]
        seconds_below_zones=round(in_zone[0]),
        banister_trimp=round(banister, 1) if athlete_zones is not None and athlete_zones.resting_hr else None,
        edwards_trimp=round(edwards, 1),
        effort=effort_score(edwards),
        coverage=round(coverage, 3),
        longest_gap_seconds=round(longest_gap),
        quality=quality(coverage, longest_gap, len(samples)),
    )


def effort_score(edwards_trimp: float) -> int:
    """0-100, saturating: 100 x (1 - e^(-TRIMP/250)). Our own scale, not a published one: an easy half hour
    (Edwards ~45) scores ~16, a hard hour (~220) ~58, three hours of racing (~600) ~91."""
    return round(100 * (1 - math.exp(-edwards_trimp / 250)))


def quality(coverage: float, longest_gap: float, samples: int) -> DataQuality:
    """From how much of the span the samples cover and the longest gap between two of them."""
    if samples < 30 or coverage < 0.6:
        return DataQuality.POOR
    if coverage >= 0.98 and longest_gap <= LONG_GAP_SECONDS:
        return DataQuality.EXCELLENT
    if coverage >= 0.9:
        return DataQuality.GOOD
    return DataQuality.FAIR
