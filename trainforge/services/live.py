"""Training a session live: starting and resuming attempts, completing, recovery cursors, the active session.

The progress (services/progress.py) is the source of truth while training; an
attempt only records that a device started the session. Every write locks the
session row first, so writes to one session are serialized across devices.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.db import Executor
from trainforge.models.live import AttemptStatus, LoggedSet, SessionAttempt, SessionCursor, SessionProgress
from trainforge.models.endurance_content import EnduranceTotals, StepLog
from trainforge.models.live_content import (
    ExerciseConfig,
    ExerciseProgress,
    ExerciseStatus,
    ExerciseType,
    ProgressItems,
    StepData,
)
from trainforge.models.training import SessionStatus
from trainforge.models.training_content import ExerciseLog, PerformanceLog, SetLog, WorkoutSnapshot
from trainforge.services import training
from trainforge.services.auth import Viewer
from trainforge.services.errors import InvalidInput, NotFound
from trainforge.services.exercises import default_library

attempts = SessionAttempt.__table__
progress = SessionProgress.__table__
sets = LoggedSet.__table__
cursors = SessionCursor.__table__

MAX_CURSOR_STATE = 64 * 1024  # bytes of opaque client state
RESUMABLE_FOR = timedelta(hours=24)  # activeSession finds sessions written to within this
OTHER_DEVICE_WINDOW = timedelta(minutes=1)  # ... and warns when another device wrote within this
CURSORS_KEPT_FOR = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Started:
    session: Row
    attempt: Row
    progress: Row


@dataclass(frozen=True, slots=True)
class Summary:
    total: int
    completed: int
    in_progress: int
    skipped: int


def summary(items: ProgressItems) -> Summary:
    statuses = [item.status for item in items.items]
    return Summary(
        total=len(statuses),
        completed=statuses.count(ExerciseStatus.COMPLETED),
        in_progress=statuses.count(ExerciseStatus.IN_PROGRESS),
        skipped=statuses.count(ExerciseStatus.SKIPPED),
    )


def initial_items(snapshot: WorkoutSnapshot) -> ProgressItems:
    """One not-started item per exercise of the plan, in order, configured from its prescription."""
    library = default_library()
    exercises = [exercise for section in snapshot.sections for exercise in section.exercises]
    items = []
    for position, exercise in enumerate(exercises):
        known = library.get(exercise.exercise)
        config = ExerciseConfig(
            sets=exercise.sets, reps=exercise.reps, load_kg=exercise.load_kg, rest_seconds=exercise.rest_seconds
        )
        items.append(ExerciseProgress(
            position=position, exercise_id=known.id if known else None, exercise_name=exercise.exercise, config=config,
        ))
    for step in snapshot.planned_steps:  # an endurance session: one item per planned step
        config = ExerciseConfig(step_index=step.index, duration_seconds=step.duration_seconds,
                                distance_meters=step.distance_meters)
        name = step.type.value.replace("_", "-") + (f" ({step.block_id}: {step.repeat_index})" if step.block_id else "")
        items.append(ExerciseProgress(position=len(items), exercise_name=name, type=ExerciseType.STEP,
                                      config=config, data=StepData()))
    return ProgressItems(items=items)


def _check_device(device: str) -> str:
    device = device.strip()
    if not 1 <= len(device) <= 120:
        raise InvalidInput("device must be 1 to 120 characters", field="device")
    return device


async def locked_progress(session: AsyncSession, session_id: uuid.UUID) -> Row | None:
    stmt = select(progress).where(progress.c.session_id == session_id).with_for_update()
    return (await session.execute(stmt)).first()


async def start(
    session: AsyncSession, viewer: Viewer, session_id: uuid.UUID, device: str, rest_period_seconds: int | None,
    now: datetime,
) -> Started:
    """A new attempt: a scheduled session goes in progress; one in progress keeps its progress.

    The progress is made on the first start (from the snapshot) and reused by
    every later one; an attempt still open on another device is ended.
    """
    device = _check_device(device)
    if rest_period_seconds is not None and not 0 <= rest_period_seconds <= 1800:
        raise InvalidInput("restPeriodSeconds must be 0 to 1800", field="restPeriodSeconds")
    row = await training.locked(session, viewer, session_id)
    if row.status is SessionStatus.SCHEDULED:
        row = await training.move(session, row, SessionStatus.IN_PROGRESS, started_at=now)
    elif row.status is not SessionStatus.IN_PROGRESS:
        raise training.TransitionRefused(row.status, SessionStatus.IN_PROGRESS)
    current = await locked_progress(session, session_id)
    if current is None:
        stmt = insert(progress).values(
            id=uuid.uuid4(), session_id=session_id, athlete_id=row.athlete_id, version=1,
            items=initial_items(row.workout_snapshot), last_device=device, last_written_at=now,
        ).returning(progress)
        current = (await session.execute(stmt)).one()
    await session.execute(
        update(attempts)
        .where(attempts.c.session_id == session_id, attempts.c.ended_at.is_(None))
        .values(ended_at=func.greatest(attempts.c.started_at, now))
    )
    counts = summary(current.items)
    attempt = (await session.execute(insert(attempts).values(
        id=uuid.uuid4(), session_id=session_id, device=device, status=AttemptStatus.IN_PROGRESS, started_at=now,
        exercises_completed=counts.completed, total_exercises=counts.total, rest_period_seconds=rest_period_seconds,
    ).returning(attempts))).one()
    return Started(row, attempt, current)


async def latest_attempt(db: Executor, session_id: uuid.UUID) -> Row | None:
    stmt = select(attempts).where(attempts.c.session_id == session_id).order_by(attempts.c.started_at.desc(), attempts.c.id.desc())
    return (await db.execute(stmt.limit(1))).first()


async def resume(db: Executor, viewer: Viewer, session_id: uuid.UUID) -> tuple[Row, Row | None, Row | None]:
    """The session, its latest attempt and its progress with everything saved."""
    row = await training.get_session(db, viewer, session_id)
    if row is None:
        raise NotFound("no such session", field="sessionId")
    current = (await db.execute(select(progress).where(progress.c.session_id == session_id))).first()
    return row, await latest_attempt(db, session_id), current


def performance_log(items: ProgressItems, logged: Sequence[Row]) -> PerformanceLog:
    """What was done, from the progress: the sets logged for an exercise, else the sets its data records."""
    by_position: dict[int, list[Row]] = {}
    for row in logged:
        by_position.setdefault(row.position, []).append(row)
    exercises, steps = [], []
    for item in items.items:
        if isinstance(item.data, StepData):
            if item.status is not ExerciseStatus.NOT_STARTED:
                steps.append(StepLog(
                    index=item.config.step_index or 0, completed=item.status is ExerciseStatus.COMPLETED,
                    notes=item.notes, **item.data.model_dump(exclude={"type"}),
                ))
            continue
        rows = by_position.get(item.position, [])
        if rows:
            done = [SetLog(reps=r.reps, load_kg=r.load_kg, duration_seconds=r.duration_seconds, rpe=r.rpe) for r in rows]
        elif item.data.type == "standard":
            done = [SetLog(reps=reps, load_kg=item.data.load_kg, rpe=item.data.rpe) for reps in item.data.reps_per_set]
        elif item.data.type == "emom":
            done = [SetLog(reps=reps, duration_seconds=60) for reps in item.data.reps_per_minute]
        elif item.data.type == "amrap":
            done = [SetLog(reps=item.data.total_reps)] if item.data.total_reps else []
        else:
            done = [SetLog(reps=item.data.total_reps, load_kg=item.data.load_kg)] if item.data.total_reps else []
        exercises.append(ExerciseLog(exercise=item.exercise_name, sets=done[:100], notes=item.notes))
    return PerformanceLog(exercises=exercises[:60], steps=steps, totals=EnduranceTotals.of(steps) if steps else None)


@dataclass(frozen=True, slots=True)
class Completed:
    session: Row
    attempt: Row | None
    progress: Row | None


async def complete(session: AsyncSession, viewer: Viewer, session_id: uuid.UUID, now: datetime) -> Completed:
    """In one transaction: the session completed with its log filled from the progress, the attempt closed."""
    row = await training.locked(session, viewer, session_id)
    if not training.allowed(row.status, SessionStatus.COMPLETED):
        raise training.TransitionRefused(row.status, SessionStatus.COMPLETED)
    current = await locked_progress(session, session_id)
    items = current.items if current is not None else ProgressItems()
    logged = (await session.execute(
        select(sets).where(sets.c.session_id == session_id).order_by(sets.c.position, sets.c.logged_at, sets.c.id)
    )).all()
    started = row.started_at or now
    duration = max(0, min(int((now - started).total_seconds()), int(training.LONGEST_SESSION.total_seconds())))
    done = await training.move(
        session, row, SessionStatus.COMPLETED, completed_at=max(now, started), duration_seconds=duration,
        performance_log=performance_log(items, logged),
    )
    attempt = await latest_attempt(session, session_id)
    if attempt is not None:
        counts = summary(items)
        ended = attempt.ended_at or max(now, attempt.started_at)
        attempt = (await session.execute(
            update(attempts).where(attempts.c.id == attempt.id).values(
                status=AttemptStatus.COMPLETED, ended_at=ended,
                duration_seconds=int((ended - attempt.started_at).total_seconds()),
                exercises_completed=counts.completed, total_exercises=counts.total,
            ).returning(attempts)
        )).one()
    # A completed session needs no recovery cursor.
    await session.execute(delete(cursors).where(cursors.c.session_id == session_id))
    return Completed(done, attempt, current)


# ----------------------------------------------------------------------------- recovery


async def save_cursor(
    session: AsyncSession, viewer: Viewer, session_id: uuid.UUID, device: str, exercise_position: int,
    set_number: int, state: str | None,
) -> Row:
    """Where this device is (the last write wins): any device can resume from it within 24 h."""
    device = _check_device(device)
    if not 0 <= exercise_position <= 200:
        raise InvalidInput("exercisePosition must be 0 to 200", field="exercisePosition")
    if not 0 <= set_number <= 100:
        raise InvalidInput("setNumber must be 0 to 100", field="setNumber")
    if state is not None and len(state.encode()) > MAX_CURSOR_STATE:
        raise InvalidInput("state must be at most 64 KB", field="state")
    row = await training.locked(session, viewer, session_id)
    if row.status is not SessionStatus.IN_PROGRESS:
        raise training.TransitionRefused(row.status, SessionStatus.IN_PROGRESS)
    values = {"device": device, "exercise_position": exercise_position, "set_number": set_number, "state": state}
    stmt = pg_insert(cursors).values(session_id=session_id, athlete_id=row.athlete_id, **values)
    stmt = stmt.on_conflict_do_update(index_elements=[cursors.c.session_id], set_={**values, "updated_at": func.now()})
    return (await session.execute(stmt.returning(cursors))).one()


@dataclass(frozen=True, slots=True)
class Active:
    session: Row
    cursor: Row | None
    progress: Row | None
    # Another device wrote within the last minute: this one may be behind.
    other_device_active: bool


async def active_session(db: Executor, viewer: Viewer, device: str | None, now: datetime) -> Active | None:
    """The viewer's session in progress written to (progress or cursor) in the last 24 hours, the newest."""
    sessions = training.sessions
    touched = func.greatest(progress.c.updated_at, cursors.c.updated_at, sessions.c.started_at)
    stmt = (
        select(sessions.c.id, touched.label("touched"))
        .outerjoin(progress, progress.c.session_id == sessions.c.id)
        .outerjoin(cursors, cursors.c.session_id == sessions.c.id)
        .where(
            sessions.c.athlete_id == viewer.id, sessions.c.status == SessionStatus.IN_PROGRESS,
            touched >= now - RESUMABLE_FOR,
        )
        .order_by(touched.desc(), sessions.c.id)
        .limit(1)
    )
    found = (await db.execute(stmt)).first()
    if found is None:
        return None
    row = (await db.execute(select(sessions).where(sessions.c.id == found.id))).one()
    cursor = (await db.execute(select(cursors).where(cursors.c.session_id == found.id))).first()
    current = (await db.execute(select(progress).where(progress.c.session_id == found.id))).first()
    other = (
        current is not None and current.last_written_at is not None and device is not None
        and current.last_device != device and now - current.last_written_at <= OTHER_DEVICE_WINDOW
    )
    return Active(row, cursor, current, other)


