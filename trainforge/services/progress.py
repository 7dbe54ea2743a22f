"""Writes to a session's progress from devices: replay-safe, versioned.

Every write carries a client-generated id. The first call stores what it
answered under that id (client_writes) in the same transaction as the write;
a replay (an offline queue flushed twice, a retry after a timeout) finds it
and answers the same, writing nothing. Each write bumps the progress version;
saving an exercise or its status based on another version is refused with the
current state (`ProgressConflict`). Logged sets take no version: two devices
logging at once log two different sets, and both are kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError as PydanticError
from sqlalchemy import Row, and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.models.live import ClientWrite
from trainforge.models.live_content import ExerciseProgress, ExerciseStatus, ProgressItems, StandardData
from trainforge.models.training import SessionStatus
from trainforge.services import live, training
from trainforge.services.auth import Viewer
from trainforge.services.errors import Conflict, InvalidInput, NotFound, raise_problems
from trainforge.services.validation import problems_of

client_writes = ClientWrite.__table__


class ProgressConflict(Conflict):
    """The write was based on an older version of the progress; `progress` is the current one."""

    def __init__(self, current: Row, based_on: int) -> None:
        super().__init__(
            f"the progress is at version {current.version}, this write was based on {based_on}", field="baseVersion"
        )
        self.progress = current


@dataclass(frozen=True, slots=True)
class Written:
    version: int  # the progress version this write made
    item: ExerciseProgress  # the exercise as this write left it
    set_id: uuid.UUID | None  # the set it logged (logSet)
    replayed: bool  # True: a replay, answered from the first call; nothing written


@dataclass(frozen=True, slots=True)
class Device:
    """Who writes: the client's id for this write and the device it comes from."""

    client_id: uuid.UUID
    name: str


async def _open(
    session: AsyncSession, viewer: Viewer, device: Device, session_id: uuid.UUID, kind: str,
    base_version: int | None = None,
) -> tuple[Row, Written | None]:
    """The session's progress, locked after the session itself (the viewer may act on it; it must be in
    progress), and the first call's answer when this write is a replay: the progress and the replay key are
    read in one statement. A write based on a version (`base_version`) other than the current one is a
    ProgressConflict; a replay answers first, whatever the version is now."""
    row = await training.locked(session, viewer, session_id)
    stmt = (
        select(live.progress, client_writes.c.session_id.label("replay_session"),
               client_writes.c.kind.label("replay_kind"), client_writes.c.result.label("replay_result"))
        .outerjoin(client_writes, and_(client_writes.c.athlete_id == viewer.id,
                                       client_writes.c.client_id == device.client_id))
        .where(live.progress.c.session_id == session_id)
        .with_for_update(of=live.progress)
    )
    current = (await session.execute(stmt)).first()
    if row.status is not SessionStatus.IN_PROGRESS or current is None:
        raise training.TransitionRefused(row.status, SessionStatus.IN_PROGRESS)
    if current.replay_kind is None:
        if base_version is not None and base_version != current.version:
            raise ProgressConflict(current, base_version)
        return current, None
    if current.replay_session != session_id or current.replay_kind != kind:
        raise InvalidInput("this clientId was used for another write", field="input.clientId")
    result = current.replay_result
    set_id = result.get("set_id")
    return current, Written(result["version"], ExerciseProgress.model_validate(result["item"]),
                            uuid.UUID(set_id) if set_id else None, replayed=True)


def _item(current: Row, position: int) -> ExerciseProgress:
    for item in current.items.items:
        if item.position == position:
            return item
    raise NotFound(f"no exercise at position {position}", field="input.position")


async def _store(
    session: AsyncSession, viewer: Viewer, device: Device, current: Row, item: ExerciseProgress, kind: str,
    now: datetime, logged: dict[str, Any] | None = None,
) -> Written:
    """The new progress, the replay key with this answer, and the logged set if any: one statement
    (data-modifying CTEs), in the caller's transaction."""
    items = ProgressItems(items=[item if i.position == item.position else i for i in current.items.items])
    version = current.version + 1
    set_id = logged["id"] if logged else None
    result = {"version": version, "item": item.model_dump(mode="json"), "set_id": str(set_id) if set_id else None}
    writes = [
        update(live.progress).where(live.progress.c.id == current.id)
        .values(version=version, items=items, last_device=device.name, last_written_at=now)
        .returning(live.progress.c.id).cte("progress_written"),
        insert(client_writes).values(
            athlete_id=viewer.id, client_id=device.client_id, session_id=current.session_id, kind=kind, result=result,
        ).returning(client_writes.c.client_id).cte("replay_key_written"),
    ]
    if logged is not None:
        writes.append(insert(live.sets).values(**logged).returning(live.sets.c.id).cte("set_written"))
    # Data-modifying CTEs run once and completely whatever the outer query reads; it reads each to keep them.
    await session.execute(select(*(select(func.count()).select_from(cte).scalar_subquery() for cte in writes)))
    return Written(version, item, set_id, replayed=False)


