"""Enums and content types of routines and training sessions: sections, steps, snapshots, performance logs.

Output types read the pydantic content (models/training_content.py) attribute
by attribute; input types turn into the dicts pydantic validates, so every
rule lives in one place.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from trainforge.models import endurance_content as endurance
from trainforge.models.heart_rate_content import HeartRateStats
from trainforge.models import routines as routine_models
from trainforge.models import training as models
from trainforge.models import training_content as content
from trainforge.schema import tables
from trainforge.schema.heart_rate import HeartRateSummary
from trainforge.schema.programs import PrescribedExercise

SessionStatus = strawberry.enum(
    models.SessionStatus,
    description="draft -> scheduled -> in_progress -> completed; scheduled -> skipped | cancelled; "
    "in_progress -> cancelled. Nothing else.",
)
SessionKind = strawberry.enum(models.SessionKind)
PlanSource = strawberry.enum(models.PlanSource, description="Where a session's plan comes from.")
RoutineType = strawberry.enum(routine_models.RoutineType)
AssignmentStatus = strawberry.enum(routine_models.AssignmentStatus)
StepType = strawberry.enum(content.StepType)
TargetKind = strawberry.enum(
    content.TargetKind, description="HR_ZONE (zone 1-5), or a range: HR (bpm), PACE (s/km), POWER (W)."
)
Sport = strawberry.enum(endurance.Sport)
StepMetric = strawberry.enum(endurance.StepMetric, description="What a device shows and records during a step.")


@strawberry.type(description="The intensity an endurance step aims at.")
class StepTarget:
    kind: TargetKind
    zone: int | None
    low: float | None
    high: float | None


@strawberry.type(description="One step of endurance work: a duration or a distance, and a target.")
class EnduranceStep:
    type: StepType
    duration_seconds: int | None
    distance_meters: float | None
    target: StepTarget | None
    notes: str | None


@strawberry.type(description="Where a planned step sits in one enclosing repeat block.")
class RepeatPosition:
    block_id: str = strawberry.field(description="The block's path in the template: \"2\" is its third item, "
                                     "\"2.1\" the second item of that block (counted from 0).")
    iteration: int = strawberry.field(description="1 to count.")
    count: int


@strawberry.type(description="One step of an expanded endurance plan, in the order it is done.")
class PlannedStep:
    index: int = strawberry.field(description="0, 1, 2... in the order the steps are done.")
    type: StepType
    duration_seconds: int | None
    distance_meters: float | None
    metrics: list[StepMetric]
    target: StepTarget | None
    target_bpm_low: int | None = strawberry.field(
        description="An HR target (zone or range) in bpm for the session's athlete, when their zones are known.")
    target_bpm_high: int | None
    notes: str | None
    block_id: str | None = strawberry.field(description="The innermost repeat block it came from.")
    repeat_index: int | None = strawberry.field(description="Which iteration of that block (from 1).")
    repeats: list[RepeatPosition] = strawberry.field(description="Every enclosing repeat block, outermost first.")


@strawberry.type(description="A part of a workout: strength exercises and/or endurance steps.")
class Section:
    name: str
    exercises: list[PrescribedExercise]
    steps: list[EnduranceStep]
    notes: str | None


@strawberry.type(description="The planned workout as it was when the session was scheduled; it never changes.")
class WorkoutSnapshot:
    name: str
    objective: str | None
    duration_minutes: int | None
    sections: list[Section]
    notes: str | None
    sport: Sport | None = strawberry.field(description="Endurance sessions made from a template.")
    planned_steps: list[PlannedStep] = strawberry.field(
        description="An endurance template's steps, repeat blocks expanded.")


@strawberry.type(description="One set as done.")
class SetLog:
    reps: int | None
    load_kg: float | None
    duration_seconds: int | None
    distance_meters: float | None
    rpe: float | None
    completed: bool


@strawberry.type(description="What was done of one exercise.")
class ExerciseLog:
    exercise: str
    sets: list[SetLog]
    notes: str | None


@strawberry.type(description="What was done of one planned endurance step.")
class StepLog:
    index: int = strawberry.field(description="The planned step's index.")
    duration_seconds: int | None
    distance_meters: float | None
    pace_seconds_per_km: float | None
    avg_hr: int | None
    max_hr: int | None
    zone_reached: int | None
    completed: bool
    notes: str | None


@strawberry.type(description="A whole endurance session.")
class EnduranceTotals:
    duration_seconds: int | None
    distance_meters: float | None
    calories: int | None
    avg_hr: int | None
    max_hr: int | None


@strawberry.type(description="What was actually done: per exercise and set, per planned endurance step.")
class PerformanceLog:
    exercises: list[ExerciseLog]
    notes: str | None
    steps: list[StepLog]
    totals: EnduranceTotals | None
    heart_rate: HeartRateSummary | None = strawberry.field(
        description="From the session's heart-rate samples, computed on completion (again when samples come late).")


# ----------------------------------------------------------------------------- inputs


def plain(value: Any) -> Any:
    """An input object (and what it holds) as plain data for pydantic; unset and null fields left out."""
    if isinstance(value, list):
        return [plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a strawberry input object
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None and getattr(value, f.name) is not strawberry.UNSET
        }
    return value


@strawberry.input
class PrescribedExerciseInput:
    exercise: str = strawberry.field(description="A name from the exercise library.")
    sets: int
    reps: int | None = None
    duration_seconds: int | None = None
    load_kg: float | None = None
    percent_one_rm: float | None = None
    rpe: float | None = None
    rest_seconds: int | None = None
    tempo: str | None = None
    notes: str | None = None


@strawberry.input
class StepTargetInput:
    kind: TargetKind
    zone: int | None = None
    low: float | None = None
    high: float | None = None


@strawberry.input
class EnduranceStepInput:
    type: StepType
    duration_seconds: int | None = None
    distance_meters: float | None = None
    target: StepTargetInput | None = None
    notes: str | None = None


@strawberry.input
class SectionInput:
    name: str
    exercises: list[PrescribedExerciseInput] = strawberry.field(default_factory=list)
    steps: list[EnduranceStepInput] = strawberry.field(default_factory=list)
    notes: str | None = None


@strawberry.input
class SetLogInput:
    reps: int | None = None
    load_kg: float | None = None
    duration_seconds: int | None = None
    distance_meters: float | None = None
    rpe: float | None = None
    completed: bool = True


@strawberry.input
class ExerciseLogInput:
    exercise: str
    sets: list[SetLogInput] = strawberry.field(default_factory=list)
    notes: str | None = None


@strawberry.input
class PerformanceLogInput:
    exercises: list[ExerciseLogInput] = strawberry.field(default_factory=list)
    notes: str | None = None


# JSONB content, for reads compiled into one SQL statement (schema/tables.py).
tables.content_type("WorkoutSnapshot", content.WorkoutSnapshot, sections="Section", planned_steps="PlannedStep")
tables.content_type("PlannedStep", endurance.PlannedStep, repeats="RepeatPosition")
tables.content_type("RepeatPosition", endurance.RepeatPosition)
tables.content_type("StepLog", endurance.StepLog)
tables.content_type("EnduranceTotals", endurance.EnduranceTotals)
tables.content_type("HeartRateSummary", HeartRateStats)
tables.content_type("Section", content.Section, exercises="PrescribedExercise", steps="EnduranceStep")
tables.content_type("EnduranceStep", content.EnduranceStep)
tables.content_type("StepTarget", content.StepTarget)
tables.content_type("PerformanceLog", content.PerformanceLog, exercises="ExerciseLog", steps="StepLog")
tables.content_type("ExerciseLog", content.ExerciseLog, sets="SetLog")
tables.content_type("SetLog", content.SetLog)
