"""Pydantic models for structured endurance work: a template's steps and repeat blocks (the compact form),
the planned steps they expand to (what a session's snapshot holds), and what was done of each step.

A template item is either a step (a type and a duration or distance) or a repeat block (`repeat` times
its own items, which may be blocks again). Expansion numbers every planned step and says which blocks,
at which iteration, it came from, so plan and actuals line up step by step.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from pydantic import Field, ValidationInfo, field_validator, model_validator

from trainforge.models.program_content import FrozenContent

MAX_NESTING = 3  # repeat blocks within repeat blocks: 6 x [4 x [30 s on, 30 s off], 3 min easy] is two
MAX_PLANNED_STEPS = 200  # what a session's progress holds (one item per planned step)


class StepType(str, enum.Enum):
    WARM_UP = "warm_up"
    INTERVAL = "interval"
    RECOVERY = "recovery"
    TEMPO = "tempo"
    STEADY = "steady"
    COOL_DOWN = "cool_down"


class TargetKind(str, enum.Enum):
    HR_ZONE = "hr_zone"
    HR_RANGE = "hr_range"  # bpm
    PACE_RANGE = "pace_range"  # seconds per km
    POWER_RANGE = "power_range"  # watts


class StepTarget(FrozenContent):
    kind: TargetKind
    zone: int | None = Field(default=None, ge=1, le=5)
    low: float | None = Field(default=None, gt=0, le=10000)
    high: float | None = Field(default=None, gt=0, le=10000)

    @field_validator("high")
    @classmethod
    def _not_below_low(cls, high: float | None, info: ValidationInfo) -> float | None:
        low = info.data.get("low")
        if high is not None and low is not None and high < low:
            raise ValueError(f"high ({high:g}) is below low ({low:g})")  # the error names `high`
        return high

    @model_validator(mode="after")
    def _complete(self) -> StepTarget:
        if self.kind is TargetKind.HR_ZONE:
            if self.zone is None or self.low is not None or self.high is not None:
                raise ValueError("an hr_zone target takes a zone (1-5) and no range")
        elif self.zone is not None or self.low is None or self.high is None:
            raise ValueError("a range target takes low and high and no zone")
        return self


class EnduranceStep(FrozenContent):
    type: StepType
    duration_seconds: int | None = Field(default=None, ge=1, le=24 * 3600)
    distance_meters: float | None = Field(default=None, gt=0, le=500_000)
    target: StepTarget | None = None
    notes: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _has_extent(self) -> EnduranceStep:
        if self.duration_seconds is None and self.distance_meters is None:
            raise ValueError("a step needs duration_seconds or distance_meters")
        return self


class Sport(str, enum.Enum):
    RUN = "run"
    RIDE = "ride"
    SWIM = "swim"
    ROW = "row"
    OTHER = "other"


class StepMetric(str, enum.Enum):
    """What a device shows and records during a step."""

    DISTANCE = "distance"
    PACE = "pace"
    DURATION = "duration"
    HEART_RATE = "heart_rate"
    POWER = "power"
    CADENCE = "cadence"


class TemplateItem(FrozenContent):
    """A step, or a repeat block (`repeat` and `steps`): never both."""

    # A step
    type: StepType | None = None
    duration_seconds: int | None = Field(default=None, ge=1, le=24 * 3600)
    distance_meters: float | None = Field(default=None, gt=0, le=500_000)
    metrics: list[StepMetric] = Field(default_factory=list, max_length=6)
    target: StepTarget | None = None
    notes: str | None = Field(default=None, max_length=500)
    # A repeat block
    repeat: int | None = Field(default=None, ge=2, le=100)
    steps: list[TemplateItem] | None = Field(default=None, min_length=1, max_length=50)

    @property
    def is_block(self) -> bool:
        return self.repeat is not None

    @model_validator(mode="after")
    def _step_or_block(self) -> TemplateItem:
        step_fields = (self.type, self.duration_seconds, self.distance_meters, self.target, self.notes)
        if self.repeat is not None or self.steps is not None:
            if self.repeat is None or self.steps is None:
                raise ValueError("a repeat block takes repeat (2-100) and steps")
            if any(value is not None for value in step_fields) or self.metrics:
                raise ValueError("a repeat block takes only repeat and steps")
            return self
        if self.type is None:
            raise ValueError("a step takes a type")
        if self.duration_seconds is None and self.distance_meters is None:
            raise ValueError("a step takes durationSeconds or distanceMeters")
        if len(set(self.metrics)) != len(self.metrics):
            raise ValueError("metrics are listed once each")
        return self


class TemplateContent(FrozenContent):
    steps: list[TemplateItem] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _fits(self) -> TemplateContent:
        depth = _depth(self.steps)
        if depth > MAX_NESTING:
            raise ValueError(f"repeat blocks nest {depth} deep; at most {MAX_NESTING}")
        count = _planned_count(self.steps)
        if count > MAX_PLANNED_STEPS:
            raise ValueError(f"the steps expand to {count} planned steps; at most {MAX_PLANNED_STEPS}")
        return self


def _depth(items: list[TemplateItem]) -> int:
    return max((1 + _depth(item.steps or []) if item.is_block else 0 for item in items), default=0)


def _planned_count(items: list[TemplateItem]) -> int:
    return sum((item.repeat or 1) * _planned_count(item.steps or []) if item.is_block else 1 for item in items)


class RepeatPosition(FrozenContent):
    """Where a planned step sits in one enclosing repeat block."""

    block_id: str = Field(max_length=40)  # the block's path in the template: "2", "2.1" (items counted from 0)
    iteration: int = Field(ge=1, le=100)
    count: int = Field(ge=2, le=100)


class PlannedStep(FrozenContent):
    """One step of the expanded plan."""

    index: int = Field(ge=0, lt=MAX_PLANNED_STEPS)
    type: StepType
    duration_seconds: int | None = Field(default=None, ge=1, le=24 * 3600)
    distance_meters: float | None = Field(default=None, gt=0, le=500_000)
    metrics: list[StepMetric] = Field(default_factory=list, max_length=6)
    target: StepTarget | None = None
    # An HR target (zone or range) in bpm for the athlete the session is for, when their zones are known.
    target_bpm_low: int | None = Field(default=None, ge=25, le=250)
    target_bpm_high: int | None = Field(default=None, ge=25, le=250)
    notes: str | None = Field(default=None, max_length=500)
    # The innermost repeat block the step came from and which iteration of it; `repeats` has every
    # enclosing block, outermost first.
    block_id: str | None = Field(default=None, max_length=40)
    repeat_index: int | None = Field(default=None, ge=1, le=100)
    repeats: list[RepeatPosition] = Field(default_factory=list, max_length=MAX_NESTING)


class StepActuals(FrozenContent):
    """What was done of an endurance step (a live progress item's data, a log's step)."""

    duration_seconds: int | None = Field(default=None, ge=0, le=24 * 3600)
    distance_meters: float | None = Field(default=None, ge=0, le=500_000)
    pace_seconds_per_km: float | None = Field(default=None, gt=0, le=3600)
    avg_hr: int | None = Field(default=None, ge=25, le=250)
    max_hr: int | None = Field(default=None, ge=25, le=250)
    zone_reached: int | None = Field(default=None, ge=1, le=5)

    @model_validator(mode="after")
    def _hr_ordered(self) -> StepActuals:
        if self.avg_hr is not None and self.max_hr is not None and self.avg_hr > self.max_hr:
            raise ValueError("avgHr is above maxHr")
        return self


class StepLog(StepActuals):
    """What was done of one planned step (by its index)."""

    index: int = Field(ge=0, lt=MAX_PLANNED_STEPS)
    completed: bool = True
    notes: str | None = Field(default=None, max_length=500)


class EnduranceTotals(FrozenContent):
    """A whole endurance session: given by the client, or computed from its steps (`of`)."""

    duration_seconds: int | None = Field(default=None, ge=0, le=7 * 24 * 3600)
    distance_meters: float | None = Field(default=None, ge=0, le=5_000_000)
    calories: int | None = Field(default=None, ge=0, le=50_000)
    avg_hr: int | None = Field(default=None, ge=25, le=250)
    max_hr: int | None = Field(default=None, ge=25, le=250)

    @model_validator(mode="after")
    def _hr_ordered(self) -> EnduranceTotals:
        if self.avg_hr is not None and self.max_hr is not None and self.avg_hr > self.max_hr:
            raise ValueError("avgHr is above maxHr")
        return self

    @classmethod
    def of(cls, steps: Sequence[StepLog]) -> EnduranceTotals:
        """Duration and distance summed; average HR weighted by each step's duration; the highest max HR."""
        durations = [s.duration_seconds for s in steps if s.duration_seconds is not None]
        distances = [s.distance_meters for s in steps if s.distance_meters is not None]
        weighted = [(s.avg_hr, s.duration_seconds or 0) for s in steps if s.avg_hr is not None]
        weight = sum(w for _, w in weighted)
        if weight:
            avg: int | None = round(sum(hr * w for hr, w in weighted) / weight)
        else:
            avg = round(sum(hr for hr, _ in weighted) / len(weighted)) if weighted else None
        maxima = [s.max_hr if s.max_hr is not None else s.avg_hr for s in steps]
        known = [hr for hr in maxima if hr is not None]
        return cls(
            duration_seconds=sum(durations) if durations else None,
            distance_meters=round(sum(distances), 1) if distances else None,
            avg_hr=avg, max_hr=max(known) if known else None,
        )
