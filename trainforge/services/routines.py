"""Routines and their immutable versions: create, edit (a new version), read.

A routine belongs to its owner (a coach or an athlete). Besides the owner, an
athlete it was assigned to may read it (and its versions): they train from it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError as PydanticError
from sqlalchemy import ColumnElement, Row, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.db import Executor
from trainforge.models.routines import Routine, RoutineAssignment, RoutineType, RoutineVersion
from trainforge.models.training_content import RoutineContent
from trainforge.services.auth import Viewer
from trainforge.services.errors import InvalidInput, NotFound, raise_problems
from trainforge.services.exercises import default_library
from trainforge.services.pagination import Page, PageRequest, paginate, to_page
from trainforge.services.validation import problems_of

routines = Routine.__table__
versions = RoutineVersion.__table__
assignments = RoutineAssignment.__table__


@dataclass(frozen=True, slots=True)
class RoutineFields:
    """One version's content as the client sent it (validated here)."""

    name: str
    routine_type: RoutineType
    objective: str | None
    sections: list[dict[str, Any]]


def readable(viewer: Viewer, routine_id: ColumnElement[uuid.UUID], owner_id: ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
    """SQL condition: the viewer owns the routine, or it was assigned to them."""
    assigned = exists().where(assignments.c.routine_id == routine_id, assignments.c.athlete_id == viewer.id)
    return or_(owner_id == viewer.id, assigned)


# `readable` as SQL text for reads compiled to one statement: one routine by id ($1), viewer $2.
READABLE_ROUTINE_SQL = (
    "t0.id = $1 AND (t0.owner_id = $2 OR EXISTS (SELECT 1 FROM routine_assignments ra "
    "WHERE ra.routine_id = t0.id AND ra.athlete_id = $2))"
)


def _content(fields: RoutineFields) -> tuple[str, str | None, RoutineContent]:
    problems = []
    name = fields.name.strip()
    if not 1 <= len(name) <= 200:
        problems.append(InvalidInput("name must be 1 to 200 characters", field="input.name"))
    if fields.objective is not None and len(fields.objective) > 2000:
        problems.append(InvalidInput("objective must be at most 2000 characters", field="input.objective"))
    content = None
    try:
        content = RoutineContent.model_validate({"sections": fields.sections})
    except PydanticError as exc:
        problems += problems_of(exc, "input")
    if content is not None:
        problems += _unknown_exercises(content)
    raise_problems(problems)
    assert content is not None
    return name, fields.objective, content


def _unknown_exercises(content: RoutineContent) -> list[InvalidInput]:
    """Exercises must come from the library (by name); the message suggests the closest one."""
    library = default_library()
    problems = []
    for s, section in enumerate(content.sections):
        for e, exercise in enumerate(section.exercises):
            if library.get(exercise.exercise) is None:
                closest = library.closest(exercise.exercise)
                hint = f"; did you mean {closest.name!r}?" if closest is not None else ""
                problems.append(InvalidInput(
                    f"{exercise.exercise!r} is not in the exercise library{hint}",
                    field=f"input.sections.{s}.exercises.{e}.exercise",
                ))
    return problems


async def create_routine(session: AsyncSession, viewer: Viewer, fields: RoutineFields) -> Row:
    """A new routine owned by the viewer, with version 1."""
    name, objective, content = _content(fields)
    routine_id = uuid.uuid4()
    await session.execute(insert(routines).values(id=routine_id, owner_id=viewer.id, latest_version=1))
    await _insert_version(session, routine_id, 1, name, fields.routine_type, objective, content)
    return (await session.execute(select(routines).where(routines.c.id == routine_id))).one()


async def edit_routine(session: AsyncSession, viewer: Viewer, routine_id: uuid.UUID, fields: RoutineFields) -> Row:
    """A new version of the viewer's routine; earlier versions stay exactly as they were."""
    name, objective, content = _content(fields)
    stmt = select(routines).where(routines.c.id == routine_id, routines.c.owner_id == viewer.id).with_for_update()
    routine = (await session.execute(stmt)).first()
    if routine is None:
        raise NotFound("no such routine", field="routineId")
    number = routine.latest_version + 1
    await _insert_version(session, routine_id, number, name, fields.routine_type, objective, content)
    stmt = update(routines).where(routines.c.id == routine_id).values(latest_version=number).returning(routines)
    return (await session.execute(stmt)).one()


async def _insert_version(
    session: AsyncSession, routine_id: uuid.UUID, number: int, name: str, routine_type: RoutineType,
    objective: str | None, content: RoutineContent,
) -> None:
    await session.execute(insert(versions).values(
        id=uuid.uuid4(), routine_id=routine_id, version=number, name=name, routine_type=routine_type,
        objective=objective, content=content,
    ))


async def get_routine(db: Executor, viewer: Viewer, routine_id: uuid.UUID) -> Row | None:
    stmt = select(routines).where(routines.c.id == routine_id, readable(viewer, routines.c.id, routines.c.owner_id))
    return (await db.execute(stmt)).first()


async def usable_version(db: Executor, viewer: Viewer, version_id: uuid.UUID) -> Row | None:
    """A version of one of the viewer's own routines (what they may assign), with its routine's owner."""
    stmt = (
        select(versions)
        .join(routines, routines.c.id == versions.c.routine_id)
        .where(versions.c.id == version_id, routines.c.owner_id == viewer.id)
    )
    return (await db.execute(stmt)).first()


def _visible(viewer: Viewer):  # noqa: ANN202
    return select(routines).where(readable(viewer, routines.c.id, routines.c.owner_id))


async def list_routines(db: Executor, viewer: Viewer, request: PageRequest) -> Page[Row]:
    """Routines the viewer owns or was assigned, newest first."""
    stmt = paginate(_visible(viewer), routines.c.created_at, routines.c.id, request)
    return to_page((await db.execute(stmt)).all(), request)


async def count_routines(db: Executor, viewer: Viewer) -> int:
    return int(await db.scalar(select(func.count()).select_from(_visible(viewer).subquery())) or 0)


async def routines_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(routines).where(routines.c.id.in_(ids)))).all())


async def versions_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(versions).where(versions.c.id.in_(ids)))).all())


async def versions_of(db: Executor, routine_ids: Sequence[uuid.UUID]) -> list[Row]:
    """Every version of these routines, newest first."""
    stmt = select(versions).where(versions.c.routine_id.in_(routine_ids)).order_by(versions.c.routine_id, versions.c.version.desc())
    return list((await db.execute(stmt)).all())
