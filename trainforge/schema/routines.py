"""Routines with immutable versions, and their assignments to athletes."""

from __future__ import annotations

from datetime import date, datetime, time

import strawberry
from strawberry import Info

from trainforge.models import routines as models
from trainforge.resolvers import routines as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context
from trainforge.schema import tables
from trainforge.schema.accounts import User
from trainforge.schema.errors import MutationError, to_mutation_errors
from trainforge.schema.generation import Weekday
from trainforge.schema.pagination import Connection, connection
from trainforge.schema.training import TrainingSession
from trainforge.schema.training_content import AssignmentStatus, RoutineType, Section, SectionInput, plain
from trainforge.services import assignments, routines, training
from trainforge.services.generation.types import Weekday as WeekdayModel

@strawberry.type(description="One immutable version of a routine: editing a routine adds a version.")
class RoutineVersion:
    id: strawberry.ID
    version: int = strawberry.field(description="1 for the first, then 2, 3...")
    name: str
    routine_type: RoutineType = strawberry.field(name="type")
    objective: str | None
    created_at: datetime

    @strawberry.field
    def sections(self) -> list[Section]:
        return self.content.sections  # type: ignore[attr-defined]

    @strawberry.field
    async def routine(self, info: Info[Context, None]) -> Routine:
        return await info.context.loaders.routine.load(self.routine_id)  # type: ignore[attr-defined]


@strawberry.type(description="A routine owned by a coach or an athlete; its content is in its versions.")
class Routine:
    id: strawberry.ID
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    async def owner(self, info: Info[Context, None]) -> User:
        return await info.context.loaders.user.load(self.owner_id)  # type: ignore[attr-defined]

    @strawberry.field(description="Every version, newest first.")
    async def versions(self, info: Info[Context, None]) -> list[RoutineVersion]:
        return await info.context.loaders.routine_versions.load(self.id)

    @strawberry.field(description="The newest version.")
    async def latest_version(self, info: Info[Context, None]) -> RoutineVersion:
        return (await info.context.loaders.routine_versions.load(self.id))[0]


