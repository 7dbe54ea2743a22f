"""Routine assignments: giving a version to an athlete schedules their sessions; replacing one keeps history.

Both writes happen in the caller's one transaction: the assignment and every
session it schedules (and, for a replacement, the sessions it removes) land
together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
import dataclasses
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import Row, and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.db import Executor
from trainforge.models.routines import AssignmentStatus, RoutineAssignment, RoutineType
from trainforge.models.training import PlanSource, SessionKind, SessionStatus
from trainforge.models.training_content import WorkoutSnapshot
from trainforge.services import programs, routines, training
from trainforge.services.auth import Viewer
from trainforge.services.errors import Conflict, InvalidInput, NotFound, raise_problems
from trainforge.services.pagination import Page, PageRequest, paginate, to_page

assignments = RoutineAssignment.__table__
sessions = training.sessions

# An assignment spans a year at most: it bounds the sessions one write creates (366).
LONGEST_ASSIGNMENT = timedelta(days=366)

KIND_OF_ROUTINE = {
    RoutineType.STRENGTH: SessionKind.STRENGTH,
    RoutineType.RUNNING: SessionKind.ENDURANCE,
    RoutineType.TRAIL_RUNNING: SessionKind.ENDURANCE,
    RoutineType.MIXED: SessionKind.MIXED,
}


@dataclass(frozen=True, slots=True)
class Schedule:
    start_date: date | None  # None: today (a replacement's default)
    end_date: date | None
    weekdays: list[int]  # Monday = 0
    times: list[time | None]  # none, one for every weekday, or one per weekday in the order given


@dataclass(frozen=True, slots=True)
class Assigned:
    assignment: Row
    sessions: list[Row]


@dataclass(frozen=True, slots=True)
class Replaced:
    old: Row
    new: Row
    removed_session_ids: list[uuid.UUID]
    added_sessions: list[Row]


def _slots(schedule: Schedule) -> tuple[list[int], list[time | None]]:
    """The weekdays sorted, each with its time; a problem for every bad part of the schedule."""
    problems = []
    if not schedule.weekdays:
        problems.append(InvalidInput("weekdays must not be empty", field="input.weekdays"))
    elif len(set(schedule.weekdays)) != len(schedule.weekdays):
        problems.append(InvalidInput("weekdays must not repeat", field="input.weekdays"))
    if len(schedule.times) not in (0, 1, len(schedule.weekdays)):
        problems.append(InvalidInput("give no time, one time for every weekday, or one per weekday", field="input.times"))
    if schedule.end_date is not None:
        if schedule.end_date < schedule.start_date:
            problems.append(InvalidInput("endDate is before startDate", field="input.endDate"))
        elif schedule.end_date - schedule.start_date > LONGEST_ASSIGNMENT:
            problems.append(InvalidInput("an assignment spans at most 366 days", field="input.endDate"))
    raise_problems(problems)
    times: list[time | None] = list(schedule.times)
    if len(times) <= 1:
        times = [times[0] if times else None] * len(schedule.weekdays)
    pairs = sorted(zip(schedule.weekdays, times, strict=True))
    return [day for day, _ in pairs], [at for _, at in pairs]


def session_dates(weekdays: Sequence[int], times: Sequence[time | None], first: date, last: date) -> list[tuple[date, time | None]]:
    """Every (date, time) from `first` to `last` (both included) that falls on one of the weekdays."""
    at = dict(zip(weekdays, times, strict=True))
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [(day, at[day.weekday()]) for day in days if day.weekday() in at]


def _last_day(start: date, end: date | None, horizon_weeks: int) -> date:
    return end if end is not None else start + timedelta(weeks=horizon_weeks, days=-1)


async def _schedule_sessions(
    session: AsyncSession, assignment: Row, version: Row, first: date, horizon_weeks: int
) -> list[Row]:
    last = _last_day(assignment.start_date, assignment.end_date, horizon_weeks)
    dates = session_dates(assignment.weekdays, assignment.times, max(first, assignment.start_date), last)
    if not dates:
        return []
    snapshot = WorkoutSnapshot(name=version.name, objective=version.objective, sections=version.content.sections)
    rows = [
        {
            "id": uuid.uuid4(), "athlete_id": assignment.athlete_id, "source": PlanSource.ROUTINE_ASSIGNMENT,
            "routine_id": version.routine_id, "routine_version_id": version.id, "assignment_id": assignment.id,
            "scheduled_date": day, "scheduled_time": at, "kind": KIND_OF_ROUTINE[version.routine_type],
            "status": SessionStatus.SCHEDULED, "workout_snapshot": snapshot,
        }
        for day, at in dates
    ]
    result = await session.execute(insert(sessions).returning(sessions, sort_by_parameter_order=True), rows)
    return list(result.all())


async def _insert_assignment(
    session: AsyncSession, viewer: Viewer, version: Row, athlete_id: uuid.UUID, start: date, end: date | None,
    weekdays: list[int], times: list[time | None],
) -> Row:
    stmt = insert(assignments).values(
        id=uuid.uuid4(), routine_id=version.routine_id, routine_version_id=version.id, athlete_id=athlete_id,
        assigned_by_id=viewer.id, start_date=start, end_date=end, weekdays=weekdays, times=times,
    ).returning(assignments)
    return (await session.execute(stmt)).one()


async def _version_to_assign(session: AsyncSession, viewer: Viewer, version_id: uuid.UUID) -> Row:
    version = await routines.usable_version(session, viewer, version_id)
    if version is None:
        raise NotFound("no such routine version", field="input.versionId")
    return version


async def assign(
    session: AsyncSession, viewer: Viewer, version_id: uuid.UUID, athlete_id: uuid.UUID, schedule: Schedule,
    horizon_weeks: int,
) -> Assigned:
    """Give one version of the viewer's routine to an athlete (themself, or one linked to the coach)."""
    weekdays, times = _slots(schedule)
    version = await _version_to_assign(session, viewer, version_id)
    if not await programs.may_plan_for(session, viewer, athlete_id):
        raise NotFound("no such athlete", field="input.athleteId")
    assignment = await _insert_assignment(
        session, viewer, version, athlete_id, schedule.start_date, schedule.end_date, weekdays, times
    )
    return Assigned(assignment, await _schedule_sessions(session, assignment, version, schedule.start_date, horizon_weeks))


