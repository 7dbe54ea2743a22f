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
from sqlalchemy import Row, insert, select, update
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


async def _replay(session: AsyncSession, viewer: Viewer, device: Device, session_id: uuid.UUID, kind: str) -> Written | None:
    stmt = select(client_writes).where(
        client_writes.c.athlete_id == viewer.id, client_writes.c.client_id == device.client_id
    )
    found = (await session.execute(stmt)).first()
    if found is None:
        return None
    if found.session_id != session_id or found.kind != kind:
        raise InvalidInput("this clientId was used for another write", field="input.clientId")
    result = found.result
    set_id = result.get("set_id")
    return Written(result["version"], ExerciseProgress.model_validate(result["item"]),
                   uuid.UUID(set_id) if set_id else None, replayed=True)


async def _open(session: AsyncSession, viewer: Viewer, session_id: uuid.UUID) -> tuple[Row, Row]:
    """The session (locked; the viewer may act on it) and its progress (locked); both needed in progress."""
    row = await training.locked(session, viewer, session_id)
    current = await live.locked_progress(session, session_id)
    if row.status is not SessionStatus.IN_PROGRESS or current is None:
        raise training.TransitionRefused(row.status, SessionStatus.IN_PROGRESS)
    return row, current


def _item(current: Row, position: int) -> ExerciseProgress:
    for item in current.items.items:
        if item.position == position:
            return item
    raise NotFound(f"no exercise at position {position}", field="input.position")


async def _store(
    session: AsyncSession, viewer: Viewer, device: Device, current: Row, item: ExerciseProgress, kind: str,
    now: datetime, set_id: uuid.UUID | None = None,
) -> Written:
    items = ProgressItems(items=[item if i.position == item.position else i for i in current.items.items])
    version = current.version + 1
    await session.execute(
        update(live.progress).where(live.progress.c.id == current.id)
        .values(version=version, items=items, last_device=device.name, last_written_at=now)
    )
    result = {"version": version, "item": item.model_dump(mode="json"), "set_id": str(set_id) if set_id else None}
    await session.execute(insert(client_writes).values(
        athlete_id=viewer.id, client_id=device.client_id, session_id=current.session_id, kind=kind, result=result,
    ))
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
    _, current = await _open(session, viewer, session_id)
    replayed = await _replay(session, viewer, device, session_id, "log_set")
    if replayed is not None:
        return replayed
    item = _item(current, done.position)
    set_id = uuid.uuid4()
    await session.execute(insert(live.sets).values(
        id=set_id, session_id=session_id, athlete_id=current.athlete_id, position=done.position,
        exercise_name=item.exercise_name, reps=done.reps, load_kg=done.load_kg,
        duration_seconds=done.duration_seconds, rpe=done.rpe, device=device.name, client_id=device.client_id,
        logged_at=now,
    ))
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
    return await _store(session, viewer, device, current, item.model_copy(update=changes), "log_set", now, set_id)


async def save_exercise(
    session: AsyncSession, viewer: Viewer, device: Device, session_id: uuid.UUID, position: int,
    base_version: int, fields: dict[str, Any], now: datetime,
) -> Written:
    """Replace an exercise's data (of its type: changing the data's type changes the exercise's), notes and
    video references, based on the progress version the device saw."""
    _, current = await _open(session, viewer, session_id)
    replayed = await _replay(session, viewer, device, session_id, "save_exercise")
    if replayed is not None:
        return replayed
    if base_version != current.version:
        raise ProgressConflict(current, base_version)
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
    _, current = await _open(session, viewer, session_id)
    replayed = await _replay(session, viewer, device, session_id, "set_status")
    if replayed is not None:
        return replayed
    if base_version != current.version:
        raise ProgressConflict(current, base_version)
    item = _item(current, position)
    return await _store(session, viewer, device, current, item.model_copy(update={"status": status}), "set_status", now)
