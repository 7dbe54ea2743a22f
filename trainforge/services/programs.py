"""Reading periodized programs, with access rules, and loading their tree level by level."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Row, exists, func, or_, select

from trainforge.db import Executor

from trainforge.models.accounts import CoachAthlete, Role, User
from trainforge.models.programs import FitnessProgram, Macrocycle, Mesocycle, Microcycle, WorkoutInstance
from trainforge.services.auth import Viewer
from trainforge.services.pagination import Page, PageRequest, paginate, to_page

programs = FitnessProgram.__table__
macrocycles = Macrocycle.__table__
mesocycles = Mesocycle.__table__
microcycles = Microcycle.__table__
workouts = WorkoutInstance.__table__


def can_read_athlete(viewer: Viewer, athlete_id: ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
    """SQL condition: the viewer is this athlete, or a coach linked to them."""
    return athlete_readable_by(viewer.id, athlete_id)


def athlete_readable_by(
    viewer_id: uuid.UUID | ColumnElement[uuid.UUID], athlete_id: ColumnElement[uuid.UUID]
) -> ColumnElement[bool]:
    """can_read_athlete for a viewer's id, or a bound parameter standing for it (statements built once)."""
    linked = exists().where(CoachAthlete.coach_id == viewer_id, CoachAthlete.athlete_id == athlete_id)
    return or_(athlete_id == viewer_id, linked)


# can_read_athlete as SQL text, for reads compiled to one statement
# (schema/compiled_sql.py): $2 is the viewer, {athlete} the athlete's id column.
READABLE_ATHLETE_SQL = (
    "({athlete} = $2 OR EXISTS (SELECT 1 FROM coach_athletes ca WHERE ca.coach_id = $2 AND ca.athlete_id = {athlete}))"
)
# One program by id ($1), as get_program reads it.
READABLE_PROGRAM_SQL = "t0.id = $1 AND " + READABLE_ATHLETE_SQL.format(athlete="t0.athlete_id")


async def may_plan_for(db: Executor, viewer: Viewer, athlete_id: uuid.UUID) -> bool:
    """Whether the viewer may plan for this user: an athlete for themself, a coach
    for an athlete linked to them. Unlike reading, a coach never plans for
    themself, and nobody plans for a user who is not an athlete."""
    if athlete_id == viewer.id:
        return viewer.role is Role.ATHLETE
    linked = exists().where(
        CoachAthlete.coach_id == viewer.id,
        CoachAthlete.athlete_id == athlete_id,
        User.id == CoachAthlete.athlete_id,
        User.role == Role.ATHLETE,
    )
    return bool(await db.scalar(select(linked)))


async def get_program(db: Executor, viewer: Viewer, program_id: uuid.UUID) -> Row | None:
    """The program, or None when it does not exist or the viewer may not read it."""
    stmt = select(programs).where(programs.c.id == program_id, can_read_athlete(viewer, programs.c.athlete_id))
    return (await db.execute(stmt)).first()


def _visible_programs(viewer: Viewer, athlete_id: uuid.UUID | None):  # noqa: ANN202
    stmt = select(programs).where(can_read_athlete(viewer, programs.c.athlete_id))
    if athlete_id is not None:
        stmt = stmt.where(programs.c.athlete_id == athlete_id)
    return stmt


async def list_programs(
    db: Executor, viewer: Viewer, request: PageRequest, athlete_id: uuid.UUID | None = None
) -> Page[Row]:
    """Programs the viewer may read (their own, and their linked athletes' for a coach), newest first."""
    stmt = paginate(_visible_programs(viewer, athlete_id), programs.c.created_at, programs.c.id, request)
    return to_page((await db.execute(stmt)).all(), request)


async def count_programs(db: Executor, viewer: Viewer, athlete_id: uuid.UUID | None = None) -> int:
    stmt = select(func.count()).select_from(_visible_programs(viewer, athlete_id).subquery())
    return int(await db.scalar(stmt) or 0)


async def _children(db: Executor, table, parent_column, parent_ids, *order) -> list[Row]:  # noqa: ANN001
    stmt = select(table).where(parent_column.in_(parent_ids)).order_by(parent_column, *order)
    return list((await db.execute(stmt)).all())


async def macrocycles_of(db: Executor, program_ids: Sequence[uuid.UUID]) -> list[Row]:
    return await _children(db, macrocycles, macrocycles.c.program_id, program_ids, macrocycles.c.position)


async def mesocycles_of(db: Executor, macrocycle_ids: Sequence[uuid.UUID]) -> list[Row]:
    return await _children(db, mesocycles, mesocycles.c.macrocycle_id, macrocycle_ids, mesocycles.c.position)


async def microcycles_of(db: Executor, mesocycle_ids: Sequence[uuid.UUID]) -> list[Row]:
    return await _children(
        db, microcycles, microcycles.c.mesocycle_id, mesocycle_ids, microcycles.c.week_number
    )


async def workouts_of(db: Executor, microcycle_ids: Sequence[uuid.UUID]) -> list[Row]:
    return await _children(
        db, workouts, workouts.c.microcycle_id, microcycle_ids, workouts.c.scheduled_date, workouts.c.id
    )


async def _by_ids(db: Executor, table, ids: Sequence[uuid.UUID]) -> list[Row]:  # noqa: ANN001
    return list((await db.execute(select(table).where(table.c.id.in_(ids)))).all())


# By id, with no access check: for parent links (the parent of a readable object
# is readable) and for `node`, whose one statement has checked access already.
async def programs_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await _by_ids(db, programs, ids)


async def macrocycles_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await _by_ids(db, macrocycles, ids)


async def mesocycles_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await _by_ids(db, mesocycles, ids)


async def microcycles_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await _by_ids(db, microcycles, ids)


async def workouts_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await _by_ids(db, workouts, ids)


async def get_mesocycle(db: Executor, viewer: Viewer, mesocycle_id: uuid.UUID) -> Row | None:
    """The mesocycle, or None when it does not exist or the viewer may not read its program."""
    stmt = (
        select(mesocycles)
        .join(macrocycles, macrocycles.c.id == mesocycles.c.macrocycle_id)
        .join(programs, programs.c.id == macrocycles.c.program_id)
        .where(mesocycles.c.id == mesocycle_id, can_read_athlete(viewer, programs.c.athlete_id))
    )
    return (await db.execute(stmt)).first()
