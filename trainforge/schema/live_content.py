"""The typed content of a live session's progress: exercises, their configuration, their data per type."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from trainforge.models import live_content as content
from trainforge.schema.training_content import plain

ExerciseType = strawberry.enum(content.ExerciseType)
ExerciseStatus = strawberry.enum(content.ExerciseStatus)


@strawberry.type(description="A standard exercise: sets of reps.")
class StandardData:
    sets_completed: int
    reps_per_set: list[int]
    load_kg: float | None
    rpe: float | None


@strawberry.type(description="Every minute on the minute: the reps of each minute.")
class EmomData:
    reps_per_minute: list[int]


@strawberry.type(description="As many rounds (and reps) as possible.")
class AmrapData:
    total_reps: int
    rounds: int


@strawberry.type(description="A circuit: rounds, reps and load.")
class CircuitData:
    rounds_completed: int
    total_reps: int
    load_kg: float | None


@strawberry.type(description="What was done of an endurance step.")
class StepData:
    duration_seconds: int | None
    distance_meters: float | None
    pace_seconds_per_km: float | None
    avg_hr: int | None
    max_hr: int | None
    zone_reached: int | None


ExerciseData = Annotated[
    StandardData | EmomData | AmrapData | CircuitData | StepData, strawberry.union("ExerciseData")
]
_DATA_TYPES: dict[str, Any] = {
    "standard": StandardData, "emom": EmomData, "amrap": AmrapData, "circuit": CircuitData, "step": StepData,
}


@strawberry.type(description="What the plan asks of the exercise, as its type reads it.")
class ExerciseConfig:
    sets: int | None
    reps: int | None
    minutes: int | None = strawberry.field(description="EMOM length.")
    time_cap_seconds: int | None = strawberry.field(description="AMRAP time cap.")
    rounds: int | None = strawberry.field(description="Circuit rounds.")
    load_kg: float | None
    rest_seconds: int | None
    step_index: int | None = strawberry.field(description="An endurance step: the index of its planned step.")
    duration_seconds: int | None = strawberry.field(description="An endurance step: its planned duration.")
    distance_meters: float | None = strawberry.field(description="An endurance step: its planned distance.")


@strawberry.type(description="One exercise (or endurance step) of the session as trained so far.")
class ExerciseProgress:
    position: int
    exercise_id: str | None = strawberry.field(description="The exercise library's id, when it is from it.")
    exercise_name: str
    type: ExerciseType
    config: ExerciseConfig
    status: ExerciseStatus
    notes: str | None
    video_refs: list[str]

    @strawberry.field(description="What was done, typed by the exercise's type.")
    def data(self) -> ExerciseData:
        data = self.data  # type: ignore[attr-defined]  # the pydantic item's
        return _DATA_TYPES[data.type](**data.model_dump(exclude={"type"}))


@strawberry.type(description="How far the session is: exercises by status.")
class ProgressSummary:
    total: int
    completed: int
    in_progress: int
    skipped: int


# ----------------------------------------------------------------------------- inputs


@strawberry.input
class StandardDataInput:
    sets_completed: int = 0
    reps_per_set: list[int] = strawberry.field(default_factory=list)
    load_kg: float | None = None
    rpe: float | None = None


@strawberry.input
class EmomDataInput:
    reps_per_minute: list[int] = strawberry.field(default_factory=list)


@strawberry.input
class AmrapDataInput:
    total_reps: int = 0
    rounds: int = 0


@strawberry.input
class CircuitDataInput:
    rounds_completed: int = 0
    total_reps: int = 0
    load_kg: float | None = None


@strawberry.input
class StepDataInput:
    duration_seconds: int | None = None
    distance_meters: float | None = None
    pace_seconds_per_km: float | None = None
    avg_hr: int | None = None
    max_hr: int | None = None
    zone_reached: int | None = None


@strawberry.input(one_of=True, description="Exactly one: the data of the exercise's type (it sets the type).")
class ExerciseDataInput:
    standard: StandardDataInput | None = strawberry.UNSET
    emom: EmomDataInput | None = strawberry.UNSET
    amrap: AmrapDataInput | None = strawberry.UNSET
    circuit: CircuitDataInput | None = strawberry.UNSET
    step: StepDataInput | None = strawberry.UNSET

    def to_fields(self) -> dict[str, Any]:
        """The one given, as pydantic reads it (with its type tag)."""
        for kind in _DATA_TYPES:
            given = getattr(self, kind)
            if given is not None and given is not strawberry.UNSET:
                return {"type": kind, **plain(given)}
        raise AssertionError("oneOf inputs always hold one field")  # graphql-core checks it before we run
