"""Training sessions: their status flow, scheduling a program workout, completing with a log, reading them.

Every write locks the session row (or the workout's) first, so two devices
changing the same session one after the other see each other's result: the
second gets a `TransitionRefused` naming the status the first left.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from datetime import date, datetime, time, timedelta, timezone

from pydantic import ValidationError as PydanticError
from sqlalchemy import ColumnElement, DateTime, Row, exists, insert, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.db import Executor
from trainforge.models.accounts import CoachAthlete, User
from trainforge.models.programs import FitnessProgram, Macrocycle, Mesocycle, Microcycle, WorkoutInstance, WorkoutType
from trainforge.models.training import PlanSource, SessionKind, SessionStatus, TrainingSession
from trainforge.models.training_content import PerformanceLog, Section, WorkoutSnapshot
from trainforge.services import programs
from trainforge.services.auth import Viewer
from trainforge.services.errors import Conflict, InvalidInput, NotFound, raise_problems
from trainforge.services.validation import problems_of

sessions = TrainingSession.__table__

# The status flow (DESIGN.md, "One execution record"): nothing else is allowed.
TRANSITIONS: dict[SessionStatus, frozenset[SessionStatus]] = {
    SessionStatus.DRAFT: frozenset({SessionStatus.SCHEDULED}),
    SessionStatus.SCHEDULED: frozenset({SessionStatus.IN_PROGRESS, SessionStatus.SKIPPED, SessionStatus.CANCELLED}),
    SessionStatus.IN_PROGRESS: frozenset({SessionStatus.COMPLETED, SessionStatus.CANCELLED}),
    SessionStatus.COMPLETED: frozenset(),
    SessionStatus.SKIPPED: frozenset(),
    SessionStatus.CANCELLED: frozenset(),
}
# How far in the future a device's clock may put a completion (clock skew), and how long a session may be.
CLOCK_SKEW = timedelta(minutes=5)
LONGEST_SESSION = timedelta(hours=24)
LONGEST_NOTES = 2000


class TransitionRefused(Conflict):
    """The session's status does not allow this change; `current` is the status it has."""

    def __init__(self, current: SessionStatus, target: SessionStatus) -> None:
        super().__init__(f"a {current.value} session cannot become {target.value}", field="sessionId")
        self.current = current
        self.target = target


def allowed(current: SessionStatus, target: SessionStatus) -> bool:
    return target in TRANSITIONS[current]


def kind_of_workout(workout_type: WorkoutType) -> SessionKind:
    if workout_type is WorkoutType.ENDURANCE:
        return SessionKind.ENDURANCE
    if workout_type is WorkoutType.CONDITIONING:
        return SessionKind.MIXED
    return SessionKind.STRENGTH


def workout_snapshot(workout: Row) -> WorkoutSnapshot:
    """A program workout as a session's snapshot: its prescription is one section."""
    prescription = workout.prescription
    sections = [Section(name="Main", exercises=prescription.exercises, notes=prescription.notes)] if prescription.exercises else []
    return WorkoutSnapshot(
        name=workout.name, duration_minutes=workout.duration_minutes, sections=sections, notes=workout.notes
    )


# When a session is, as a sort key: its date and time (midnight without one), read as UTC.
SESSION_AT = literal_column(
    "((training_sessions.scheduled_date + coalesce(training_sessions.scheduled_time, time '00:00')) AT TIME ZONE 'UTC')",
    DateTime(timezone=True),
)


def session_at(day: date, at: time | None) -> datetime:
    """SESSION_AT of a row, in Python (for cursors)."""
    return datetime.combine(day, at or time.min, tzinfo=timezone.utc)


def readable(viewer: Viewer) -> ColumnElement[bool]:
    return programs.can_read_athlete(viewer, sessions.c.athlete_id)


# One session by id ($1) that the viewer ($2) may read, as get_session reads it (compiled reads).
READABLE_SESSION_SQL = "t0.id = $1 AND " + programs.READABLE_ATHLETE_SQL.format(athlete="t0.athlete_id")


# ----------------------------------------------------------------------------- reads


async def get_session(db: Executor, viewer: Viewer, session_id: uuid.UUID) -> Row | None:
    """The session, or None when it does not exist or the viewer may not read it."""
    return (await db.execute(select(sessions).where(sessions.c.id == session_id, readable(viewer)))).first()


