"""Pydantic models for the JSONB content of routines and training sessions.

A routine version's sections, a session's `workout_snapshot` (the plan as it
was when the session was scheduled) and its `performance_log` (what was done)
are validated on the way in and out, like a program's prescriptions.
"""

from __future__ import annotations

import enum

from pydantic import Field, model_validator

from trainforge.models.program_content import PrescribedExercise, FrozenContent


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

    @model_validator(mode="after")
    def _complete(self) -> StepTarget:
        if self.kind is TargetKind.HR_ZONE:
            if self.zone is None or self.low is not None or self.high is not None:
                raise ValueError("an hr_zone target takes a zone (1-5) and no range")
        elif self.zone is not None or self.low is None or self.high is None or self.low > self.high:
            raise ValueError("a range target takes low <= high and no zone")
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


class Section(FrozenContent):
    """A part of a workout: exercises (strength) and/or endurance steps."""

    name: str = Field(min_length=1, max_length=120)
    exercises: list[PrescribedExercise] = Field(default_factory=list, max_length=40)
    steps: list[EnduranceStep] = Field(default_factory=list, max_length=100)
    notes: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _not_empty(self) -> Section:
        if not self.exercises and not self.steps:
            raise ValueError("a section needs exercises or steps")
        return self


class RoutineContent(FrozenContent):
    sections: list[Section] = Field(min_length=1, max_length=20)


class WorkoutSnapshot(FrozenContent):
    """The planned workout, copied when its session was scheduled; never changed afterwards."""

    name: str = Field(min_length=1, max_length=200)
    objective: str | None = Field(default=None, max_length=2000)
    duration_minutes: int | None = Field(default=None, ge=1, le=600)
    sections: list[Section] = Field(default_factory=list, max_length=20)
    notes: str | None = Field(default=None, max_length=2000)


class SetLog(FrozenContent):
    reps: int | None = Field(default=None, ge=0, le=1000)
    load_kg: float | None = Field(default=None, ge=0, le=1000)
    duration_seconds: int | None = Field(default=None, ge=0, le=24 * 3600)
    distance_meters: float | None = Field(default=None, ge=0, le=500_000)
    rpe: float | None = Field(default=None, ge=1, le=10)
    completed: bool = True


class ExerciseLog(FrozenContent):
    exercise: str = Field(min_length=1, max_length=120)
    sets: list[SetLog] = Field(default_factory=list, max_length=100)
    notes: str | None = Field(default=None, max_length=500)


class PerformanceLog(FrozenContent):
    """What was actually done, per exercise and set."""

    exercises: list[ExerciseLog] = Field(default_factory=list, max_length=60)
    notes: str | None = Field(default=None, max_length=2000)
