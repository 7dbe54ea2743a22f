"""Generating a program and re-breaking one mesocycle down.

Generators may be slow (an LLM): they run outside any database transaction.
What they produce is then written in one transaction with batched inserts, so
a failure anywhere leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Row, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.db import Executor
from trainforge.models.programs import (
    FitnessProgram,
    Macrocycle,
    Mesocycle,
    Microcycle,
    ProgramGenerator,
    WorkoutInstance,
)
from trainforge.models.training import SessionStatus, TrainingSession
from trainforge.services import heart_rate, programs
from trainforge.services.auth import Viewer
from trainforge.services.errors import InvalidInput, NotFound
from trainforge.services.generation.request import (
    GenerationInput,
    request_from_json,
    request_to_json,
    seed_problem,
    validate_request,
)
from trainforge.services.generation.review import review_program
from trainforge.services.generation.types import (
    AthleteBaseline,
    GenerationFailed,
    GenerationWarning,
    GenerationRequest,
    Generator,
    MesocycleOutline,
    ProgramOutline,
)
from trainforge.services.program_tree import MacrocyclePlan, MesocyclePlan, ProgramPlan, store_programs, workout_rows

log = logging.getLogger(__name__)

GOAL_LABELS = {
    "strength": "Strength",
    "hypertrophy": "Hypertrophy",
    "endurance": "Endurance",
    "general_fitness": "General fitness",
    "competition": "Competition",
}


async def prepare(
    db: Executor, viewer: Viewer, raw: GenerationInput, equipment_names: frozenset[str], today: date | None = None
) -> GenerationRequest:
    """Check the viewer may plan for the athlete, then validate the request."""
    # A coach plans for linked athletes, an athlete for themself. A coach's own
    # account is not an athlete's: say so rather than store a program nobody trains.
    if raw.athlete_id == viewer.id and viewer.is_coach:
        raise InvalidInput("a coach plans for a linked athlete: choose one with athleteId", field="athleteId")
    # Anyone else (strangers, other coaches) gets the answer an unknown id gets.
    if not await programs.may_plan_for(db, viewer, raw.athlete_id):
        raise NotFound("no such athlete", field="athleteId")
    request = validate_request(raw, equipment_names, today)
    return dataclasses.replace(request, baseline=await with_profile_heart_rate(db, request))


async def with_profile_heart_rate(db: Executor, request: GenerationRequest) -> AthleteBaseline:
    """The baseline with the athlete's max HR (measured, else 220 - age at the start) and
    resting HR from their profile: the generator's heart-rate targets come from them."""
    zones, _ = await heart_rate.zones_of(db, request.athlete_id, request.start_date)
    if zones is None:
        return request.baseline
    return dataclasses.replace(request.baseline, max_hr=zones.max_hr, resting_hr=zones.resting_hr)


async def breakdown_all(generator: Generator, request: GenerationRequest, outline: ProgramOutline) -> list[MesocyclePlan]:
    """Every mesocycle's breakdown, concurrently (a generator that calls a model caps
    its own calls in flight). The first failure cancels the others and is raised."""
    firsts = itertools.accumulate((m.weeks for m in outline.mesocycles), initial=1)
    tasks = [
        asyncio.ensure_future(generator.breakdown(request, outline, index, first))
        for index, first in zip(range(len(outline.mesocycles)), firsts)
    ]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def check_plans(request: GenerationRequest, outline: ProgramOutline, plans: list[MesocyclePlan]) -> None:
    """Whatever the generator, the stored calendar must hold: contiguous weeks from
    the start date to the end date, workouts inside their week on requested days (and
    the event on its date, whatever the weekday)."""
    weeks = [week for plan in plans for week in plan.microcycles]
    problems = []
    if len(weeks) != request.total_weeks or sum(m.weeks for m in outline.mesocycles) != request.total_weeks:
        problems.append(f"{len(weeks)} weeks planned for a {request.total_weeks}-week program")
    for number, week in enumerate(weeks, start=1):
        if week.week_number != number or (week.end_date - week.start_date).days != 6:
            problems.append(f"week {number} is not a calendar week in sequence")
        if number == 1 and week.start_date != request.start_date:
            problems.append("the first week does not start on the start date")
        for workout in week.workouts:
            if not week.start_date <= workout.scheduled_date <= week.end_date:
                problems.append(f"a workout of week {number} falls outside it")
            # The race is on its date whatever the weekday: the one day allowed outside the chosen ones.
            if workout.scheduled_date.weekday() not in {int(d) for d in request.weekdays} \
                    and workout.scheduled_date != request.event_date:
                problems.append(f"a workout of week {number} falls on a day not chosen")
    for earlier, later in zip(weeks, weeks[1:]):
        if (later.start_date - earlier.end_date).days != 1:
            problems.append(f"weeks {earlier.week_number} and {later.week_number} are not contiguous")
    if weeks and weeks[-1].end_date != request.end_date:
        problems.append("the last week does not end on the program's end date")
    if problems:
        raise GenerationFailed("generated program is inconsistent: " + "; ".join(sorted(set(problems))[:5]))