@strawberry.type(description="A routine version given to an athlete on some weekdays; it scheduled their sessions.")
class RoutineAssignment:
    id: strawberry.ID
    start_date: date
    end_date: date | None = strawberry.field(description="Null: sessions were scheduled for the next weeks only "
                                              "(the server's assignment horizon).")
    status: AssignmentStatus
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The training weekdays, Monday first.")
    def weekdays(self) -> list[Weekday]:
        return [WeekdayModel(day) for day in self.weekdays]  # type: ignore[attr-defined]

    @strawberry.field(description="The time of each weekday (same order); null: any time.")
    def times(self) -> list[time | None]:
        return list(self.times)  # type: ignore[attr-defined]

    @strawberry.field
    async def athlete(self, info: Info[Context, None]) -> User:
        return await info.context.loaders.user.load(self.athlete_id)  # type: ignore[attr-defined]

    @strawberry.field(description="Who assigned it; null once that account is gone.")
    async def assigned_by(self, info: Info[Context, None]) -> User | None:
        if self.assigned_by_id is None:  # type: ignore[attr-defined]
            return None
        return await info.context.loaders.user.load(self.assigned_by_id)  # type: ignore[attr-defined]

    @strawberry.field
    async def routine(self, info: Info[Context, None]) -> Routine:
        return await info.context.loaders.routine.load(self.routine_id)  # type: ignore[attr-defined]

    @strawberry.field
    async def version(self, info: Info[Context, None]) -> RoutineVersion:
        return await info.context.loaders.routine_version.load(self.routine_version_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The assignment that replaced this one, if it was replaced.")
    async def replaced_by(self, info: Info[Context, None]) -> RoutineAssignment | None:
        if self.replaced_by_id is None:  # type: ignore[attr-defined]
            return None
        return await info.context.loaders.assignment.load(self.replaced_by_id)  # type: ignore[attr-defined]

    @strawberry.field(description="Its sessions in date order (those removed by a replacement are gone).")
    async def sessions(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[TrainingSession]:
        ctx = info.context
        page = await resolve.sessions_of_assignment(ctx, self.id, first, after)  # type: ignore[arg-type]
        return connection(page, lambda: resolve.session_count_of_assignment(ctx, self.id), _session_key)  # type: ignore[arg-type]


def _session_key(row) -> tuple:  # noqa: ANN001
    return training.session_at(row.scheduled_date, row.scheduled_time), row.id


@strawberry.input
class RoutineInput:
    name: str
    type: RoutineType
    objective: str | None = None
    sections: list[SectionInput] = strawberry.field(description="1 to 20; each with exercises or steps.")

    def to_fields(self) -> routines.RoutineFields:
        return routines.RoutineFields(self.name, self.type, self.objective, plain(self.sections))


@strawberry.input
class AssignRoutineInput:
    version_id: strawberry.ID = strawberry.field(description="A version of one of your routines.")
    athlete_id: strawberry.ID | None = strawberry.field(
        default=None, description="A linked athlete (coaches); omitted means the viewer."
    )
    start_date: date
    end_date: date | None = strawberry.field(default=None, description="Omitted: the server's horizon (12 weeks).")
    weekdays: list[Weekday]
    times: list[time] = strawberry.field(
        default_factory=list, description="None, one for every weekday, or one per weekday in the same order."
    )


@strawberry.input
class ReplaceAssignmentInput:
    assignment_id: strawberry.ID
    version_id: strawberry.ID = strawberry.field(description="The version to assign instead.")
    start_date: date | None = strawberry.field(default=None, description="Omitted: the old schedule, from today.")
    end_date: date | None = None
    weekdays: list[Weekday] | None = None
    times: list[time] = strawberry.field(default_factory=list)

    def schedule(self) -> assignments.Schedule | None:
        if self.start_date is None and self.weekdays is None:
            return None
        return _schedule(self.start_date, self.end_date, self.weekdays or [], self.times)


def _schedule(start: date | None, end: date | None, weekdays: list, times: list[time]) -> assignments.Schedule:  # noqa: ANN001
    return assignments.Schedule(start, end, [int(day) for day in weekdays], list(times))


@strawberry.type
class RoutinePayload:
    routine: Routine | None
    errors: list[MutationError]


@strawberry.type
class AssignRoutinePayload:
    assignment: RoutineAssignment | None
    sessions: list[TrainingSession] = strawberry.field(description="The sessions it scheduled, by date.")
    errors: list[MutationError]


@strawberry.type
class ReplaceAssignmentPayload:
    assignment: RoutineAssignment | None = strawberry.field(description="The new assignment.")
    replaced: RoutineAssignment | None = strawberry.field(description="The old one, now REPLACED.")
    removed_session_ids: list[strawberry.ID] = strawberry.field(
        description="The old assignment's sessions that were still scheduled from today on: deleted."
    )
    added_sessions: list[TrainingSession] = strawberry.field(description="The sessions the new one scheduled.")
    errors: list[MutationError]


@strawberry.type
class RoutinesQuery:
    @strawberry.field(description="A routine the viewer owns or was assigned; null otherwise.")
    async def routine(self, info: Info[Context, None], id: strawberry.ID) -> Routine | None:
        ctx, routine_id = info.context, parse_id(id)
        return resolve.routine_read(ctx, routine_id) or await resolve.routine(ctx, routine_id)  # type: ignore[return-value]

    @strawberry.field(description="Routines the viewer owns or was assigned, newest first.")
    async def routines(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Routine]:
        ctx = info.context
        page = await resolve.routine_page(ctx, first, after)
        return connection(page, lambda: resolve.routine_count(ctx))

    @strawberry.field(description="An assignment of an athlete the viewer may read; null otherwise.")
    async def assignment(self, info: Info[Context, None], id: strawberry.ID) -> RoutineAssignment | None:
        ctx, assignment_id = info.context, parse_id(id)
        return resolve.assignment_read(ctx, assignment_id) or await resolve.assignment(ctx, assignment_id)  # type: ignore[return-value]

    @strawberry.field(description="Assignments of the viewer (athletes) or of their athletes (coaches; all, or "
                      "the one given), newest first.")
    async def assignments(
        self, info: Info[Context, None], athlete_id: strawberry.ID | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[RoutineAssignment]:
        ctx = info.context
        athlete = parse_id(athlete_id, "athleteId") if athlete_id is not None else None
        page = await resolve.assignment_page(ctx, first, after, athlete)
        return connection(page, lambda: resolve.assignment_count(ctx, athlete))


@strawberry.type
class RoutinesMutation:
    @strawberry.mutation(description="Create a routine (version 1) owned by the viewer.")
    async def create_routine(self, info: Info[Context, None], input: RoutineInput) -> RoutinePayload:
        outcome = await resolve.create_routine(info.context, input.to_fields())
        return RoutinePayload(routine=outcome.value, errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="Edit a routine: adds a version; earlier versions and the sessions "
                         "scheduled from them never change.")
    async def update_routine(
        self, info: Info[Context, None], routine_id: strawberry.ID, input: RoutineInput
    ) -> RoutinePayload:
        outcome = await resolve.edit_routine(info.context, parse_id(routine_id, "routineId"), input.to_fields())
        return RoutinePayload(routine=outcome.value, errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="Assign a version of your routine to an athlete (yourself, or a linked "
                         "athlete); schedules their sessions in the same transaction.")
    async def assign_routine(self, info: Info[Context, None], input: AssignRoutineInput) -> AssignRoutinePayload:
        ctx = info.context
        version_id = parse_id(input.version_id, "input.versionId")
        athlete = parse_id(input.athlete_id, "input.athleteId") if input.athlete_id else ctx.require_viewer().id
        schedule = _schedule(input.start_date, input.end_date, input.weekdays, input.times)
        outcome = await resolve.assign(ctx, version_id, athlete, schedule)
        done = outcome.value
        return AssignRoutinePayload(
            assignment=done.assignment if done else None, sessions=done.sessions if done else [],
            errors=to_mutation_errors(outcome.errors),
        )

    @strawberry.mutation(description="Assign a new version in place of an active assignment, in one transaction: "
                         "its sessions still scheduled from today on are deleted, every other one stays, and the "
                         "new version's sessions are scheduled.")
    async def replace_assignment(
        self, info: Info[Context, None], input: ReplaceAssignmentInput
    ) -> ReplaceAssignmentPayload:
        outcome = await resolve.replace(
            info.context, parse_id(input.assignment_id, "input.assignmentId"),
            parse_id(input.version_id, "input.versionId"), input.schedule(),
        )
        done = outcome.value
        return ReplaceAssignmentPayload(
            assignment=done.new if done else None, replaced=done.old if done else None,
            removed_session_ids=[strawberry.ID(str(i)) for i in done.removed_session_ids] if done else [],
            added_sessions=done.added_sessions if done else [], errors=to_mutation_errors(outcome.errors),
        )


# The tables behind the types above, for reads compiled into one SQL statement (schema/tables.py).
tables.table(
    "Routine", models.Routine.__table__, loader="routine",
    owner=tables.parent("User", "owner_id"),
    versions=tables.children("RoutineVersion", "routine_id", "-version"),
)
tables.table(
    "RoutineVersion", models.RoutineVersion.__table__, loader="routine_version",
    routine=tables.parent("Routine", "routine_id"),
    sections=tables.content("Section", "content", "sections"),
)
tables.table(
    "RoutineAssignment", models.RoutineAssignment.__table__, loader="assignment",
    routine=tables.parent("Routine", "routine_id"),
    version=tables.parent("RoutineVersion", "routine_version_id"),
    athlete=tables.parent("User", "athlete_id"),
    assigned_by=tables.parent("User", "assigned_by_id"),
    replaced_by=tables.parent("RoutineAssignment", "replaced_by_id"),
)
