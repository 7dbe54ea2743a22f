"""An athlete's calendar: every training session, and every program workout not yet scheduled, by date.

Programs and routines meet here: a routine assignment's sessions and a
program's workouts (through their session once they have one, as PLANNED
before) come out of one statement, in date order, paginated by keyset.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import DateTime, Row, Select, String, Time, case, cast, exists, func, literal, literal_column, null, select, union_all

from trainforge.db import Executor
from trainforge.models.programs import FitnessProgram, Macrocycle, Mesocycle, Microcycle, WorkoutInstance, WorkoutStatus, WorkoutType
from trainforge.models.training import SessionKind
from trainforge.services import programs, training
from trainforge.services.auth import Viewer
from trainforge.services.errors import InvalidInput, raise_problems
from trainforge.services.pagination import Page, PageRequest, paginate, to_page

# The longest range one calendar query covers.
LONGEST_RANGE = timedelta(days=366)

sessions = training.sessions
workouts = WorkoutInstance.__table__


@dataclass(frozen=True, slots=True)
class CalendarQuery:
    start: date
    end: date
    athlete_id: uuid.UUID | None = None  # None: every athlete the viewer may read
    statuses: Collection[WorkoutStatus] | None = None
    kinds: Collection[SessionKind] | None = None

    def check(self) -> None:
        problems = []
        if self.end < self.start:
            problems.append(InvalidInput("to is before from", field="to"))
        elif self.end - self.start > LONGEST_RANGE:
            problems.append(InvalidInput("a calendar query covers at most 366 days", field="to"))
        raise_problems(problems)


def _workout_kind(workout_type):  # noqa: ANN001, ANN202
    """training.kind_of_workout in SQL."""
    return case(
        (workout_type == WorkoutType.ENDURANCE.value, SessionKind.ENDURANCE.value),
        (workout_type == WorkoutType.CONDITIONING.value, SessionKind.MIXED.value),
        else_=SessionKind.STRENGTH.value,
    )


def _session_entries(viewer: Viewer, query: CalendarQuery) -> Select | None:
    statuses = None if query.statuses is None else [s.value for s in query.statuses if s is not WorkoutStatus.PLANNED]
    if statuses is not None and not statuses:
        return None
    stmt = select(
        sessions.c.id, literal("session").label("entry"), sessions.c.athlete_id,
        sessions.c.scheduled_date.label("day"), sessions.c.scheduled_time.label("at"),
        cast(sessions.c.kind, String).label("kind"), cast(sessions.c.status, String).label("status"),
        sessions.c.workout_snapshot["name"].astext.label("name"),
        sessions.c.id.label("session_id"), sessions.c.program_workout_id.label("workout_id"),
    ).where(training.readable(viewer), sessions.c.scheduled_date.between(query.start, query.end))
    if query.athlete_id is not None:
        stmt = stmt.where(sessions.c.athlete_id == query.athlete_id)
    if statuses is not None:
        stmt = stmt.where(cast(sessions.c.status, String).in_(statuses))
    if query.kinds is not None:
        stmt = stmt.where(cast(sessions.c.kind, String).in_([k.value for k in query.kinds]))
    return stmt


def _planned_workouts(viewer: Viewer, query: CalendarQuery) -> Select | None:
    if query.statuses is not None and WorkoutStatus.PLANNED not in query.statuses:
        return None
    kind = _workout_kind(cast(workouts.c.workout_type, String))
    stmt = (
        select(
            workouts.c.id, literal("workout").label("entry"), FitnessProgram.athlete_id,
            workouts.c.scheduled_date.label("day"), cast(null(), Time).label("at"),
            kind.label("kind"), literal(WorkoutStatus.PLANNED.value).label("status"), workouts.c.name,
            cast(null(), sessions.c.id.type).label("session_id"), workouts.c.id.label("workout_id"),
        )
        .join(Microcycle, Microcycle.id == workouts.c.microcycle_id)
        .join(Mesocycle, Mesocycle.id == Microcycle.mesocycle_id)
        .join(Macrocycle, Macrocycle.id == Mesocycle.macrocycle_id)
        .join(FitnessProgram, FitnessProgram.id == Macrocycle.program_id)
        .where(
            programs.can_read_athlete(viewer, FitnessProgram.athlete_id),
            workouts.c.scheduled_date.between(query.start, query.end),
            ~exists().where(sessions.c.program_workout_id == workouts.c.id),
        )
    )
    if query.athlete_id is not None:
        stmt = stmt.where(FitnessProgram.athlete_id == query.athlete_id)
    if query.kinds is not None:
        stmt = stmt.where(kind.in_([k.value for k in query.kinds]))
    return stmt


def _entries(viewer: Viewer, query: CalendarQuery):  # noqa: ANN202
    parts = [p for p in (_session_entries(viewer, query), _planned_workouts(viewer, query)) if p is not None]
    if not parts:
        return None
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("entries")


def _at(entries):  # noqa: ANN001, ANN202
    return literal_column(
        f"(({entries.name}.day + coalesce({entries.name}.at, time '00:00')) AT TIME ZONE 'UTC')", DateTime(timezone=True)
    )


async def calendar(db: Executor, viewer: Viewer, query: CalendarQuery, request: PageRequest) -> Page[Row]:
    """Entries in date (and time) order; each row: id, entry ('session' | 'workout'), athlete_id, day, at,
    kind, status, name, session_id, workout_id."""
    query.check()
    entries = _entries(viewer, query)
    if entries is None:
        return to_page([], request, ascending=True)
    stmt = paginate(select(entries), _at(entries), entries.c.id, request, ascending=True)
    return to_page((await db.execute(stmt)).all(), request, ascending=True)


async def count(db: Executor, viewer: Viewer, query: CalendarQuery) -> int:
    entries = _entries(viewer, query)
    if entries is None:
        return 0
    return int(await db.scalar(select(func.count()).select_from(entries)) or 0)
