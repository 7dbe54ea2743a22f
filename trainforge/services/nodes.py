"""Global object identification: which table an id is in, among the rows the viewer may read.

Ids are uuid4s, unique across every table, so an id alone does not say its
type: one statement probes each table's primary key for the whole batch
(UNION ALL of index lookups, each with its access check) and answers
(kind, id) for the ids found. Another user's row is not found, exactly like
an id that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import ColumnElement, Select, any_, bindparam, exists, literal_column, or_, select, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Uuid

from trainforge.db import Executor
from trainforge.models.accounts import CoachAthlete, User
from trainforge.services.auth import Viewer
from trainforge.services.programs import can_read_athlete, macrocycles, mesocycles, microcycles, programs, workouts

USER, PROGRAM, MACROCYCLE, MESOCYCLE, MICROCYCLE, WORKOUT = (
    "user", "program", "macrocycle", "mesocycle", "microcycle", "workout"
)
KINDS = (USER, PROGRAM, MACROCYCLE, MESOCYCLE, MICROCYCLE, WORKOUT)

users = User.__table__


def _kind(name: str) -> ColumnElement[str]:
    # A constant in the SQL text, not a parameter: the branches of the UNION then
    # agree on its type without casts. `name` is one of KINDS, never client input.
    return literal_column(f"'{name}'").label("kind")


def _user_probe(viewer: Viewer, asked: ColumnElement) -> Select:
    """Users the viewer may see: themself, and the people on the other side of their coach links."""
    coaches_me = exists().where(CoachAthlete.coach_id == users.c.id, CoachAthlete.athlete_id == viewer.id)
    coached_by_me = exists().where(CoachAthlete.coach_id == viewer.id, CoachAthlete.athlete_id == users.c.id)
    return select(_kind(USER), users.c.id).where(
        users.c.id == any_(asked), or_(users.c.id == viewer.id, coaches_me, coached_by_me)
    )


def _tree_probes(viewer: Viewer, asked: ColumnElement) -> list[Select]:
    """One probe per program-tree table, joined up to the program whose athlete decides access."""
    chain = [
        (WORKOUT, workouts, workouts.c.microcycle_id),
        (MICROCYCLE, microcycles, microcycles.c.mesocycle_id),
        (MESOCYCLE, mesocycles, mesocycles.c.macrocycle_id),
        (MACROCYCLE, macrocycles, macrocycles.c.program_id),
        (PROGRAM, programs, None),
    ]
    probes = []
    for start, (kind, table, _) in enumerate(chain):
        source = table
        # Walk up by primary keys: workout -> microcycle -> ... -> program.
        for (_, _, parent_key), (_, parent, _) in zip(chain[start:], chain[start + 1 :]):
            source = source.join(parent, parent.c.id == parent_key)
        probes.append(
            select(_kind(kind), table.c.id).select_from(source).where(
                table.c.id == any_(asked), can_read_athlete(viewer, programs.c.athlete_id)
            )
        )
    return probes


async def find_kinds(db: Executor, viewer: Viewer, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """id -> kind (one of KINDS) for the asked ids the viewer may read; others are absent."""
    if not ids:
        return {}
    # One array parameter shared by every branch, whatever the number of ids.
    asked = bindparam("ids", list(ids), type_=ARRAY(Uuid()))
    stmt = union_all(_user_probe(viewer, asked), *_tree_probes(viewer, asked))
    return {row.id: row.kind for row in (await db.execute(stmt)).all()}
