"""Training a session live on several devices: attempts, progress (the source of truth), sets, recovery."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry import Info

from trainforge.models import live as models
from trainforge.models.live_content import ExerciseStatus as ExerciseStatusModel
from trainforge.resolvers import live as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context, PublicError
from trainforge.schema.errors import MutationError, to_mutation_errors
from trainforge.schema.live_content import ExerciseDataInput, ExerciseProgress, ExerciseStatus, ProgressSummary
from trainforge.schema.training import TrainingSession
from trainforge.services import live, progress

AttemptStatus = strawberry.enum(models.AttemptStatus)


@strawberry.type(description="One start of the session on a device: when, where, how far. No exercise data.")
class SessionAttempt:
    id: strawberry.ID
    device: str
    status: AttemptStatus
    started_at: datetime
    ended_at: datetime | None = strawberry.field(description="Set when it was completed, or when another start "
                                                 "(on this or another device) took over.")
    duration_seconds: int | None
    exercises_completed: int
    total_exercises: int
    rest_period_seconds: int | None


@strawberry.type(description="One set as done, from a device.")
class LoggedSet:
    id: strawberry.ID
    position: int = strawberry.field(description="The exercise's position in the progress.")
    exercise_name: str
    reps: int | None
    load_kg: float | None
    duration_seconds: int | None
    rpe: float | None
    device: str
    client_id: strawberry.ID
    logged_at: datetime


@strawberry.type(description="The session's progress: the source of truth while training, one per session.")
class SessionProgress:
    version: int = strawberry.field(description="Grows by one with every write.")
    last_device: str | None
    last_written_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def exercises(self) -> list[ExerciseProgress]:
        return self.items.items  # type: ignore[attr-defined]

    @strawberry.field
    def summary(self) -> ProgressSummary:
        counts = live.summary(self.items)  # type: ignore[attr-defined]
        return ProgressSummary(total=counts.total, completed=counts.completed, in_progress=counts.in_progress,
                               skipped=counts.skipped)

    @strawberry.field(description="Every set logged, by exercise position then time.")
    async def sets(self, info: Info[Context, None]) -> list[LoggedSet]:
        return await info.context.loaders.sets.load(self.session_id)  # type: ignore[attr-defined]


@strawberry.type(description="Where a device was in the session, to resume from.")
class SessionCursor:
    device: str
    exercise_position: int
    set_number: int
    state: str | None = strawberry.field(description="The client's own state, opaque here (at most 64 KB).")
    updated_at: datetime


@strawberry.type(description="The viewer's session in progress, written to in the last 24 hours.")
class ActiveSession:
    session: TrainingSession
    cursor: SessionCursor | None
    progress: SessionProgress | None
    other_device_active: bool = strawberry.field(
        description="Another device wrote in the last minute: this one may be behind; reload before writing."
    )


@strawberry.type
class WorkoutPayload:
    session: TrainingSession | None
    attempt: SessionAttempt | None
    progress: SessionProgress | None
    errors: list[MutationError]


@strawberry.type
class ProgressWritePayload:
    version: int | None = strawberry.field(description="The progress version this write made (on a replay: the "
                                           "one the first call made).")
    exercise: ExerciseProgress | None = strawberry.field(description="The exercise as this write left it.")
    replayed: bool = strawberry.field(description="A replay of a write already made: nothing was written.")
    errors: list[MutationError]
    set_id: strawberry.Private[uuid.UUID | None]
    session_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The set logSet logged.")
    async def set(self, info: Info[Context, None]) -> LoggedSet | None:
        return None if self.set_id is None else await info.context.loaders.logged_set.load(self.set_id)

    @strawberry.field(description="The progress as it is now.")
    async def progress(self, info: Info[Context, None]) -> SessionProgress | None:
        return None if self.session_id is None else await info.context.loaders.progress.load(self.session_id)


@strawberry.type
class SessionCursorPayload:
    cursor: SessionCursor | None
    errors: list[MutationError]


def _write_payload(outcome, session_id: uuid.UUID) -> ProgressWritePayload:  # noqa: ANN001
    done = outcome.value
    return ProgressWritePayload(
        version=done.version if done else None, exercise=done.item if done else None,
        replayed=bool(done and done.replayed), errors=to_mutation_errors(outcome.errors),
        set_id=done.set_id if done else None, session_id=session_id if done else None,
    )


@strawberry.input
class WriteInput:
    client_id: strawberry.ID = strawberry.field(description="A UUID the client makes per write: a replay of the "
                                                "same write (same clientId) changes nothing and answers the same.")
    session_id: strawberry.ID
    device: str


def _device(input: WriteInput) -> tuple[progress.Device, uuid.UUID]:
    device = input.device.strip()
    if not 1 <= len(device) <= 120:
        raise PublicError("device must be 1 to 120 characters", "BAD_USER_INPUT", field="input.device")
    client_id = parse_id(input.client_id, "input.clientId")
    return progress.Device(client_id, device), parse_id(input.session_id, "input.sessionId")


@strawberry.input
class LogSetInput(WriteInput):
    position: int
    reps: int | None = None
    load_kg: float | None = None
    duration_seconds: int | None = None
    rpe: float | None = None


@strawberry.input
class SaveExerciseProgressInput(WriteInput):
    position: int
    base_version: int = strawberry.field(description="The progress version the device saw.")
    data: ExerciseDataInput | None = None
    notes: str | None = strawberry.UNSET
    video_refs: list[str] | None = None


@strawberry.input
class SetExerciseStatusInput(WriteInput):
    position: int
    base_version: int
    status: ExerciseStatus


@strawberry.input
class SaveSessionCursorInput:
    session_id: strawberry.ID
    device: str
    exercise_position: int
    set_number: int
    state: str | None = None


def _workout_payload(outcome) -> WorkoutPayload:  # noqa: ANN001
    done = outcome.value
    return WorkoutPayload(
        session=done.session if done else None, attempt=done.attempt if done else None,
        progress=done.progress if done else None, errors=to_mutation_errors(outcome.errors),
    )


@strawberry.type
class LiveQuery:
    @strawberry.field(description="The viewer's session in progress written to in the last 24 hours (the newest), "
                      "with its cursor and progress; null when there is none.")
    async def active_session(self, info: Info[Context, None], device: str | None = None) -> ActiveSession | None:
        found = await resolve.active_session(info.context, device)
        if found is None:
            return None
        return ActiveSession(session=found.session, cursor=found.cursor, progress=found.progress,
                             other_device_active=found.other_device_active)


@strawberry.type
class LiveMutation:
    @strawberry.mutation(description="Start the session on a device: a new attempt. A SCHEDULED session goes "
                         "IN_PROGRESS and gets its progress; one already in progress keeps it.")
    async def start_workout(
        self, info: Info[Context, None], session_id: strawberry.ID, device: str, rest_period_seconds: int | None = None
    ) -> WorkoutPayload:
        outcome = await resolve.start(info.context, parse_id(session_id, "sessionId"), device, rest_period_seconds)
        return _workout_payload(outcome)

    @strawberry.mutation(description="The latest attempt and the progress with everything saved (writes nothing).")
    async def resume_workout(self, info: Info[Context, None], session_id: strawberry.ID) -> WorkoutPayload:
        outcome = await resolve.resume(info.context, parse_id(session_id, "sessionId"))
        found = outcome.value
        return WorkoutPayload(
            session=found[0] if found else None, attempt=found[1] if found else None,
            progress=found[2] if found else None, errors=to_mutation_errors(outcome.errors),
        )

    @strawberry.mutation(description="In one transaction: the session COMPLETED, its performance log filled from "
                         "the progress and the sets, the attempt closed. Completing twice is an error.")
    async def complete_workout(self, info: Info[Context, None], session_id: strawberry.ID) -> WorkoutPayload:
        return _workout_payload(await resolve.complete(info.context, parse_id(session_id, "sessionId")))

    @strawberry.mutation(description="Log a set done. Sets from two devices are both kept; a replay (same "
                         "clientId) logs nothing more.")
    async def log_set(self, info: Info[Context, None], input: LogSetInput) -> ProgressWritePayload:
        device, session_id = _device(input)
        done = progress.SetDone(input.position, input.reps, input.load_kg, input.duration_seconds, input.rpe)
        return _write_payload(await resolve.log_set(info.context, device, session_id, done), session_id)

    @strawberry.mutation(description="Save an exercise's data, notes or video references, based on baseVersion: "
                         "an older one is a ConflictError holding the current progress.")
    async def save_exercise_progress(
        self, info: Info[Context, None], input: SaveExerciseProgressInput
    ) -> ProgressWritePayload:
        device, session_id = _device(input)
        fields: dict = {}
        if input.data is not None:
            fields["data"] = input.data.to_fields()
        if input.notes is not strawberry.UNSET:
            fields["notes"] = input.notes
        if input.video_refs is not None:
            fields["video_refs"] = input.video_refs
        outcome = await resolve.save_exercise(info.context, device, session_id, input.position, input.base_version, fields)
        return _write_payload(outcome, session_id)

    @strawberry.mutation(description="Set an exercise's status, based on baseVersion (see saveExerciseProgress).")
    async def set_exercise_status(self, info: Info[Context, None], input: SetExerciseStatusInput) -> ProgressWritePayload:
        device, session_id = _device(input)
        status = ExerciseStatusModel(input.status)
        outcome = await resolve.set_status(info.context, device, session_id, input.position, input.base_version, status)
        return _write_payload(outcome, session_id)

    @strawberry.mutation(description="Where this device is in the session (the last write wins).")
    async def save_session_cursor(self, info: Info[Context, None], input: SaveSessionCursorInput) -> SessionCursorPayload:
        outcome = await resolve.save_cursor(
            info.context, parse_id(input.session_id, "input.sessionId"), input.device, input.exercise_position,
            input.set_number, input.state,
        )
        return SessionCursorPayload(cursor=outcome.value, errors=to_mutation_errors(outcome.errors))
