"""Endurance templates: create, edit, read; the expansion of their repeat blocks; the sessions made from
them, scheduled to run live or logged whole with what was done of each step.

A template belongs to its owner (a coach or an athlete); a user linked to the owner (their coach, or an
athlete they coach) may read it and make sessions from it for whoever they may plan for.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import ValidationError as PydanticError
from sqlalchemy import ColumnElement, Row, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.db import Executor
from trainforge.models.accounts import CoachAthlete
from trainforge.models.endurance import EnduranceTemplate
from trainforge.models.endurance_content import (
    EnduranceTotals,
    PlannedStep,
    RepeatPosition,
    Sport,
    StepLog,
    TargetKind,
    TemplateContent,
    TemplateItem,
)
from trainforge.models.programs import MesocyclePhase
from trainforge.models.training import PlanSource, SessionKind, SessionStatus
from trainforge.models.training_content import PerformanceLog, WorkoutSnapshot
from trainforge.services import heart_rate, programs, training
from trainforge.services.auth import Viewer
from trainforge.services.errors import InvalidInput, NotFound, raise_problems
from trainforge.services.heart_rate_zones import Zones
from trainforge.services.pagination import Page, PageRequest, paginate, to_page
from trainforge.services.validation import problems_of

templates = EnduranceTemplate.__table__
sessions = training.sessions


@dataclass(frozen=True, slots=True)
class TemplateFields:
    """A template as the client sent it (validated here)."""

    name: str
    sport: Sport
    phase: MesocyclePhase | None
    focus_block: str | None
    notes: str | None
    steps: list[dict[str, Any]]


def readable(viewer: Viewer, owner_id: ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
    """SQL condition: the viewer owns the template or is linked to its owner (either way round)."""
    linked = exists().where(or_(
        and_(CoachAthlete.coach_id == owner_id, CoachAthlete.athlete_id == viewer.id),
        and_(CoachAthlete.athlete_id == owner_id, CoachAthlete.coach_id == viewer.id),
    ))
    return or_(owner_id == viewer.id, linked)


def _values(fields: TemplateFields) -> dict[str, Any]:
    problems = []
    name = fields.name.strip()
    if not 1 <= len(name) <= 200:
        problems.append(InvalidInput("name must be 1 to 200 characters", field="input.name"))
    if fields.focus_block is not None and len(fields.focus_block) > 120:
        problems.append(InvalidInput("focusBlock must be at most 120 characters", field="input.focusBlock"))
    if fields.notes is not None and len(fields.notes) > 2000:
        problems.append(InvalidInput("notes must be at most 2000 characters", field="input.notes"))
    content = None
    try:
        content = TemplateContent.model_validate({"steps": fields.steps})
    except PydanticError as exc:
        problems += problems_of(exc, "input")
    raise_problems(problems)
    return {"name": name, "sport": fields.sport, "phase": fields.phase, "focus_block": fields.focus_block,
            "notes": fields.notes, "content": content}


async def create_template(session: AsyncSession, viewer: Viewer, fields: TemplateFields) -> Row:
    stmt = insert(templates).values(id=uuid.uuid4(), owner_id=viewer.id, **_values(fields)).returning(templates)
    return (await session.execute(stmt)).one()


async def edit_template(session: AsyncSession, viewer: Viewer, template_id: uuid.UUID, fields: TemplateFields) -> Row:
    """Replace the viewer's template; sessions made from it keep the steps they copied."""
    stmt = (update(templates).where(templates.c.id == template_id, templates.c.owner_id == viewer.id)
            .values(**_values(fields)).returning(templates))
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound("no such template of yours", field="id")
    return row


async def delete_template(session: AsyncSession, viewer: Viewer, template_id: uuid.UUID) -> None:
    stmt = delete(templates).where(templates.c.id == template_id, templates.c.owner_id == viewer.id)
    if (await session.execute(stmt)).rowcount == 0:
        raise NotFound("no such template of yours", field="id")