async def replace(
    session: AsyncSession, viewer: Viewer, assignment_id: uuid.UUID, version_id: uuid.UUID,
    schedule: Schedule | None, today: date, horizon_weeks: int,
) -> Replaced:
    """Assign a new version in place of an active assignment.

    Removes exactly the old assignment's sessions still `scheduled` and dated
    today or later; every other session (done, skipped, cancelled, in
    progress, or in the past) stays. The new assignment keeps the old schedule
    unless one is given, starting today at the earliest.
    """
    stmt = (
        select(assignments)
        .where(assignments.c.id == assignment_id, programs.can_read_athlete(viewer, assignments.c.athlete_id))
        .with_for_update()
    )
    old = (await session.execute(stmt)).first()
    if old is None or not await programs.may_plan_for(session, viewer, old.athlete_id):
        raise NotFound("no such assignment", field="input.assignmentId")
    if old.status is not AssignmentStatus.ACTIVE:
        raise Conflict("this assignment was already replaced", field="input.assignmentId")
    if schedule is None:
        schedule = Schedule(max(old.start_date, today), old.end_date, list(old.weekdays), list(old.times))
    elif schedule.start_date is None:
        schedule = dataclasses.replace(schedule, start_date=today)
    weekdays, times = _slots(schedule)
    version = await _version_to_assign(session, viewer, version_id)
    removed = await session.scalars(
        delete(sessions)
        .where(
            sessions.c.assignment_id == old.id,
            sessions.c.status == SessionStatus.SCHEDULED,
            sessions.c.scheduled_date >= today,
        )
        .returning(sessions.c.id)
    )
    removed_ids = list(removed.all())
    new = await _insert_assignment(
        session, viewer, version, old.athlete_id, schedule.start_date, schedule.end_date, weekdays, times
    )
    await session.execute(
        update(assignments).where(assignments.c.id == old.id)
        .values(status=AssignmentStatus.REPLACED, replaced_by_id=new.id)
    )
    old = (await session.execute(select(assignments).where(assignments.c.id == old.id))).one()
    added = await _schedule_sessions(session, new, version, today, horizon_weeks)
    return Replaced(old, new, removed_ids, added)


# ----------------------------------------------------------------------------- reads

# One assignment by id ($1) the viewer ($2) may read, as get_assignment reads it (compiled reads).
READABLE_ASSIGNMENT_SQL = "t0.id = $1 AND " + programs.READABLE_ATHLETE_SQL.format(athlete="t0.athlete_id")


async def get_assignment(db: Executor, viewer: Viewer, assignment_id: uuid.UUID) -> Row | None:
    stmt = select(assignments).where(
        assignments.c.id == assignment_id, programs.can_read_athlete(viewer, assignments.c.athlete_id)
    )
    return (await db.execute(stmt)).first()


def _visible(viewer: Viewer, athlete_id: uuid.UUID | None):  # noqa: ANN202
    stmt = select(assignments).where(programs.can_read_athlete(viewer, assignments.c.athlete_id))
    return stmt if athlete_id is None else stmt.where(assignments.c.athlete_id == athlete_id)


async def list_assignments(
    db: Executor, viewer: Viewer, request: PageRequest, athlete_id: uuid.UUID | None
) -> Page[Row]:
    """Assignments of the athletes the viewer may read (or of one of them), newest first."""
    stmt = paginate(_visible(viewer, athlete_id), assignments.c.created_at, assignments.c.id, request)
    return to_page((await db.execute(stmt)).all(), request)


async def count_assignments(db: Executor, viewer: Viewer, athlete_id: uuid.UUID | None) -> int:
    return int(await db.scalar(select(func.count()).select_from(_visible(viewer, athlete_id).subquery())) or 0)


async def assignments_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(assignments).where(assignments.c.id.in_(ids)))).all())


async def sessions_of_assignment(
    db: Executor, viewer: Viewer, assignment_id: uuid.UUID, request: PageRequest
) -> Page[Row]:
    """The assignment's sessions in date order."""
    stmt = paginate(_sessions_of(viewer, assignment_id), training.SESSION_AT, sessions.c.id, request, ascending=True)
    return to_page((await db.execute(stmt)).all(), request, ascending=True)


async def count_sessions_of_assignment(db: Executor, viewer: Viewer, assignment_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(_sessions_of(viewer, assignment_id).subquery())
    return int(await db.scalar(stmt) or 0)


def _sessions_of(viewer: Viewer, assignment_id: uuid.UUID):  # noqa: ANN202
    return select(sessions).where(and_(sessions.c.assignment_id == assignment_id, training.readable(viewer)))