@dataclass(frozen=True, slots=True)
class SetDone:
    position: int
    reps: int | None = None
    load_kg: float | None = None
    duration_seconds: int | None = None
    rpe: float | None = None


def _check_set(done: SetDone) -> None:
    problems = []
    if done.reps is not None and not 0 <= done.reps <= 1000:
        problems.append(InvalidInput("reps must be 0 to 1000", field="input.reps"))
    if done.load_kg is not None and not 0 <= done.load_kg <= 1000:
        problems.append(InvalidInput("loadKg must be 0 to 1000", field="input.loadKg"))
    if done.duration_seconds is not None and not 0 <= done.duration_seconds <= 86400:
        problems.append(InvalidInput("durationSeconds must be 0 to 86400", field="input.durationSeconds"))
    if done.rpe is not None and not 1 <= done.rpe <= 10:
        problems.append(InvalidInput("rpe must be 1 to 10", field="input.rpe"))
    if done.reps is None and done.duration_seconds is None:
        problems.append(InvalidInput("a set needs reps or durationSeconds", field="input.reps"))
    raise_problems(problems)


async def log_set(
    session: AsyncSession, viewer: Viewer, device: Device, session_id: uuid.UUID, done: SetDone, now: datetime
) -> Written:
    """A set done: a row of its own, and the exercise's data (standard exercises) counts it."""
    _check_set(done)
    current, replayed = await _open(session, viewer, device, session_id, "log_set")
    if replayed is not None:
        return replayed
    item = _item(current, done.position)
    logged = {
        "id": uuid.uuid4(), "session_id": session_id, "athlete_id": current.athlete_id, "position": done.position,
        "exercise_name": item.exercise_name, "reps": done.reps, "load_kg": done.load_kg,
        "duration_seconds": done.duration_seconds, "rpe": done.rpe, "device": device.name,
        "client_id": device.client_id, "logged_at": now,
    }
    changes: dict[str, Any] = {}
    if item.status is ExerciseStatus.NOT_STARTED:
        changes["status"] = ExerciseStatus.IN_PROGRESS
    if isinstance(item.data, StandardData) and item.data.sets_completed < 100:
        data = item.data
        changes["data"] = data.model_copy(update={
            "sets_completed": data.sets_completed + 1,
            "reps_per_set": [*data.reps_per_set, done.reps or 0],
            "load_kg": done.load_kg if done.load_kg is not None else data.load_kg,
            "rpe": done.rpe if done.rpe is not None else data.rpe,
        })
    return await _store(session, viewer, device, current, item.model_copy(update=changes), "log_set", now, logged)


async def save_exercise(
    session: AsyncSession, viewer: Viewer, device: Device, session_id: uuid.UUID, position: int,
    base_version: int, fields: dict[str, Any], now: datetime,
) -> Written:
    """Replace an exercise's data (of its type: changing the data's type changes the exercise's), notes and
    video references, based on the progress version the device saw."""
    current, replayed = await _open(session, viewer, device, session_id, "save_exercise", base_version)
    if replayed is not None:
        return replayed
    item = _item(current, position)
    merged = {**item.model_dump(), **fields}
    if "data" in fields:
        merged["type"] = fields["data"]["type"]
    try:
        updated = ExerciseProgress.model_validate(merged)
    except PydanticError as exc:
        raise_problems(problems_of(exc, "input"))
    return await _store(session, viewer, device, current, updated, "save_exercise", now)


async def set_status(
    session: AsyncSession, viewer: Viewer, device: Device, session_id: uuid.UUID, position: int,
    base_version: int, status: ExerciseStatus, now: datetime,
) -> Written:
    current, replayed = await _open(session, viewer, device, session_id, "set_status", base_version)
    if replayed is not None:
        return replayed
    item = _item(current, position)
    return await _store(session, viewer, device, current, item.model_copy(update={"status": status}), "set_status", now)