async def remove_stale_cursors(session: AsyncSession, now: datetime) -> int:
    """Cursors older than 7 days, and those of sessions no longer in progress: how many went."""
    sessions = training.sessions
    finished = select(sessions.c.id).where(
        sessions.c.id == cursors.c.session_id, sessions.c.status != SessionStatus.IN_PROGRESS
    ).exists()
    result = await session.execute(delete(cursors).where(or_(cursors.c.updated_at < now - CURSORS_KEPT_FOR, finished)))
    return result.rowcount or 0


# ----------------------------------------------------------------------------- reads for loaders


async def attempts_of(db: Executor, session_ids: Sequence[uuid.UUID]) -> list[Row]:
    stmt = select(attempts).where(attempts.c.session_id.in_(session_ids)).order_by(
        attempts.c.session_id, attempts.c.started_at, attempts.c.id
    )
    return list((await db.execute(stmt)).all())


async def progress_of(db: Executor, session_ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(progress).where(progress.c.session_id.in_(session_ids)))).all())


async def sets_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(sets).where(sets.c.id.in_(ids)))).all())


async def attempts_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(attempts).where(attempts.c.id.in_(ids)))).all())


async def sets_of(db: Executor, session_ids: Sequence[uuid.UUID]) -> list[Row]:
    stmt = select(sets).where(sets.c.session_id.in_(session_ids)).order_by(
        sets.c.session_id, sets.c.position, sets.c.logged_at, sets.c.id
    )
    return list((await db.execute(stmt)).all())
