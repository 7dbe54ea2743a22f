"""A session trained live: attempts, the progress (source of truth), logged sets, replay keys, recovery cursors."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from trainforge.models.base import Base, PydanticJSONB, Timestamps, UUIDPrimaryKey, text_enum
from trainforge.models.live_content import ProgressItems


class AttemptStatus(str, enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class SessionAttempt(UUIDPrimaryKey, Base):
    """One start of a session on a device (an execution log): no exercise data in it."""

    __tablename__ = "session_attempts"
    __table_args__ = (
        Index("ix_session_attempts_session_started", "session_id", "started_at"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="times_ordered"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=False
    )
    device: Mapped[str] = mapped_column(String(120), nullable=False)
    status: Mapped[AttemptStatus] = mapped_column(text_enum(AttemptStatus, "attempt_status"), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    exercises_completed: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)
    total_exercises: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)
    rest_period_seconds: Mapped[int | None] = mapped_column(SmallInteger)


class SessionProgress(UUIDPrimaryKey, Timestamps, Base):
    """The source of truth while training: one per session, reused by every attempt.

    `version` grows by one with every write; a write based on another version is
    refused with the current state (except logged sets, which are all kept).
    """

    __tablename__ = "session_progress"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)

    # Unique: one progress per session (and so per session and athlete, the session's).
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    items: Mapped[ProgressItems] = mapped_column(PydanticJSONB(ProgressItems), nullable=False)
    # Who wrote last, and when: activeSession warns when another device wrote in the last minute.
    last_device: Mapped[str | None] = mapped_column(String(120))
    last_written_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoggedSet(UUIDPrimaryKey, Base):
    """One set as done, kept as a row so history (records, volume) can be queried across sessions."""

    __tablename__ = "logged_sets"
    __table_args__ = (
        Index("ix_logged_sets_session_position", "session_id", "position", "logged_at"),
        Index("ix_logged_sets_athlete_exercise", "athlete_id", "exercise_name", "logged_at"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=False
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    exercise_name: Mapped[str] = mapped_column(String(120), nullable=False)
    reps: Mapped[int | None] = mapped_column(SmallInteger)
    load_kg: Mapped[float | None] = mapped_column(Float)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    rpe: Mapped[float | None] = mapped_column(Float)
    device: Mapped[str] = mapped_column(String(120), nullable=False)
    client_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class ClientWrite(Base):
    """A write a device made, by its client-generated id: a replay finds it and answers the same."""

    __tablename__ = "client_writes"

    athlete_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    # What the first call answered (the version it made, the item after it, the set it logged).
    result: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class SessionCursor(Base):
    """Where a device was in a session (exercise, set, opaque client state), to resume within 24 h."""

    __tablename__ = "session_cursors"
    __table_args__ = (CheckConstraint("octet_length(state) <= 65536", name="state_size"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    device: Mapped[str] = mapped_column(String(120), nullable=False)
    exercise_position: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    set_number: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    state: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
