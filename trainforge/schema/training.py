"""Training sessions (the one execution record), their status mutations, and the calendar."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from trainforge.models import training as models
from trainforge.models.programs import WorkoutStatus as WorkoutStatusModel
from trainforge.resolvers import heart_rate as resolve_heart_rate
from trainforge.resolvers import training as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context
from trainforge.schema import tables
from trainforge.schema.accounts import User
from trainforge.schema.errors import MutationError, to_mutation_errors
from trainforge.schema.heart_rate import HeartRatePoint, HeartRateSeries, HeartRateSummary
from trainforge.schema.pagination import Connection, connection
from trainforge.schema.programs import Workout, WorkoutStatus
from trainforge.schema.training_content import (
    PerformanceLog,
    PerformanceLogInput,
    PlanSource,
    SessionKind,
    SessionStatus,
    WorkoutSnapshot,
    plain,
)
from trainforge.services import calendar, training

if TYPE_CHECKING:
    from trainforge.schema.endurance import EnduranceTemplate
    from trainforge.schema.live import SessionAttempt, SessionProgress
    from trainforge.schema.routines import Routine, RoutineAssignment, RoutineVersion

# schema.routines returns sessions (an assignment's): import lazily back.
LazyRoutine = Annotated["Routine", strawberry.lazy("trainforge.schema.routines")]
LazyRoutineVersion = Annotated["RoutineVersion", strawberry.lazy("trainforge.schema.routines")]
LazyAssignment = Annotated["RoutineAssignment", strawberry.lazy("trainforge.schema.routines")]
# schema.live builds on sessions.
LazyAttempt = Annotated["SessionAttempt", strawberry.lazy("trainforge.schema.live")]
LazyEnduranceTemplate = Annotated["EnduranceTemplate", strawberry.lazy("trainforge.schema.endurance")]
LazyProgress = Annotated["SessionProgress", strawberry.lazy("trainforge.schema.live")]


@strawberry.type(description="What an athlete does, or is to do, on a day: the one execution record, whatever "
                 "the plan comes from.")
class TrainingSession:
    id: strawberry.ID
    source: PlanSource
    scheduled_date: date = strawberry.field(name="date")
    scheduled_time: time | None = strawberry.field(name="time", description="Local time of day, if one was set.")
    kind: SessionKind
    status: SessionStatus
    started_at: datetime | None
    completed_at: datetime | None
    duration_seconds: int | None
    notes: str | None
    workout_snapshot: WorkoutSnapshot = strawberry.field(
        description="The planned workout, copied when the session was scheduled; never changes."
    )
    performance_log: PerformanceLog | None = strawberry.field(description="What was done; set on completion.")
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Whose session it is.")
    async def athlete(self, info: Info[Context, None]) -> User:
        return await info.context.loaders.user.load(self.athlete_id)

    @strawberry.field(description="The program workout it executes (source PROGRAM_WORKOUT).")
    async def workout(self, info: Info[Context, None]) -> Workout | None:
        if self.program_workout_id is None:
            return None
        return await info.context.loaders.workout.load(self.program_workout_id)

    @strawberry.field(description="The routine it comes from (source ROUTINE_ASSIGNMENT).")
    async def routine(self, info: Info[Context, None]) -> LazyRoutine | None:
        if self.routine_id is None:
            return None
        return await info.context.loaders.routine.load(self.routine_id)

    @strawberry.field(description="The routine version its snapshot was taken from.")
    async def routine_version(self, info: Info[Context, None]) -> LazyRoutineVersion | None:
        if self.routine_version_id is None:
            return None
        return await info.context.loaders.routine_version.load(self.routine_version_id)

    @strawberry.field(description="The endurance template it was made from (source ENDURANCE_TEMPLATE); null "
                      "once the template is deleted (the snapshot keeps its steps).")
    async def endurance_template(self, info: Info[Context, None]) -> LazyEnduranceTemplate | None:
        if self.endurance_template_id is None:
            return None
        return await info.context.loaders.endurance_template.load(self.endurance_template_id)

    @strawberry.field(description="The heart-rate samples averaged per bucket (1-3600 s; wider when the session "
                      "would give more than 2,000 points), for charts.")
    async def heart_rate_series(self, info: Info[Context, None], bucket_seconds: int = 5) -> HeartRateSeries:
        bucket, points = await resolve_heart_rate.series(info.context, self.id, bucket_seconds)
        return HeartRateSeries(bucket_seconds=bucket, points=[HeartRatePoint(
            at=p.at, avg=p.avg, min=p.min, max=p.max, samples=p.samples) for p in points])

    @strawberry.field(description="What the heart-rate samples say so far (null without samples); a completed "
                      "session also keeps it in its performance log.")
    async def heart_rate_summary(self, info: Info[Context, None]) -> HeartRateSummary | None:
        return await resolve_heart_rate.summary(info.context, self.id, self.athlete_id)  # type: ignore[return-value]

    @strawberry.field(description="Every start on a device, oldest first.")
    async def attempts(self, info: Info[Context, None]) -> list[LazyAttempt]:
        return await info.context.loaders.attempts.load(self.id)

    @strawberry.field(description="The progress while training (from the first start on); null before.")
    async def progress(self, info: Info[Context, None]) -> LazyProgress | None:
        return await info.context.loaders.progress.load(self.id)

    @strawberry.field(description="The assignment that scheduled it.")
    async def assignment(self, info: Info[Context, None]) -> LazyAssignment | None:
        if self.assignment_id is None:
            return None
        return await info.context.loaders.assignment.load(self.assignment_id)


@strawberry.type(description="A day's item on an athlete's calendar: a training session, or a program workout "
                 "not yet scheduled (status PLANNED, no session).")
class CalendarEntry:
    id: strawberry.ID = strawberry.field(description="The session's id, or the workout's when it has no session.")
    day: date = strawberry.field(name="date")
    at: time | None = strawberry.field(name="time")
    name: str
    kind_value: strawberry.Private[str]
    status_value: strawberry.Private[str]
    athlete_id: strawberry.Private[object]
    session_id: strawberry.Private[object]
    workout_id: strawberry.Private[object]

    @strawberry.field
    def kind(self) -> SessionKind:
        return models.SessionKind(self.kind_value)

    @strawberry.field
    def status(self) -> WorkoutStatus:
        return WorkoutStatusModel(self.status_value)

    @strawberry.field
    async def athlete(self, info: Info[Context, None]) -> User:
        return await info.context.loaders.user.load(self.athlete_id)

    @strawberry.field
    async def session(self, info: Info[Context, None]) -> TrainingSession | None:
        return None if self.session_id is None else await info.context.loaders.session.load(self.session_id)

    @strawberry.field
    async def workout(self, info: Info[Context, None]) -> Workout | None:
        return None if self.workout_id is None else await info.context.loaders.workout.load(self.workout_id)

    @classmethod
    def of(cls, row) -> CalendarEntry:  # noqa: ANN001
        return cls(
            id=strawberry.ID(str(row.id)), day=row.day, at=row.at, name=row.name, kind_value=row.kind,
            status_value=row.status, athlete_id=row.athlete_id, session_id=row.session_id, workout_id=row.workout_id,
        )


@strawberry.type
class SessionPayload:
    session: TrainingSession | None
    errors: list[MutationError]


@strawberry.input
class ScheduleWorkoutInput:
    workout_id: strawberry.ID
    time: time | None = strawberry.field(default=None, description="Local time of day.")
    start: bool = strawberry.field(default=False, description="Start it now (IN_PROGRESS) instead of scheduling it.")


@strawberry.input
class CompleteSessionInput:
    session_id: strawberry.ID
    performance_log: PerformanceLogInput
    started_at: datetime | None = strawberry.field(default=None, description="Defaults to when it was started.")
    completed_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    duration_seconds: int | None = strawberry.field(default=None, description="Defaults to completedAt - startedAt.")
    notes: str | None = None


def _payload(outcome) -> SessionPayload:  # noqa: ANN001
    return SessionPayload(session=outcome.value, errors=to_mutation_errors(outcome.errors))


@strawberry.type
class TrainingQuery:
    @strawberry.field(description="A session the viewer may read; null for unknown ids and other people's sessions.")
    async def session(self, info: Info[Context, None], id: strawberry.ID) -> TrainingSession | None:
        ctx, session_id = info.context, parse_id(id)
        return resolve.session_read(ctx, session_id) or await resolve.session(ctx, session_id)  # type: ignore[return-value]

    @strawberry.field(description="Everything planned or done between two dates (both included, at most 366 days), "
                      "programs and routines together, by date and time: the viewer's, or for a coach their "
                      "athletes' (all of them, or the one given).")
    async def calendar(
        self,
        info: Info[Context, None],
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        athlete_id: strawberry.ID | None = None,
        status: list[WorkoutStatus] | None = None,
        kind: list[SessionKind] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CalendarEntry]:
        ctx = info.context
        query = calendar.CalendarQuery(
            start=from_, end=to, athlete_id=parse_id(athlete_id, "athleteId") if athlete_id is not None else None,
            statuses=None if status is None else frozenset(status), kinds=None if kind is None else frozenset(kind),
        )
        page = await resolve.calendar_page(ctx, query, first, after)
        page = dataclasses.replace(page, rows=[CalendarEntry.of(row) for row in page.rows])
        return connection(
            page, lambda: resolve.calendar_count(ctx, query), lambda entry: (training.session_at(entry.day, entry.at), entry.id)
        )


@strawberry.type
class TrainingMutation:
    @strawberry.mutation(description="Give a program workout its session: SCHEDULED, or IN_PROGRESS with start. "
                         "A workout has one session at most.")
    async def schedule_workout(self, info: Info[Context, None], input: ScheduleWorkoutInput) -> SessionPayload:
        workout_id = parse_id(input.workout_id, "input.workoutId")
        return _payload(await resolve.schedule_workout(info.context, workout_id, input.time, input.start))

    @strawberry.mutation(description="DRAFT -> SCHEDULED.")
    async def schedule_session(self, info: Info[Context, None], session_id: strawberry.ID) -> SessionPayload:
        target = models.SessionStatus.SCHEDULED
        return _payload(await resolve.change_status(info.context, parse_id(session_id, "sessionId"), target))

    @strawberry.mutation(description="SCHEDULED -> IN_PROGRESS; startedAt is now.")
    async def start_session(self, info: Info[Context, None], session_id: strawberry.ID) -> SessionPayload:
        target = models.SessionStatus.IN_PROGRESS
        return _payload(await resolve.change_status(info.context, parse_id(session_id, "sessionId"), target))

    @strawberry.mutation(description="SCHEDULED -> SKIPPED, with an optional note.")
    async def skip_session(
        self, info: Info[Context, None], session_id: strawberry.ID, notes: str | None = None
    ) -> SessionPayload:
        target = models.SessionStatus.SKIPPED
        return _payload(await resolve.change_status(info.context, parse_id(session_id, "sessionId"), target, notes))

    @strawberry.mutation(description="SCHEDULED or IN_PROGRESS -> CANCELLED, with an optional note.")
    async def cancel_session(
        self, info: Info[Context, None], session_id: strawberry.ID, notes: str | None = None
    ) -> SessionPayload:
        target = models.SessionStatus.CANCELLED
        return _payload(await resolve.change_status(info.context, parse_id(session_id, "sessionId"), target, notes))

    @strawberry.mutation(description="IN_PROGRESS -> COMPLETED with the performance log sent whole "
                         "(e.g. from an app that logged offline).")
    async def complete_session(self, info: Info[Context, None], input: CompleteSessionInput) -> SessionPayload:
        done = training.Completion(
            performance_log=plain(input.performance_log), started_at=input.started_at,
            completed_at=input.completed_at, duration_seconds=input.duration_seconds, notes=input.notes,
        )
        return _payload(await resolve.complete(info.context, parse_id(input.session_id, "input.sessionId"), done))


# The tables behind the types above, for reads compiled into one SQL statement (schema/tables.py).
tables.table(
    "TrainingSession",
    models.TrainingSession.__table__,
    loader="session",
    athlete=tables.parent("User", "athlete_id"),
    workout=tables.parent("Workout", "program_workout_id"),
    routine=tables.parent("Routine", "routine_id"),
    routine_version=tables.parent("RoutineVersion", "routine_version_id"),
    assignment=tables.parent("RoutineAssignment", "assignment_id"),
    workout_snapshot=tables.content("WorkoutSnapshot", "workout_snapshot"),
    performance_log=tables.content("PerformanceLog", "performance_log"),
)
