"""Pydantic models for the JSONB content of programs.

They validate what is written and what is read back (see `PydanticJSONB`).
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FrozenContent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WeeklyTargets(FrozenContent):
    """What a normal (non-deload) week of a mesocycle aims at."""

    sessions: int = Field(ge=1, le=14)
    hard_sets: int | None = Field(default=None, ge=0, le=200, description="Hard sets per week")
    intensity_low_pct: float | None = Field(default=None, gt=0, le=110, description="Low end, % of 1RM")
    intensity_high_pct: float | None = Field(default=None, gt=0, le=110, description="High end, % of 1RM")
    rpe: float | None = Field(default=None, ge=1, le=10)
    emphasis: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _ordered_range(self) -> WeeklyTargets:
        low, high = self.intensity_low_pct, self.intensity_high_pct
        if low is not None and high is not None and low > high:
            raise ValueError("intensity_low_pct must not exceed intensity_high_pct")
        return self


class LoadBasis(str, enum.Enum):
    """What governs the dose when several targets are given."""

    PERCENT_ONE_RM = "percent_one_rm"  # the load in kg, from % of the athlete's 1RM; RPE is a ceiling
    RPE = "rpe"  # effort: choose the load that leaves `reps_in_reserve`
    HEART_RATE = "heart_rate"  # endurance: stay in the bpm range
    PACE = "pace"  # endurance: run in the pace range


class PrescribedExercise(FrozenContent):
    exercise: str = Field(min_length=1, max_length=120)
    sets: int = Field(ge=1, le=20)
    reps: int | None = Field(default=None, ge=1, le=100)
    reps_max: int | None = Field(default=None, ge=1, le=100, description="A rep range: reps to reps_max")
    duration_seconds: int | None = Field(default=None, ge=1, le=8 * 3600)
    distance_meters: float | None = Field(default=None, gt=0, le=500_000)
    load_kg: float | None = Field(default=None, ge=0, le=1000)
    percent_one_rm: float | None = Field(default=None, gt=0, le=110)
    rpe: float | None = Field(default=None, ge=1, le=10)
    reps_in_reserve: int | None = Field(default=None, ge=0, le=10)
    load_basis: LoadBasis | None = None
    zone: int | None = Field(default=None, ge=1, le=5, description="Heart-rate zone 1-5")
    heart_rate_low_bpm: int | None = Field(default=None, ge=40, le=250)
    heart_rate_high_bpm: int | None = Field(default=None, ge=40, le=250)
    pace_fast_seconds_per_km: int | None = Field(default=None, ge=60, le=1800)
    pace_slow_seconds_per_km: int | None = Field(default=None, ge=60, le=1800)
    rest_seconds: int | None = Field(default=None, ge=0, le=1800)
    superset: str | None = Field(default=None, max_length=8, description="Exercises with the same label alternate")
    tempo: str | None = Field(default=None, max_length=16)
    notes: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _has_dose(self) -> PrescribedExercise:
        if self.reps is None and self.duration_seconds is None:
            raise ValueError("an exercise needs reps or duration_seconds")
        for low, high in ((self.reps, self.reps_max), (self.heart_rate_low_bpm, self.heart_rate_high_bpm),
                          (self.pace_fast_seconds_per_km, self.pace_slow_seconds_per_km)):
            if low is not None and high is not None and low > high:
                raise ValueError("a range's low end must not exceed its high end")
        return self


class WorkoutPrescription(FrozenContent):
    exercises: list[PrescribedExercise] = Field(default_factory=list, max_length=40)
    notes: str | None = Field(default=None, max_length=2000)