async def build(
    request: GenerationRequest, generator: Generator, author_id: uuid.UUID
) -> tuple[ProgramPlan, list[GenerationWarning]]:
    """Outline, then every mesocycle's breakdown, checked, as one plan; with what the plan
    could not do for the athlete (equipment, time)."""
    outline = await generator.outline(request)
    plans = await breakdown_all(generator, request, outline)
    check_plans(request, outline, plans)
    findings = review_program(request, outline, plans)
    if findings.problems:  # the LLM generator has fed these back already; for the rules, a bug
        log.warning("generated program breaks rules: %s", "; ".join(findings.problems[:5]))
    info = generator.info
    plan = ProgramPlan(
        athlete_id=request.athlete_id,
        created_by_id=author_id,
        name=outline.name,
        goal=request.goal,
        description=outline.description,
        start_date=request.start_date,
        end_date=request.end_date,
        macrocycles=[
            MacrocyclePlan(
                name=f"{GOAL_LABELS[request.goal.value]} macrocycle",
                start_date=request.start_date,
                end_date=request.end_date,
                mesocycles=plans,
                goal=f"{GOAL_LABELS[request.goal.value]}, {request.model.value} periodization",
            )
        ],
        generator=ProgramGenerator(info.generator.value),
        generator_model=info.model,
        prompt_version=info.prompt_version,
        generation_input=request_to_json(request),
    )
    return plan, findings.warnings


async def store(session: AsyncSession, plan: ProgramPlan) -> uuid.UUID:
    [program_id] = await store_programs(session, [plan])
    return program_id


@dataclass
class Regeneration:
    """What re-breaking a mesocycle down needs, read from the stored program."""

    request: GenerationRequest
    outline: ProgramOutline
    index: int
    first_week: int
    mesocycle: Row
    program: Row


async def prepare_regeneration(db: Executor, viewer: Viewer, mesocycle_id: uuid.UUID, seed: int | None) -> Regeneration:
    if (problem := seed_problem(seed)) is not None:
        raise problem
    meso = (
        await db.execute(
            select(Mesocycle.__table__, Macrocycle.program_id)
            .join(Macrocycle, Macrocycle.id == Mesocycle.macrocycle_id)
            .where(Mesocycle.id == mesocycle_id)
        )
    ).first()
    program = await programs.get_program(db, viewer, meso.program_id) if meso is not None else None
    if meso is None or program is None:
        raise NotFound("no such mesocycle", field="mesocycleId")
    if program.generation_input is None:
        raise InvalidInput("only generated programs can be regenerated", field="mesocycleId")
    request = request_from_json(program.generation_input)
    if seed is not None:
        request = dataclasses.replace(request, seed=seed)
    siblings = (
        await db.execute(
            select(Mesocycle.__table__)
            .join(Macrocycle, Macrocycle.id == Mesocycle.macrocycle_id)
            .where(Macrocycle.program_id == program.id)
            .order_by(Macrocycle.position, Mesocycle.position)
        )
    ).all()
    outline = ProgramOutline(
        name=program.name,
        description=program.description or "",
        model=request.model,
        mesocycles=tuple(
            MesocycleOutline(
                name=m.name,
                phase=m.phase,
                weeks=m.weeks,
                start_date=m.start_date,
                end_date=m.end_date,
                weekly_targets=m.weekly_targets,
                emphasis=(m.weekly_targets.emphasis if m.weekly_targets else None) or m.phase.value,
            )
            for m in siblings
        ),
    )
    index = next(i for i, m in enumerate(siblings) if m.id == mesocycle_id)
    first_week = 1 + sum(m.weeks for m in siblings[:index])
    return Regeneration(request, outline, index, first_week, meso, program)


async def replace_mesocycle(session: AsyncSession, regeneration: Regeneration, plan: MesocyclePlan) -> int:
    """Swap the mesocycle's workouts for the new breakdown, keeping every workout whose
    training session has gone beyond `scheduled` (in progress, done, skipped,
    cancelled, or a draft); the new one planned on a kept workout's date is
    dropped. A replaced workout's scheduled session goes with it: it was only a
    plan. Returns workouts written."""
    meso_id = regeneration.mesocycle.id
    # Serialise concurrent regenerations of the same mesocycle.
    await session.execute(select(Mesocycle.id).where(Mesocycle.id == meso_id).with_for_update())
    weeks = {
        row.week_number: row
        for row in (
            await session.execute(select(Microcycle.__table__).where(Microcycle.mesocycle_id == meso_id))
        ).all()
    }
    if sorted(weeks) != [w.week_number for w in plan.microcycles]:
        raise GenerationFailed("the new breakdown does not cover the mesocycle's weeks")
    week_ids = [row.id for row in weeks.values()]
    sessions = TrainingSession.__table__
    beyond_scheduled = exists().where(
        sessions.c.program_workout_id == WorkoutInstance.id, sessions.c.status != SessionStatus.SCHEDULED
    )
    replaced = select(WorkoutInstance.id).where(WorkoutInstance.microcycle_id.in_(week_ids), ~beyond_scheduled)
    await session.execute(delete(sessions).where(sessions.c.program_workout_id.in_(replaced)))
    await session.execute(delete(WorkoutInstance).where(WorkoutInstance.id.in_(replaced)))
    kept_dates = set(
        (
            await session.scalars(select(WorkoutInstance.scheduled_date).where(WorkoutInstance.microcycle_id.in_(week_ids)))
        ).all()
    )
    await session.execute(
        update(Microcycle),
        [
            {"id": weeks[w.week_number].id, "is_deload": w.is_deload, "focus": w.focus}
            for w in plan.microcycles
        ],
    )
    rows = [
        row
        for week in plan.microcycles
        for row in workout_rows(
            weeks[week.week_number].id, [w for w in week.workouts if w.scheduled_date not in kept_dates]
        )
    ]
    if rows:
        await session.execute(WorkoutInstance.__table__.insert(), rows)
    # Touch the parents so clients polling updatedAt see the change.
    await session.execute(update(Mesocycle).where(Mesocycle.id == meso_id).values(name=Mesocycle.name))
    await session.execute(
        update(FitnessProgram).where(FitnessProgram.id == regeneration.program.id).values(name=FitnessProgram.name)
    )
    return len(rows)
