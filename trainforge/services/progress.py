"""Writes to a session's progress from devices: replay-safe, versioned.

Every write carries a client-generated id. The first call stores what it
answered under that id (client_writes) in the same statement as the write;
a replay (an offline queue flushed twice, a retry after a timeout) finds it
and answers the same, writing nothing. Each write bumps the progress version;
saving an exercise or its status based on another version is refused with the
current state (`ProgressConflict`). Logged sets take no version: two devices
logging at once log two different sets, and both are kept.

A write is two statements on an autocommit connection, with no transaction
around them: a plain read, then one statement (data-modifying CTEs) that
writes the progress, the replay key and the set only if the progress is still
at the version read and the session still in progress. When it is not
(another write came in between) the write starts again from the read, which
then finds the replay, a conflict or the newer version. Each statement commits
on its own, so an answered write is durable; BEGIN and COMMIT would put two
more round trips on the way from a device to every watcher.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError as PydanticError
from sqlalchemy import Row, Select, Uuid, and_, bindparam, exists, func, insert, select, update

from trainforge.db import Executor
from trainforge.models.live import ClientWrite
from trainforge.models.live_content import ExerciseProgress, ExerciseStatus, ProgressItems, StandardData
from trainforge.models.training import SessionStatus
from trainforge.services import live, programs, training
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


# The statements of a write, built once with bound parameters: SQLAlchemy neither rebuilds them nor
# recomputes their cache keys on each call (about 1 ms of a write's time on the way to every subscriber).
# No parameter is named after a column the statement writes: SQLAlchemy would add it to the SET clause.
_sessions, _progress = training.sessions, live.progress
_viewer = bindparam("viewer_id", type_=Uuid())

# The progress with its session's status (a session the viewer may read), and the replay key if this write
# is a replay.
_OPEN = (
    select(_progress, _sessions.c.status.label("session_status"),
           client_writes.c.session_id.label("replay_session"), client_writes.c.kind.label("replay_kind"),
           client_writes.c.result.label("replay_result"))
    .select_from(_sessions)
    .join(_progress, _progress.c.session_id == _sessions.c.id)
    .outerjoin(client_writes, and_(client_writes.c.athlete_id == _viewer,
                                   client_writes.c.client_id == bindparam("write_client", type_=Uuid())))
    .where(_sessions.c.id == bindparam("write_session", type_=Uuid()),
           programs.athlete_readable_by(_viewer, _sessions.c.athlete_id))
)


def _writes(with_set: bool) -> Select:
    """The new progress if it is still at the version read ($old_version) and its session in progress; then,
    only if it was written, the replay key with the write's answer and, with_set, the logged set
    ($set_<column>). Data-modifying CTEs run once and completely whatever the outer query reads; it reads
    how many progress rows were written (0: start again)."""
    still_in_progress = exists().where(_sessions.c.id == _progress.c.session_id,
                                       _sessions.c.status == SessionStatus.IN_PROGRESS)
    written = (
        update(_progress)
        .where(_progress.c.id == bindparam("progress_id"), _progress.c.version == bindparam("old_version"),
               still_in_progress)
        .values(version=bindparam("new_version"), items=bindparam("new_items", type_=_progress.c["items"].type),
                last_device=bindparam("device_name"),
                last_written_at=bindparam("written_at", type_=_progress.c.last_written_at.type))
        .returning(_progress.c.id).cte("progress_written")
    )
    replay_key = {"athlete_id": _viewer, "client_id": bindparam("write_client", type_=Uuid()),
                  "session_id": bindparam("write_session", type_=Uuid()),
                  "kind": bindparam("write_kind", type_=client_writes.c.kind.type),
                  "result": bindparam("write_result", type_=client_writes.c.result.type)}
    ctes = [written, insert(client_writes).from_select(
        list(replay_key), select(*replay_key.values()).select_from(written)
    ).returning(client_writes.c.client_id).cte("replay_key_written")]
    if with_set:
        columns = list(live.sets.c)
        ctes.append(insert(live.sets).from_select(
            [c.name for c in columns], select(*(bindparam(f"set_{c.name}", type_=c.type) for c in columns))
            .select_from(written)
        ).returning(live.sets.c.id).cte("set_written"))
    return select(*(select(func.count()).select_from(cte).scalar_subquery() for cte in ctes))


_STORE, _STORE_WITH_SET = _writes(with_set=False), _writes(with_set=True)


async def _open(
    db: Executor, viewer: Viewer, device: Device, session_id: uuid.UUID, kind: str,
    base_version: int | None = None,
) -> tuple[Row, Written | None]:
    """The session's progress (the viewer may act on it; it must be in progress) and the first call's answer
    when this write is a replay, read in one statement. A write based on a version (`base_version`) other
    than the current one is a ProgressConflict; a replay answers first, whatever the version is now."""
    current = (await db.execute(_OPEN, {"write_session": session_id, "viewer_id": viewer.id,
                                              "write_client": device.client_id})).first()
    if current is None or not await programs.may_plan_for(db, viewer, current.athlete_id):
        row = await training.locked(db, viewer, session_id)  # NotFound, or a session with no progress yet
        raise training.TransitionRefused(row.status, SessionStatus.IN_PROGRESS)
    if current.session_status is not SessionStatus.IN_PROGRESS:
        raise training.TransitionRefused(current.session_status, SessionStatus.IN_PROGRESS)
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
    db: Executor, viewer: Viewer, device: Device, current: Row, item: ExerciseProgress, kind: str,
    now: datetime, logged: dict[str, Any] | None = None,
) -> Written | None:
    """The new progress, the replay key with this answer, and the logged set if any: one statement. None
    when the progress is no longer at the version read (or the session no longer in progress)."""
    items = ProgressItems(items=[item if i.position == item.position else i for i in current.items.items])
    version = current.version + 1
    set_id = logged["id"] if logged else None
    result = {"version": version, "item": item.model_dump(mode="json"), "set_id": str(set_id) if set_id else None}
    values = {"progress_id": current.id, "old_version": current.version, "new_version": version,
              "new_items": items, "device_name": device.name, "written_at": now, "viewer_id": viewer.id,
              "write_client": device.client_id, "write_session": current.session_id, "write_kind": kind,
              "write_result": result}
    if logged is None:
        counts = (await db.execute(_STORE, values)).one()
    else:
        counts = (await db.execute(_STORE_WITH_SET, values | {f"set_{k}": v for k, v in logged.items()})).one()
    return Written(version, item, set_id, replayed=False) if counts[0] else None


# Reads and writes of one call while other writes keep coming in between. Each round one of the racing
# writes goes through, so twenty devices at once all get theirs within twenty; a short random pause
# spreads the ones that lost.
MAX_ATTEMPTS = 50


async def _write(
    db: Executor, viewer: Viewer, device: Device, session_id: uuid.UUID, kind: str, base_version: int | None,
    now: datetime, change: Callable[[Row], tuple[ExerciseProgress, dict[str, Any] | None]],
) -> Written:
    """Read, apply `change` (the new item and the set to log, if any), write; again when another write came
    in between (the read then finds the replay, the conflict or the newer version)."""
    for attempt in range(MAX_ATTEMPTS):
        current, replayed = await _open(db, viewer, device, session_id, kind, base_version)
        if replayed is not None:
            return replayed
        item, logged = change(current)
        written = await _store(db, viewer, device, current, item, kind, now, logged)
        if written is not None:
            return written
        await asyncio.sleep(random.uniform(0, 0.001 * min(attempt + 1, 10)))
    raise Conflict("the progress kept changing while this write was made; send it again", field="input.sessionId")


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


async def log_set(db: Executor, viewer: Viewer, device: Device, session_id: uuid.UUID, done: SetDone, now: datetime) -> Written:
    """A set done: a row of its own, and the exercise's data (standard exercises) counts it."""
    _check_set(done)

    def change(current: Row) -> tuple[ExerciseProgress, dict[str, Any]]:
        item = _item(current, done.position)
        logged = {
            "id": uuid.uuid4(), "session_id": session_id, "athlete_id": current.athlete_id,
            "position": done.position, "exercise_name": item.exercise_name, "reps": done.reps,
            "load_kg": done.load_kg, "duration_seconds": done.duration_seconds, "rpe": done.rpe,
            "device": device.name, "client_id": device.client_id, "logged_at": now,
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
        return item.model_copy(update=changes), logged

    return await _write(db, viewer, device, session_id, "log_set", None, now, change)


async def save_exercise(
    db: Executor, viewer: Viewer, device: Device, session_id: uuid.UUID, position: int,
    base_version: int, fields: dict[str, Any], now: datetime,
) -> Written:
    """Replace an exercise's data (of its type: changing the data's type changes the exercise's), notes and
    video references, based on the progress version the device saw."""

    def change(current: Row) -> tuple[ExerciseProgress, None]:
        merged = {**_item(current, position).model_dump(), **fields}
        if "data" in fields:
            merged["type"] = fields["data"]["type"]
        try:
            return ExerciseProgress.model_validate(merged), None
        except PydanticError as exc:
            raise_problems(problems_of(exc, "input"))
            raise

    return await _write(db, viewer, device, session_id, "save_exercise", base_version, now, change)


async def set_status(
    db: Executor, viewer: Viewer, device: Device, session_id: uuid.UUID, position: int,
    base_version: int, status: ExerciseStatus, now: datetime,
) -> Written:
    def change(current: Row) -> tuple[ExerciseProgress, None]:
        return _item(current, position).model_copy(update={"status": status}), None

    return await _write(db, viewer, device, session_id, "set_status", base_version, now, change)
