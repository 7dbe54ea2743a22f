"""Intensity targets of endurance sessions: zone, heart rate, pace and RPE of each step.

- Heart-rate zones with a lactate threshold HR: Friel's running zones as % of LTHR
  (J. Friel, *The Triathlete's Training Bible*, 4th ed., 2016): Z1 < 85, Z2 85-89,
  Z3 90-94, Z4 95-99, Z5 100-106 (his 5a-5c merged). Z1's floor (75 %) is ours: below it
  is walking. Z5 stops at the max HR when it is known.
- Otherwise with a max HR: `heart_rate_zones.zones`, the same zones the app reports a
  session in: Karvonen (% of HR reserve) when the resting HR is known, else % of max HR
  (Edwards 1993): Z1 50-60, Z2 60-70, Z3 70-80, Z4 80-90, Z5 90-100.
- Pace zones as multiples of threshold pace (T), from the ratios between the training
  paces of Daniels' VDOT tables (*Daniels' Running Formula*, 3rd ed.): easy (E) ~1.20-1.33
  x T, marathon (M) ~1.06-1.09, threshold 1.0, interval (I) ~0.92, repetition (R) ~0.86.
  Z1 1.33-1.50 (recovery), Z2 1.20-1.33 (E), Z3 1.04-1.20 (steady to M), Z4 0.97-1.04
  (T), Z5 0.82-0.97 (I and R).
- Z1-Z2 is easy; Z3 and above is "hard" for the intensity distribution (Seiler 2010, Int
  J Sports Physiol Perform 5:276: Z3 lies between the two thresholds).

Without max HR or LTHR there are no bpm targets; without a threshold pace no pace
targets: steps then go by zone number and RPE.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainforge.models.program_content import LoadBasis, PrescribedExercise
from trainforge.services.generation.rules_endurance_athlete import format_pace
from trainforge.services.generation.types import AthleteBaseline
from trainforge.services.heart_rate_zones import zones

FRIEL_LTHR = ((0.75, 0.85), (0.85, 0.90), (0.90, 0.95), (0.95, 1.00), (1.00, 1.06))
# (fast, slow) multiples of threshold pace, zones 1-5
PACE_ZONES = ((1.33, 1.50), (1.20, 1.33), (1.04, 1.20), (0.97, 1.04), (0.82, 0.97))
ZONE_RPE = {1: 2.0, 2: 3.0, 3: 5.0, 4: 7.0, 5: 8.5}
EASY_ZONES = frozenset({1, 2})
# Narrower pace ranges inside a zone for the classic sessions (Daniels' paces).
THRESHOLD_PACE = (0.98, 1.02)  # T pace, zone 4
INTERVAL_PACE = (0.90, 0.94)  # I pace, zone 5
STRIDE_PACE = (0.82, 0.88)  # R pace and a touch faster, zone 5
STRIDE_SECONDS, STRIDE_BACK_SECONDS = 20, 60
HR_LIMITS = (40, 250)  # what a prescription may hold


@dataclass(frozen=True)
class Intensity:
    """An athlete's zones: bpm bounds when an LTHR or max HR is known, threshold pace when given."""

    heart_rate: tuple[tuple[int, int], ...] | None  # (low, high) bpm of zones 1-5
    heart_rate_model: str | None
    threshold_pace: int | None  # s/km

    def bpm(self, zone: int) -> tuple[int, int] | None:
        return self.heart_rate[zone - 1] if self.heart_rate else None

    def pace_bounds(self, zone: int) -> tuple[int, int] | None:
        """(fast, slow) s/km of a zone."""
        if self.threshold_pace is None:
            return None
        fast, slow = PACE_ZONES[zone - 1]
        return round(fast * self.threshold_pace), round(slow * self.threshold_pace)

    def pace(self, zone: int, factors: tuple[float, float] | None = None) -> tuple[int, int] | None:
        """(fast, slow) s/km: the zone's, or a narrower range clipped into the zone."""
        bounds = self.pace_bounds(zone)
        if bounds is None or factors is None:
            return bounds
        assert self.threshold_pace is not None
        fast = min(max(round(factors[0] * self.threshold_pace), bounds[0]), bounds[1])
        slow = min(max(round(factors[1] * self.threshold_pace), fast), bounds[1])
        return fast, slow


