"""A whole program as plain values, and storing many of them with batched inserts.

Generators (the demo, the rule-based and LLM generators) build `ProgramPlan`s;
`store_programs` writes them with one multi-row INSERT per table level, in the
caller's transaction, so a failure leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.models.program_content import WeeklyTargets, WorkoutPrescription
from trainforge.models.programs import (
    FitnessProgram,
    Macrocycle,
    Mesocycle,
    MesocyclePhase,
    Microcycle,
    ProgramGenerator,
    ProgramGoal,
    WorkoutInstance,
    WorkoutType,
)


@dataclass
class WorkoutPlan:
    scheduled_date: date
    name: str
    workout_type: WorkoutType
    prescription: WorkoutPrescription
    duration_minutes: int | None = None
    notes: str | None = None


@dataclass
class MicrocyclePlan:
    week_number: int
    start_date: date
    end_date: date
    workouts: list[WorkoutPlan]
    is_deload: bool = False
    focus: str | None = None


@dataclass
class MesocyclePlan:
    name: str
    phase: MesocyclePhase
    start_date: date
    end_date: date
    microcycles: list[MicrocyclePlan]
    weekly_targets: WeeklyTargets | None = None


@dataclass
class MacrocyclePlan:
    name: str
    start_date: date
    end_date: date
    mesocycles: list[MesocyclePlan]
    goal: str | None = None


@dataclass
class ProgramPlan:
    athlete_id: uuid.UUID
    name: str
    goal: ProgramGoal
    start_date: date
    end_date: date
    macrocycles: list[MacrocyclePlan]
    created_by_id: uuid.UUID | None = None
    description: str | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    generator: ProgramGenerator | None = None
    generator_model: str | None = None
    prompt_version: str | None = None
    generation_input: dict[str, Any] | None = None


@dataclass
class _Rows:
    programs: list[dict[str, Any]] = field(default_factory=list)
    macrocycles: list[dict[str, Any]] = field(default_factory=list)
    mesocycles: list[dict[str, Any]] = field(default_factory=list)
    microcycles: list[dict[str, Any]] = field(default_factory=list)
    workouts: list[dict[str, Any]] = field(default_factory=list)


def workout_rows(microcycle_id: uuid.UUID, workouts: Iterable[WorkoutPlan]) -> list[dict[str, Any]]:
    return [
        {
            "id": uuid.uuid4(),
            "microcycle_id": microcycle_id,
            "scheduled_date": w.scheduled_date,
            "name": w.name,
            "workout_type": w.workout_type,
            "duration_minutes": w.duration_minutes,
            "prescription": w.prescription,
            "notes": w.notes,
        }
        for w in workouts
    ]


def _flatten(plans: Iterable[ProgramPlan]) -> _Rows:
    rows = _Rows()
    for plan in plans:
        rows.programs.append(
            {
                "id": plan.id,
                "athlete_id": plan.athlete_id,
                "created_by_id": plan.created_by_id,
                "name": plan.name,
                "goal": plan.goal,
                "description": plan.description,
                "start_date": plan.start_date,
                "end_date": plan.end_date,
                "generator": plan.generator,
                "generator_model": plan.generator_model,
                "prompt_version": plan.prompt_version,
                "generation_input": plan.generation_input,
            }
        )
        for macro_pos, macro in enumerate(plan.macrocycles, start=1):
            macro_id = uuid.uuid4()
            rows.macrocycles.append(
                {
                    "id": macro_id,
                    "program_id": plan.id,
                    "position": macro_pos,
                    "name": macro.name,
                    "goal": macro.goal,
                    "start_date": macro.start_date,
                    "end_date": macro.end_date,
                }
            )
            for meso_pos, meso in enumerate(macro.mesocycles, start=1):
                meso_id = uuid.uuid4()
                rows.mesocycles.append(
                    {
                        "id": meso_id,
                        "macrocycle_id": macro_id,
                        "position": meso_pos,
                        "name": meso.name,
                        "phase": meso.phase,
                        "weeks": len(meso.microcycles),
                        "start_date": meso.start_date,
                        "end_date": meso.end_date,
                        "weekly_targets": meso.weekly_targets,
                    }
                )
                for micro in meso.microcycles:
                    micro_id = uuid.uuid4()
                    rows.microcycles.append(
                        {
                            "id": micro_id,
                            "mesocycle_id": meso_id,
                            "week_number": micro.week_number,
                            "start_date": micro.start_date,
                            "end_date": micro.end_date,
                            "is_deload": micro.is_deload,
                            "focus": micro.focus,
                        }
                    )
                    rows.workouts.extend(workout_rows(micro_id, micro.workouts))
    return rows


async def store_programs(
    session: AsyncSession,
    plans: Sequence[ProgramPlan],
    on_progress: Callable[[int], None] | None = None,
) -> list[uuid.UUID]:
    """Insert whole program trees, one executemany per table (SQLAlchemy batches them
    into multi-row INSERTs). Runs in the caller's transaction."""
    rows = _flatten(plans)
    for model, table_rows in (
        (FitnessProgram, rows.programs),
        (Macrocycle, rows.macrocycles),
        (Mesocycle, rows.mesocycles),
        (Microcycle, rows.microcycles),
        (WorkoutInstance, rows.workouts),
    ):
        if table_rows:
            await session.execute(insert(model.__table__), table_rows)
        if on_progress is not None:
            on_progress(len(table_rows))
    return [plan.id for plan in plans]
