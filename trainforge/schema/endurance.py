"""Endurance templates (steps and nested repeat blocks) and the sessions made from them."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

import strawberry
from strawberry import Info

from trainforge.models import endurance_content as content
from trainforge.resolvers import endurance as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context
from trainforge.schema.accounts import User
from trainforge.schema.errors import MutationError, to_mutation_errors
from trainforge.schema.pagination import Connection, connection
from trainforge.schema.programs import MesocyclePhase
from trainforge.schema.training import TrainingSession
from trainforge.schema.training_content import (
    PlannedStep,
    Sport,
    StepMetric,
    StepTarget,
    StepTargetInput,
    StepType,
    plain,
)
from trainforge.services import endurance


@strawberry.type(description="One step of a template: a duration or a distance, and a target (or none).")
class TemplateStep:
    type: StepType
    duration_seconds: int | None
    distance_meters: float | None
    metrics: list[StepMetric]
    target: StepTarget | None
    notes: str | None


@strawberry.type(description="Its steps (which may be blocks again), done `repeat` times in a row.")
class RepeatBlock:
    repeat: int
    steps: list[TemplateItem]


TemplateItem = Annotated[TemplateStep | RepeatBlock, strawberry.union("TemplateItem")]


def _item(item: content.TemplateItem) -> TemplateStep | RepeatBlock:
    if item.is_block:
        return RepeatBlock(repeat=item.repeat, steps=[_item(i) for i in item.steps or []])  # type: ignore[arg-type]
    return TemplateStep(type=item.type, duration_seconds=item.duration_seconds,  # type: ignore[arg-type]
                        distance_meters=item.distance_meters, metrics=item.metrics,  # type: ignore[arg-type]
                        target=item.target, notes=item.notes)  # type: ignore[arg-type]


@strawberry.type(description="Structured endurance work, created once and executed many times: each session "
                 "made from it copies its expanded steps.")
class EnduranceTemplate:
    id: strawberry.ID
    name: str
    sport: Sport
    phase: MesocyclePhase | None = strawberry.field(description="The macrocycle phase it belongs to.")
    focus_block: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The steps as written: repeat blocks compact.")
    def steps(self) -> list[TemplateItem]:
        return [_item(item) for item in self.content.steps]  # type: ignore[attr-defined]

    @strawberry.field(description="The steps in the order they are done, repeat blocks expanded (targets in bpm "
                      "only in sessions, which know their athlete).")
    def planned_steps(self) -> list[PlannedStep]:
        return endurance.expand(self.content)  # type: ignore[attr-defined,return-value]

    @strawberry.field
    async def owner(self, info: Info[Context, None]) -> User:
        return await info.context.loaders.user.load(self.owner_id)  # type: ignore[attr-defined]


@strawberry.input(description="A step (type and durationSeconds or distanceMeters), or a repeat block (repeat "
                  "and steps, nothing else); blocks nest up to 3 deep and expand to at most 200 steps.")
class TemplateStepInput:
    type: StepType | None = None
    duration_seconds: int | None = None
    distance_meters: float | None = None
    metrics: list[StepMetric] | None = None
    target: StepTargetInput | None = None
    notes: str | None = None
    repeat: int | None = strawberry.field(default=None, description="2 to 100: this item is a repeat block.")
    steps: list[TemplateStepInput] | None = None


@strawberry.input
class EnduranceTemplateInput:
    name: str
    sport: Sport
    phase: MesocyclePhase | None = None
    focus_block: str | None = None
    notes: str | None = None
    steps: list[TemplateStepInput] = strawberry.field(description="1 to 50 items.")

    def to_fields(self) -> endurance.TemplateFields:
        return endurance.TemplateFields(self.name, self.sport, self.phase, self.focus_block, self.notes,
                                        plain(self.steps))


@strawberry.input
class ScheduleEnduranceInput:
    template_id: strawberry.ID
    athlete_id: strawberry.ID | None = strawberry.field(
        default=None, description="A linked athlete (coaches); omitted means the viewer.")
    date: date
    time: time | None = None


@strawberry.input(description="What was done of one planned step.")
class StepLogInput:
    index: int = strawberry.field(description="The planned step's index.")
    duration_seconds: int | None = None
    distance_meters: float | None = None
    pace_seconds_per_km: float | None = None
    avg_hr: int | None = None
    max_hr: int | None = None
    zone_reached: int | None = None
    completed: bool = True
    notes: str | None = None


@strawberry.input
class EnduranceTotalsInput:
    duration_seconds: int | None = None
    distance_meters: float | None = None
    calories: int | None = None
    avg_hr: int | None = None
    max_hr: int | None = None


@strawberry.input
class LogEnduranceSessionInput:
    template_id: strawberry.ID
    athlete_id: strawberry.ID | None = strawberry.field(
        default=None, description="A linked athlete (coaches); omitted means the viewer.")
    started_at: datetime
    steps: list[StepLogInput] = strawberry.field(description="At most one per planned step, by index.")
    totals: EnduranceTotalsInput | None = strawberry.field(
        default=None, description="Omitted: computed from the steps (calories then unknown).")
    notes: str | None = None


@strawberry.type
class EnduranceTemplatePayload:
    template: EnduranceTemplate | None
    errors: list[MutationError]


@strawberry.type
class DeleteEnduranceTemplatePayload:
    deleted_id: strawberry.ID | None
    errors: list[MutationError]


@strawberry.type
class EnduranceSessionPayload:
    session: TrainingSession | None
    errors: list[MutationError]


def _athlete(ctx: Context, given: strawberry.ID | None) -> Any:
    return parse_id(given, "input.athleteId") if given is not None else ctx.require_viewer().id


@strawberry.type
class EnduranceQuery:
    @strawberry.field(description="A template the viewer owns, or one of a linked coach or athlete; null otherwise.")
    async def endurance_template(self, info: Info[Context, None], id: strawberry.ID) -> EnduranceTemplate | None:
        return await resolve.template(info.context, parse_id(id))  # type: ignore[return-value]

    @strawberry.field(description="Templates the viewer may read, newest first.")
    async def endurance_templates(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[EnduranceTemplate]:
        ctx = info.context
        page = await resolve.template_page(ctx, first, after)
        return connection(page, lambda: resolve.template_count(ctx))


@strawberry.type
class EnduranceMutation:
    @strawberry.mutation(description="Create an endurance template owned by the viewer.")
    async def create_endurance_template(
        self, info: Info[Context, None], input: EnduranceTemplateInput
    ) -> EnduranceTemplatePayload:
        outcome = await resolve.create_template(info.context, input.to_fields())
        return EnduranceTemplatePayload(template=outcome.value, errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="Replace one of your templates; sessions made from it keep their steps.")
    async def update_endurance_template(
        self, info: Info[Context, None], id: strawberry.ID, input: EnduranceTemplateInput
    ) -> EnduranceTemplatePayload:
        outcome = await resolve.edit_template(info.context, parse_id(id), input.to_fields())
        return EnduranceTemplatePayload(template=outcome.value, errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="Delete one of your templates; its sessions stay (with their steps).")
    async def delete_endurance_template(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> DeleteEnduranceTemplatePayload:
        outcome = await resolve.delete_template(info.context, parse_id(id))
        return DeleteEnduranceTemplatePayload(deleted_id=None if outcome.errors else id,
                                              errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="A scheduled session of the template's expanded steps for an athlete, to run "
                         "live (startWorkout, progress per step, completeWorkout).")
    async def schedule_endurance_session(
        self, info: Info[Context, None], input: ScheduleEnduranceInput
    ) -> EnduranceSessionPayload:
        ctx = info.context
        outcome = await resolve.schedule(ctx, parse_id(input.template_id, "input.templateId"),
                                         _athlete(ctx, input.athlete_id), input.date, input.time)
        return EnduranceSessionPayload(session=outcome.value, errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="Record a whole execution of the template in one transaction: a completed "
                         "session with the expanded steps, what was done of each and the totals.")
    async def log_endurance_session(
        self, info: Info[Context, None], input: LogEnduranceSessionInput
    ) -> EnduranceSessionPayload:
        ctx = info.context
        execution = endurance.Execution(
            template_id=parse_id(input.template_id, "input.templateId"), athlete_id=_athlete(ctx, input.athlete_id),
            started_at=input.started_at, steps=plain(input.steps),
            totals=plain(input.totals) if input.totals is not None else None, notes=input.notes,
        )
        outcome = await resolve.log_execution(ctx, execution)
        return EnduranceSessionPayload(session=outcome.value, errors=to_mutation_errors(outcome.errors))
