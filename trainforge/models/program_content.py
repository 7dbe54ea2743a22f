"""Pydantic models for the JSONB content of programs.

They validate what is written and what is read back (see `PydanticJSONB`).
"""

from __future__ import annotations

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


class PrescribedExercise(FrozenContent):
    exercise: str = Field(min_length=1, max_length=120)
    sets: int = Field(ge=1, le=20)
    reps: int | None = Field(default=None, ge=1, le=100)
    duration_seconds: int | None = Field(default=None, ge=1, le=4 * 3600)
    load_kg: float | None = Field(default=None, ge=0, le=1000)
    percent_one_rm: float | None = Field(default=None, gt=0, le=110)
    rpe: float | None = Field(default=None, ge=1, le=10)
    rest_seconds: int | None = Field(default=None, ge=0, le=1800)
    tempo: str | None = Field(default=None, max_length=16)
    notes: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _has_dose(self) -> PrescribedExercise:
        if self.reps is None and self.duration_seconds is None:
            raise ValueError("an exercise needs reps or duration_seconds")
        return self


class WorkoutPrescription(FrozenContent):
    exercises: list[PrescribedExercise] = Field(default_factory=list, max_length=40)
    notes: str | None = Field(default=None, max_length=2000)