async def get_template(db: Executor, viewer: Viewer, template_id: uuid.UUID) -> Row | None:
    stmt = select(templates).where(templates.c.id == template_id, readable(viewer, templates.c.owner_id))
    return (await db.execute(stmt)).first()


def _visible(viewer: Viewer):  # noqa: ANN202
    return select(templates).where(readable(viewer, templates.c.owner_id))


async def list_templates(db: Executor, viewer: Viewer, request: PageRequest) -> Page[Row]:
    """Templates the viewer may read, newest first."""
    stmt = paginate(_visible(viewer), templates.c.created_at, templates.c.id, request)
    return to_page((await db.execute(stmt)).all(), request)


async def count_templates(db: Executor, viewer: Viewer) -> int:
    return int(await db.scalar(select(func.count()).select_from(_visible(viewer).subquery())) or 0)


async def templates_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(templates).where(templates.c.id.in_(ids)))).all())


# ----------------------------------------------------------------------------- expansion


def expand(content: TemplateContent, athlete_zones: Zones | None = None) -> list[PlannedStep]:
    """Every step in the order it is done: each repeat block's steps `repeat` times, numbered, with the
    blocks (by their path in the template) and iterations they came from. HR targets get their bpm for
    the athlete when their zones are known."""
    planned = []
    for index, (item, repeats) in enumerate(_walk(content.steps, (), ())):
        low = high = None
        if item.target is not None and item.target.kind is TargetKind.HR_ZONE and athlete_zones is not None:
            assert item.target.zone is not None
            low, high = athlete_zones.range_of(item.target.zone)
        elif item.target is not None and item.target.kind is TargetKind.HR_RANGE:
            low, high = round(item.target.low or 0), round(item.target.high or 0)
        planned.append(PlannedStep(
            index=index, type=item.type, duration_seconds=item.duration_seconds,
            distance_meters=item.distance_meters, metrics=item.metrics, target=item.target,
            target_bpm_low=low if low and 25 <= low <= 250 else None,
            target_bpm_high=high if high and 25 <= high <= 250 else None, notes=item.notes,
            block_id=repeats[-1].block_id if repeats else None,
            repeat_index=repeats[-1].iteration if repeats else None, repeats=list(repeats),
        ))
    return planned


def _walk(
    items: Sequence[TemplateItem], path: tuple[int, ...], repeats: tuple[RepeatPosition, ...]
) -> Iterator[tuple[TemplateItem, tuple[RepeatPosition, ...]]]:
    for number, item in enumerate(items):
        if not item.is_block:
            yield item, repeats
            continue
        assert item.repeat is not None and item.steps is not None
        block_id = ".".join(str(p) for p in (*path, number))
        for iteration in range(1, item.repeat + 1):
            here = RepeatPosition(block_id=block_id, iteration=iteration, count=item.repeat)
            yield from _walk(item.steps, (*path, number), (*repeats, here))


# ----------------------------------------------------------------------------- sessions from a template


def snapshot(template: Row, planned: list[PlannedStep]) -> WorkoutSnapshot:
    durations = [step.duration_seconds for step in planned]
    minutes = round(sum(durations) / 60) if durations and None not in durations else None  # type: ignore[arg-type]
    return WorkoutSnapshot(
        name=template.name, notes=template.notes, sport=template.sport, planned_steps=planned,
        duration_minutes=min(max(minutes, 1), 600) if minutes is not None else None,
    )


async def _usable(session: AsyncSession, viewer: Viewer, template_id: uuid.UUID, athlete_id: uuid.UUID) -> Row:
    template = await get_template(session, viewer, template_id)
    if template is None:
        raise NotFound("no such template", field="input.templateId")
    if not await programs.may_plan_for(session, viewer, athlete_id):
        raise NotFound("no such athlete of yours", field="input.athleteId")
    return template


