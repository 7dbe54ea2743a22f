"""Routines with immutable versions, and their assignments to athletes."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time

from sqlalchemy import ARRAY, CheckConstraint, Date, DateTime, ForeignKey, Index, SmallInteger, String, Text, Time, func
from sqlalchemy.orm import Mapped, mapped_column

from trainforge.models.base import Base, PydanticJSONB, Timestamps, UUIDPrimaryKey, text_enum
from trainforge.models.training_content import RoutineContent


class RoutineType(str, enum.Enum):
    STRENGTH = "strength"
    RUNNING = "running"
    TRAIL_RUNNING = "trail_running"
    MIXED = "mixed"


class AssignmentStatus(str, enum.Enum):
    ACTIVE = "active"
    REPLACED = "replaced"


class Routine(UUIDPrimaryKey, Timestamps, Base):
    """A routine owned by a coach or an athlete; what it holds lives in its versions."""

    __tablename__ = "routines"
    __table_args__ = (Index("ix_routines_owner_created", "owner_id", "created_at", "id"),)

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    # The number of the newest version (versions are 1, 2, ...).
    latest_version: Mapped[int] = mapped_column(SmallInteger, nullable=False)


class RoutineVersion(UUIDPrimaryKey, Base):
    """One immutable version of a routine: a trigger refuses any UPDATE (see migration 0004)."""

    __tablename__ = "routine_versions"
    __table_args__ = (
        # Unique (routine_id, version) also serves the lookups by routine.
        Index("uq_routine_versions_routine_version", "routine_id", "version", unique=True),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    routine_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("routines.id", ondelete="CASCADE"), nullable=False)
    version: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    routine_type: Mapped[RoutineType] = mapped_column(text_enum(RoutineType, "routine_type"), nullable=False)
    objective: Mapped[str | None] = mapped_column(Text)
    content: Mapped[RoutineContent] = mapped_column(PydanticJSONB(RoutineContent), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class RoutineAssignment(UUIDPrimaryKey, Timestamps, Base):
    """One routine version given to one athlete on some weekdays from a start date."""

    __tablename__ = "routine_assignments"
    __table_args__ = (
        Index("ix_routine_assignments_athlete_created", "athlete_id", "created_at", "id"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        CheckConstraint("cardinality(weekdays) BETWEEN 1 AND 7", name="weekdays_count"),
    )

    routine_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("routines.id", ondelete="CASCADE"), nullable=False, index=True)
    routine_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("routine_versions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    assigned_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date)
    # ISO weekdays, Monday = 0, sorted and distinct; `times[i]` is the time of `weekdays[i]` (null: any time).
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), nullable=False)
    times: Mapped[list[time | None]] = mapped_column(ARRAY(Time), nullable=False)
    status: Mapped[AssignmentStatus] = mapped_column(
        text_enum(AssignmentStatus, "assignment_status"), nullable=False, server_default=AssignmentStatus.ACTIVE.value
    )
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("routine_assignments.id", ondelete="SET NULL"), index=True
    )
