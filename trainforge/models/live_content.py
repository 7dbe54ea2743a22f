"""Pydantic models for a live session's progress: one item per exercise, with typed data per exercise type."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from trainforge.models.endurance_content import StepActuals
from trainforge.models.program_content import FrozenContent


class ExerciseType(str, enum.Enum):
    STANDARD = "standard"
    EMOM = "emom"  # every minute on the minute
    AMRAP = "amrap"  # as many rounds (or reps) as possible
    CIRCUIT = "circuit"
    STEP = "step"  # a planned step of an endurance session


class ExerciseStatus(str, enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SKIPPED = "skipped"


class StandardData(FrozenContent):
    type: Literal["standard"] = "standard"
    sets_completed: int = Field(default=0, ge=0, le=100)
    reps_per_set: list[int] = Field(default_factory=list, max_length=100)
    load_kg: float | None = Field(default=None, ge=0, le=1000)
    rpe: float | None = Field(default=None, ge=1, le=10)

    @model_validator(mode="after")
    def _reps_fit(self) -> StandardData:
        if any(not 0 <= reps <= 1000 for reps in self.reps_per_set):
            raise ValueError("reps per set must be 0 to 1000")
        return self


class EmomData(FrozenContent):
    type: Literal["emom"] = "emom"
    reps_per_minute: list[int] = Field(default_factory=list, max_length=180)

    @model_validator(mode="after")
    def _reps_fit(self) -> EmomData:
        if any(not 0 <= reps <= 1000 for reps in self.reps_per_minute):
            raise ValueError("reps per minute must be 0 to 1000")
        return self


class AmrapData(FrozenContent):
    type: Literal["amrap"] = "amrap"
    total_reps: int = Field(default=0, ge=0, le=100_000)
    rounds: int = Field(default=0, ge=0, le=10_000)


class CircuitData(FrozenContent):
    type: Literal["circuit"] = "circuit"
    rounds_completed: int = Field(default=0, ge=0, le=10_000)
    total_reps: int = Field(default=0, ge=0, le=100_000)
    load_kg: float | None = Field(default=None, ge=0, le=1000)


class StepData(StepActuals):
    """What was done of an endurance step."""

    type: Literal["step"] = "step"


ExerciseData = Annotated[
    StandardData | EmomData | AmrapData | CircuitData | StepData, Field(discriminator="type")
]


class ExerciseConfig(FrozenContent):
    """What the plan asks of the exercise, as its type reads it."""

    sets: int | None = Field(default=None, ge=1, le=100)
    reps: int | None = Field(default=None, ge=1, le=1000)
    minutes: int | None = Field(default=None, ge=1, le=180)  # EMOM length
    time_cap_seconds: int | None = Field(default=None, ge=1, le=4 * 3600)  # AMRAP
    rounds: int | None = Field(default=None, ge=1, le=1000)  # circuit
    load_kg: float | None = Field(default=None, ge=0, le=1000)
    rest_seconds: int | None = Field(default=None, ge=0, le=1800)
    step_index: int | None = Field(default=None, ge=0, le=200)  # an endurance step: its planned step
    duration_seconds: int | None = Field(default=None, ge=1, le=24 * 3600)  # the step's planned extent
    distance_meters: float | None = Field(default=None, gt=0, le=500_000)


class ExerciseProgress(FrozenContent):
    position: int = Field(ge=0, le=200)
    exercise_id: str | None = Field(default=None, max_length=120)
    exercise_name: str = Field(min_length=1, max_length=120)
    type: ExerciseType = ExerciseType.STANDARD
    config: ExerciseConfig = Field(default_factory=ExerciseConfig)
    status: ExerciseStatus = ExerciseStatus.NOT_STARTED
    notes: str | None = Field(default=None, max_length=2000)
    video_refs: list[str] = Field(default_factory=list, max_length=20)
    data: ExerciseData = Field(default_factory=StandardData)

    @model_validator(mode="after")
    def _data_matches_type(self) -> ExerciseProgress:
        if self.data.type != self.type.value:
            raise ValueError(f"data of type {self.data.type} for a {self.type.value} exercise")
        if any(len(ref) > 500 for ref in self.video_refs):
            raise ValueError("a video reference is at most 500 characters")
        return self


class ProgressItems(FrozenContent):
    items: list[ExerciseProgress] = Field(default_factory=list, max_length=200)
