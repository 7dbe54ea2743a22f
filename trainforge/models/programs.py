"""Periodized programs: program -> macrocycles -> mesocycles -> microcycles -> workouts."""

from __future__ import annotations

import enum
import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from trainforge.models.base import Base, PydanticJSONB, Timestamps, UUIDPrimaryKey, text_enum
from trainforge.models.program_content import WeeklyTargets, WorkoutPrescription
from trainforge.models.training import SessionStatus


class ProgramGoal(str, enum.Enum):
    STRENGTH = "strength"
    HYPERTROPHY = "hypertrophy"
    ENDURANCE = "endurance"
    GENERAL_FITNESS = "general_fitness"
    COMPETITION = "competition"


class ProgramGenerator(str, enum.Enum):
    RULES = "rules"
    LLM = "llm"


class MesocyclePhase(str, enum.Enum):
    GENERAL_PREPARATION = "general_preparation"
    ACCUMULATION = "accumulation"
    INTENSIFICATION = "intensification"
    REALIZATION = "realization"
    HYPERTROPHY = "hypertrophy"
    STRENGTH = "strength"
    POWER = "power"
    BASE = "base"
    BUILD = "build"
    PEAK = "peak"
    TAPER = "taper"
    TRANSITION = "transition"


class WorkoutType(str, enum.Enum):
    STRENGTH = "strength"
    HYPERTROPHY = "hypertrophy"
    POWER = "power"
    ENDURANCE = "endurance"
    CONDITIONING = "conditioning"
    MOBILITY = "mobility"
    RECOVERY = "recovery"
    TEST = "test"


# A program workout's status: its training session's, or PLANNED while it has none. Not stored with
# the workout but read from its session (models/training.py), so the two can never disagree.
WorkoutStatus = enum.Enum(  # type: ignore[misc]
    "WorkoutStatus",
    {"PLANNED": "planned", **{status.name: status.value for status in SessionStatus}},
    type=str,
    module=__name__,
)


class FitnessProgram(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "fitness_programs"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        # Keyset pagination of an athlete's programs: newest first.
        Index("ix_fitness_programs_athlete_created", "athlete_id", "created_at", "id"),
    )

    athlete_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    goal: Mapped[ProgramGoal] = mapped_column(text_enum(ProgramGoal, "program_goal"), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    # What produced the program (null for programs written by other means, e.g. the demo).
    generator: Mapped[ProgramGenerator | None] = mapped_column(text_enum(ProgramGenerator, "program_generator"))
    generator_model: Mapped[str | None] = mapped_column(String(200))
    prompt_version: Mapped[str | None] = mapped_column(String(32))
    # The validated generation request, so a mesocycle can be re-broken down later.
    generation_input: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Macrocycle(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "macrocycles"
    __table_args__ = (
        UniqueConstraint("program_id", "position"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
    )

    # The unique (program_id, position) index serves the foreign key lookups too.
    program_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("fitness_programs.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    goal: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)


class Mesocycle(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "mesocycles"
    __table_args__ = (
        UniqueConstraint("macrocycle_id", "position"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("weeks BETWEEN 1 AND 52", name="weeks_range"),
    )

    macrocycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("macrocycles.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    phase: Mapped[MesocyclePhase] = mapped_column(
        text_enum(MesocyclePhase, "mesocycle_phase"), nullable=False
    )
    weeks: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    weekly_targets: Mapped[WeeklyTargets | None] = mapped_column(PydanticJSONB(WeeklyTargets))


class Microcycle(UUIDPrimaryKey, Timestamps, Base):
    """One calendar week of a mesocycle."""

    __tablename__ = "microcycles"
    __table_args__ = (
        # week_number counts weeks from the program start (1-based).
        UniqueConstraint("mesocycle_id", "week_number"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("week_number >= 1", name="week_number_positive"),
    )

    mesocycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mesocycles.id", ondelete="CASCADE"), nullable=False
    )
    week_number: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    is_deload: Mapped[bool] = mapped_column(nullable=False, default=False, server_default="false")
    focus: Mapped[str | None] = mapped_column(String(200))


class WorkoutInstance(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "workout_instances"
    __table_args__ = (
        Index("ix_workout_instances_microcycle_date", "microcycle_id", "scheduled_date"),
        CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes BETWEEN 1 AND 600", name="duration_range"
        ),
    )

    microcycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("microcycles.id", ondelete="CASCADE"), nullable=False
    )
    scheduled_date: Mapped[date] = mapped_column(Date, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    workout_type: Mapped[WorkoutType] = mapped_column(
        text_enum(WorkoutType, "workout_type"), nullable=False
    )
    duration_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    prescription: Mapped[WorkoutPrescription] = mapped_column(
        PydanticJSONB(WorkoutPrescription), nullable=False
    )
    notes: Mapped[str | None] = mapped_column(Text)
