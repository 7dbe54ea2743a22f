"""The training session: the one execution record, whatever the plan comes from."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from trainforge.models.base import Base, PydanticJSONB, Timestamps, UUIDPrimaryKey, text_enum
from trainforge.models.training_content import PerformanceLog, WorkoutSnapshot


class SessionStatus(str, enum.Enum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class SessionKind(str, enum.Enum):
    STRENGTH = "strength"
    ENDURANCE = "endurance"
    MIXED = "mixed"


class PlanSource(str, enum.Enum):
    PROGRAM_WORKOUT = "program_workout"
    ROUTINE_ASSIGNMENT = "routine_assignment"
    ENDURANCE_TEMPLATE = "endurance_template"
    PRESCRIPTION = "prescription"  # later: coach prescriptions
    IMPORTED = "imported"  # an activity file (FIT) recorded elsewhere


class TrainingSession(UUIDPrimaryKey, Timestamps, Base):
    """What an athlete does (or is to do) on a day.

    `workout_snapshot` is the plan as it was when the session was scheduled (a
    trigger refuses to change it, see migration 0004); `performance_log` is what
    was actually done. A plan link goes null when its plan is deleted; the
    snapshot keeps what was planned.
    """

    __tablename__ = "training_sessions"
    __table_args__ = (
        # The calendar: an athlete's sessions by date.
        Index("ix_training_sessions_athlete_date", "athlete_id", "scheduled_date", "id"),
        # A program workout has one session at most.
        Index("uq_training_sessions_program_workout", "program_workout_id", unique=True,
              postgresql_where="program_workout_id IS NOT NULL"),
        Index("ix_training_sessions_assignment_date", "assignment_id", "scheduled_date"),
        CheckConstraint("completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at",
                        name="times_ordered"),
        CheckConstraint("duration_seconds IS NULL OR duration_seconds BETWEEN 0 AND 86400", name="duration_range"),
        CheckConstraint("(status = 'completed') = (performance_log IS NOT NULL)", name="log_when_completed"),
    )

    athlete_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    source: Mapped[PlanSource] = mapped_column(text_enum(PlanSource, "plan_source"), nullable=False)
    program_workout_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workout_instances.id", ondelete="SET NULL")
    )
    routine_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("routines.id", ondelete="SET NULL"), index=True)
    routine_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("routine_versions.id", ondelete="SET NULL"), index=True
    )
    assignment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("routine_assignments.id", ondelete="SET NULL")
    )
    endurance_template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("endurance_templates.id", ondelete="SET NULL"), index=True
    )
    scheduled_date: Mapped[date] = mapped_column(Date, nullable=False)
    scheduled_time: Mapped[time | None] = mapped_column(Time)
    kind: Mapped[SessionKind] = mapped_column(text_enum(SessionKind, "session_kind"), nullable=False)
    status: Mapped[SessionStatus] = mapped_column(text_enum(SessionStatus, "session_status"), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    workout_snapshot: Mapped[WorkoutSnapshot] = mapped_column(PydanticJSONB(WorkoutSnapshot), nullable=False)
    performance_log: Mapped[PerformanceLog | None] = mapped_column(PydanticJSONB(PerformanceLog))