def intensity_of(baseline: AthleteBaseline) -> Intensity:
    """LTHR zones (Friel) first, as the more individual anchor; else max-HR zones."""
    heart_rate, model = None, None
    if baseline.lactate_threshold_hr is not None:
        heart_rate, model = _friel(baseline.lactate_threshold_hr, baseline.max_hr), "Friel, % of LTHR"
    elif baseline.max_hr is not None:
        athlete = zones(baseline.max_hr, baseline.resting_hr)
        heart_rate = tuple(_clamped(low, high) for low, high in athlete.bounds)
        model = "Karvonen, % of HR reserve" if athlete.resting_hr is not None else "% of max HR"
    return Intensity(heart_rate, model, baseline.threshold_pace_seconds_per_km)


def _friel(lthr: int, max_hr: int | None) -> tuple[tuple[int, int], ...]:
    bounds = [(round(low * lthr), round(high * lthr)) for low, high in FRIEL_LTHR]
    low5, high5 = bounds[4]
    if max_hr is not None and max_hr > low5:
        bounds[4] = (low5, min(high5, max_hr))
    return tuple(_clamped(low, high) for low, high in bounds)


def _clamped(low: int, high: int) -> tuple[int, int]:
    low = min(max(low, HR_LIMITS[0]), HR_LIMITS[1])
    return low, min(max(high, low), HR_LIMITS[1])


def step(intensity: Intensity, exercise: str, zone: int, seconds: int, label: str, *, sets: int = 1,
         rest: int | None = None, pace: tuple[float, float] | None = None, rpe: float | None = None,
         heart_rate: bool = True, distance_m: float | None = None, detail: str | None = None) -> PrescribedExercise:
    """One step with its targets: bpm (the zone's) when known and meaningful, pace when the
    threshold pace is known, RPE always, and a short note saying all of it."""
    rpe = rpe if rpe is not None else ZONE_RPE[zone]
    bpm = intensity.bpm(zone) if heart_rate else None
    paces = intensity.pace(zone, pace)
    if distance_m is None and paces is not None:
        distance_m = _distance(seconds, (paces[0] + paces[1]) / 2)
    parts = [f"Z{zone}" + (f" {bpm[0]}–{bpm[1]} bpm" if bpm else "")]
    if paces:
        parts.append(f"{format_pace(paces[0])}–{format_pace(paces[1])} min/km")
    parts.append(f"RPE {rpe:g}")
    note = f"{label}: {', '.join(parts)}" + (f". {detail[0].upper()}{detail[1:]}." if detail else "")
    return PrescribedExercise(
        exercise=exercise, sets=sets, duration_seconds=seconds, rest_seconds=rest, rpe=rpe, zone=zone,
        heart_rate_low_bpm=bpm[0] if bpm else None, heart_rate_high_bpm=bpm[1] if bpm else None,
        pace_fast_seconds_per_km=paces[0] if paces else None, pace_slow_seconds_per_km=paces[1] if paces else None,
        distance_meters=distance_m, load_basis=_basis(zone, bpm is not None, paces is not None), notes=note[:500],
    )


def _basis(zone: int, has_bpm: bool, has_pace: bool) -> LoadBasis:
    """Easy running by heart rate (it keeps easy days easy on hills and in heat), faster
    work by pace; whichever is known otherwise; RPE with neither."""
    if has_bpm and (zone in EASY_ZONES or not has_pace):
        return LoadBasis.HEART_RATE
    if has_pace:
        return LoadBasis.PACE
    return LoadBasis.RPE


def _distance(seconds: float, pace: float) -> float:
    """Meters at that pace, rounded to 10 m (reps) or 100 m (continuous runs)."""
    meters = seconds / pace * 1000
    unit = 100 if seconds >= 600 else 10
    return max(unit, round(meters / unit) * unit)


def strides(intensity: Intensity, exercise: str, count: int) -> PrescribedExercise:
    """Short relaxed accelerations: neuromuscular, not metabolic work. No bpm target (heart
    rate does not respond in 20 s); counted as neither easy nor hard running."""
    return step(intensity, exercise, 5, STRIDE_SECONDS, "Strides", sets=count, rest=STRIDE_BACK_SECONDS,
                pace=STRIDE_PACE, rpe=6.0, heart_rate=False,
                detail="20 s quick and relaxed, not a sprint; walk or jog back 60 s")


def strides_seconds(count: int) -> int:
    return count * STRIDE_SECONDS + (count - 1) * STRIDE_BACK_SECONDS


def zone_of_pace_factor(factor: float) -> int:
    """The pace zone a multiple of threshold pace falls in (slower than Z1: Z1)."""
    for zone in (5, 4, 3, 2):
        if factor < PACE_ZONES[zone - 1][1]:
            return zone
    return 1