async def readers_among(db: Executor, session_id: uuid.UUID, viewer_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these users may read the session now (its athlete, coaches linked to them): one statement."""
    athlete = select(sessions.c.athlete_id).where(sessions.c.id == session_id).scalar_subquery()
    linked = exists().where(CoachAthlete.coach_id == User.id, CoachAthlete.athlete_id == athlete)
    stmt = select(User.id).where(User.id.in_(viewer_ids), or_(User.id == athlete, linked))
    return set((await db.scalars(stmt)).all())


async def sessions_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(sessions).where(sessions.c.id.in_(ids)))).all())


async def sessions_of_workouts(db: Executor, workout_ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(sessions).where(sessions.c.program_workout_id.in_(workout_ids)))).all())


# The status of a workout as SQL text for compiled reads ({row} is the workout's alias): its session's, else
# planned, by the SQL function migration 0004 defines (PostgreSQL inlines it).
WORKOUT_STATUS_SQL = "workout_instances_status({row})"


# ----------------------------------------------------------------------------- writes


@dataclass(frozen=True, slots=True)
class Completion:
    performance_log: dict[str, Any]  # as sent; validated as a PerformanceLog here
    started_at: datetime | None = None
    completed_at: datetime | None = None
    duration_seconds: int | None = None
    notes: str | None = None


async def locked(session: Executor, viewer: Viewer, session_id: uuid.UUID) -> Row:
    """The session row, locked for this transaction; NotFound unless the viewer may act on it."""
    row = (
        await session.execute(select(sessions).where(sessions.c.id == session_id, readable(viewer)).with_for_update())
    ).first()
    if row is None or not await programs.may_plan_for(session, viewer, row.athlete_id):
        raise NotFound("no such session", field="sessionId")
    return row


async def move(session: AsyncSession, row: Row, target: SessionStatus, **values: object) -> Row:
    if not allowed(row.status, target):
        raise TransitionRefused(row.status, target)
    stmt = update(sessions).where(sessions.c.id == row.id).values(status=target, **values).returning(sessions)
    return (await session.execute(stmt)).one()


async def change_status(
    session: AsyncSession, viewer: Viewer, session_id: uuid.UUID, target: SessionStatus, now: datetime,
    notes: str | None = None,
) -> Row:
    """Schedule a draft, start, skip or cancel a session. Completing takes a log: see `complete`."""
    if target is SessionStatus.COMPLETED:
        raise InvalidInput("completing a session takes its performance log", field="status")
    _check_notes(notes, "notes")
    row = await locked(session, viewer, session_id)
    values: dict[str, object] = {}
    if target is SessionStatus.IN_PROGRESS:
        values["started_at"] = now
    if notes is not None:
        values["notes"] = notes
    return await move(session, row, target, **values)


async def complete(session: AsyncSession, viewer: Viewer, session_id: uuid.UUID, done: Completion, now: datetime) -> Row:
    """In progress -> completed, with the log sent whole (e.g. from an app that logged offline)."""
    try:
        log = PerformanceLog.model_validate(done.performance_log)
    except PydanticError as exc:
        raise_problems(problems_of(exc, "input.performanceLog"))
    _check_notes(done.notes, "input.notes")
    if done.duration_seconds is not None and not 0 <= done.duration_seconds <= LONGEST_SESSION.total_seconds():
        raise InvalidInput("durationSeconds must be 0 to 86400", field="input.durationSeconds")
    row = await locked(session, viewer, session_id)
    if not allowed(row.status, SessionStatus.COMPLETED):
        raise TransitionRefused(row.status, SessionStatus.COMPLETED)
    started = done.started_at or row.started_at
    completed = done.completed_at or now
    if completed > now + CLOCK_SKEW:
        raise InvalidInput("completedAt is in the future", field="input.completedAt")
    if started is not None and completed < started:
        raise InvalidInput("completedAt is before startedAt", field="input.completedAt")
    if started is not None and completed - started > LONGEST_SESSION:
        raise InvalidInput("a session lasts at most 24 hours", field="input.startedAt")
    duration = done.duration_seconds
    if duration is None and started is not None:
        duration = int((completed - started).total_seconds())
    values: dict[str, object] = {
        "started_at": started, "completed_at": completed, "duration_seconds": duration,
        "performance_log": log,
    }
    if done.notes is not None:
        values["notes"] = done.notes
    return await move(session, row, SessionStatus.COMPLETED, **values)


def _check_notes(notes: str | None, field: str) -> None:
    if notes is not None and len(notes) > LONGEST_NOTES:
        raise InvalidInput(f"notes must be at most {LONGEST_NOTES} characters", field=field)


async def schedule_workout(
    session: AsyncSession, viewer: Viewer, workout_id: uuid.UUID, at: time | None, start: bool, now: datetime
) -> Row:
    """Create the one session of a program workout: scheduled, or in progress when `start`.

    The snapshot is the workout as it is now; regenerating the program later
    never changes it.
    """
    stmt = (
        select(WorkoutInstance.__table__, FitnessProgram.athlete_id)
        .join(Microcycle, Microcycle.id == WorkoutInstance.microcycle_id)
        .join(Mesocycle, Mesocycle.id == Microcycle.mesocycle_id)
        .join(Macrocycle, Macrocycle.id == Mesocycle.macrocycle_id)
        .join(FitnessProgram, FitnessProgram.id == Macrocycle.program_id)
        .where(WorkoutInstance.id == workout_id, programs.can_read_athlete(viewer, FitnessProgram.athlete_id))
        .with_for_update(of=WorkoutInstance)
    )
    workout = (await session.execute(stmt)).first()
    if workout is None or not await programs.may_plan_for(session, viewer, workout.athlete_id):
        raise NotFound("no such workout", field="workoutId")
    existing = await session.scalar(select(sessions.c.status).where(sessions.c.program_workout_id == workout_id))
    if existing is not None:
        raise TransitionRefused(SessionStatus(existing), SessionStatus.SCHEDULED)
    values = {
        "id": uuid.uuid4(), "athlete_id": workout.athlete_id, "source": PlanSource.PROGRAM_WORKOUT,
        "program_workout_id": workout_id, "scheduled_date": workout.scheduled_date, "scheduled_time": at,
        "kind": kind_of_workout(workout.workout_type), "workout_snapshot": workout_snapshot(workout),
        "status": SessionStatus.IN_PROGRESS if start else SessionStatus.SCHEDULED,
        "started_at": now if start else None,
    }
    return (await session.execute(insert(sessions).values(**values).returning(sessions))).one()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def utc_today() -> date:
    return utc_now().date()
