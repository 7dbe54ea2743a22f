"""Pydantic models for the JSONB content of routines and training sessions.

A routine version's sections, a session's `workout_snapshot` (the plan as it
was when the session was scheduled) and its `performance_log` (what was done)
are validated on the way in and out, like a program's prescriptions.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from trainforge.models.endurance_content import (
    EnduranceStep,
    MAX_PLANNED_STEPS,
    EnduranceTotals,
    PlannedStep,
    Sport,
    StepLog,
    StepTarget,
    StepType,
    TargetKind,
)
from trainforge.models.heart_rate_content import HeartRateStats
from trainforge.models.program_content import FrozenContent, PrescribedExercise


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
    """The planned workout, copied when its session was scheduled; never changed afterwards. An endurance
    template's session holds its sport and expanded steps."""

    name: str = Field(min_length=1, max_length=200)
    objective: str | None = Field(default=None, max_length=2000)
    duration_minutes: int | None = Field(default=None, ge=1, le=600)
    sections: list[Section] = Field(default_factory=list, max_length=20)
    notes: str | None = Field(default=None, max_length=2000)
    sport: Sport | None = None
    planned_steps: list[PlannedStep] = Field(default_factory=list, max_length=MAX_PLANNED_STEPS)


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
    """What was actually done: per exercise and set, and per planned endurance step with the totals."""

    exercises: list[ExerciseLog] = Field(default_factory=list, max_length=60)
    notes: str | None = Field(default=None, max_length=2000)
    steps: list[StepLog] = Field(default_factory=list, max_length=MAX_PLANNED_STEPS)
    totals: EnduranceTotals | None = None
    heart_rate: HeartRateStats | None = None  # from the session's samples, on completion