async def schedule(
    session: AsyncSession, viewer: Viewer, template_id: uuid.UUID, athlete_id: uuid.UUID, on: date, at: time | None,
) -> Row:
    """A scheduled session of the template's expanded steps, to be run live (startWorkout...)."""
    template = await _usable(session, viewer, template_id, athlete_id)
    planned = expand(template.content, (await heart_rate.zones_of(session, athlete_id, on))[0])
    values = {
        "id": uuid.uuid4(), "athlete_id": athlete_id, "source": PlanSource.ENDURANCE_TEMPLATE,
        "endurance_template_id": template_id, "scheduled_date": on, "scheduled_time": at,
        "kind": SessionKind.ENDURANCE, "status": SessionStatus.SCHEDULED,
        "workout_snapshot": snapshot(template, planned),
    }
    return (await session.execute(insert(sessions).values(**values).returning(sessions))).one()


@dataclass(frozen=True, slots=True)
class Execution:
    """A template's session as done: when, what was done of each planned step, and the totals (computed
    from the steps when not given)."""

    template_id: uuid.UUID
    athlete_id: uuid.UUID
    started_at: datetime
    steps: list[dict[str, Any]]
    totals: dict[str, Any] | None
    notes: str | None


async def log_execution(session: AsyncSession, viewer: Viewer, execution: Execution, now: datetime) -> Row:
    """A completed session of the template: its snapshot the expanded steps, its log what was done."""
    template = await _usable(session, viewer, execution.template_id, execution.athlete_id)
    athlete_zones, _ = await heart_rate.zones_of(session, execution.athlete_id, execution.started_at.date())
    planned = expand(template.content, athlete_zones)
    steps, totals = _done(execution, len(planned))
    duration = totals.duration_seconds
    ended = execution.started_at + timedelta(seconds=duration or 0)
    if execution.started_at > now + timedelta(minutes=5) or ended > now + timedelta(minutes=5):
        raise InvalidInput("a session logged as done cannot end in the future", field="input.startedAt")
    values = {
        "id": uuid.uuid4(), "athlete_id": execution.athlete_id, "source": PlanSource.ENDURANCE_TEMPLATE,
        "endurance_template_id": execution.template_id, "scheduled_date": execution.started_at.date(),
        "kind": SessionKind.ENDURANCE, "status": SessionStatus.COMPLETED, "started_at": execution.started_at,
        "completed_at": ended, "duration_seconds": duration,
        "workout_snapshot": snapshot(template, planned),
        "performance_log": PerformanceLog(steps=steps, totals=totals, notes=execution.notes),
    }
    return (await session.execute(insert(sessions).values(**values).returning(sessions))).one()


def _done(execution: Execution, planned: int) -> tuple[list[StepLog], EnduranceTotals]:
    problems: list[InvalidInput] = []
    steps: list[StepLog] = []
    seen: set[int] = set()
    if execution.notes is not None and len(execution.notes) > 2000:
        problems.append(InvalidInput("notes must be at most 2000 characters", field="input.notes"))
    if len(execution.steps) > planned:
        problems.append(InvalidInput(f"{len(execution.steps)} steps done of {planned} planned", field="input.steps"))
    for position, raw in enumerate(execution.steps[:planned]):
        try:
            step = StepLog.model_validate(raw)
        except PydanticError as exc:
            problems += problems_of(exc, f"input.steps.{position}")
            continue
        if step.index >= planned or step.index in seen:
            problems.append(InvalidInput(f"index must name a planned step (0-{planned - 1}) once",
                                         field=f"input.steps.{position}.index"))
        seen.add(step.index)
        steps.append(step)
    totals = None
    try:
        totals = EnduranceTotals.model_validate(execution.totals) if execution.totals is not None else None
    except PydanticError as exc:
        problems += problems_of(exc, "input.totals")
    raise_problems(problems)
    return sorted(steps, key=lambda s: s.index), totals or EnduranceTotals.of(steps)
