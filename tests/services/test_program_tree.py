"""Storing generated programs: batched inserts, one transaction, validated content."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from trainforge.db import session_factory
from trainforge.models import FitnessProgram, Role, WorkoutInstance
from trainforge.models.program_content import PrescribedExercise, WeeklyTargets, WorkoutPrescription
from trainforge.services.demo import build_program
from trainforge.services.program_tree import store_programs


async def _count(engine, model) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(select(func.count()).select_from(model))


async def test_store_programs_batches_one_statement_per_level(engine, make_user, count_statements):
    athlete = await make_user(Role.ATHLETE)
    plans = [build_program(athlete.id, None, date(2026, 1, 5), mesocycles=4, days_per_week=5, seed=i) for i in range(10)]

    with count_statements() as n:
        async with session_factory(engine).begin() as session:
            await store_programs(session, plans)

    # programs, macrocycles, mesocycles, microcycles, workouts (800 rows in one multi-row INSERT)
    assert n.value == 5
    assert await _count(engine, WorkoutInstance) == 800


async def test_a_failure_anywhere_leaves_nothing_behind(engine, make_user):
    athlete = await make_user(Role.ATHLETE)
    good = build_program(athlete.id, None, date(2026, 1, 5), mesocycles=2)
    bad = build_program(athlete.id, None, date(2026, 1, 5), mesocycles=2)
    # The last workout row breaks a foreign key only the database can check.
    week = bad.macrocycles[0].mesocycles[-1].microcycles[-1]
    week.end_date = week.start_date - timedelta(days=1)  # violates microcycles' dates_ordered CHECK

    with pytest.raises(IntegrityError):
        async with session_factory(engine).begin() as session:
            await store_programs(session, [good, bad])

    assert await _count(engine, FitnessProgram) == 0
    assert await _count(engine, WorkoutInstance) == 0


def test_prescription_content_is_validated():
    with pytest.raises(ValidationError, match="reps or duration_seconds"):
        PrescribedExercise(exercise="Squat", sets=3)
    with pytest.raises(ValidationError):
        PrescribedExercise(exercise="Squat", sets=3, reps=5, rpe=11)
    with pytest.raises(ValidationError, match="must not exceed"):
        WeeklyTargets(sessions=3, intensity_low_pct=90, intensity_high_pct=80)
    with pytest.raises(ValidationError):
        WorkoutPrescription.model_validate({"exercises": [], "unexpected": 1})


async def test_invalid_content_is_refused_on_the_way_in_and_out(engine, make_user):
    athlete = await make_user(Role.ATHLETE)
    [plan] = [build_program(athlete.id, None, date(2026, 1, 5), mesocycles=1, days_per_week=3)]
    async with session_factory(engine).begin() as session:
        await store_programs(session, [plan])

    # In: a dict that is not a valid prescription never reaches the database.
    async with session_factory(engine)() as session:
        workout = await session.scalar(select(WorkoutInstance).limit(1))
        workout.prescription = {"exercises": [{"exercise": "Squat", "sets": 0, "reps": 5}]}
        with pytest.raises(StatementError, match="greater than or equal to 1"):
            await session.flush()
        await session.rollback()

    # Out: content corrupted behind our back is reported on read, not passed on.
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE workout_instances SET prescription = '{\"exercises\": 5}'"))
    async with session_factory(engine)() as session:
        with pytest.raises(ValidationError):
            await session.scalar(select(WorkoutInstance).limit(1))


def test_demo_program_follows_calendar_weeks_with_deloads():
    plan = build_program(uuid.uuid4(), None, date(2026, 11, 25), mesocycles=3, weeks_per_mesocycle=4, days_per_week=4)
    weeks = [w for meso in plan.macrocycles[0].mesocycles for w in meso.microcycles]
    assert plan.start_date == date(2026, 11, 23) and plan.start_date.weekday() == 0
    assert [w.week_number for w in weeks] == list(range(1, 13))
    assert all(b.start_date == a.end_date + timedelta(days=1) for a, b in zip(weeks, weeks[1:]))
    assert [w.is_deload for w in weeks] == [False, False, False, True] * 3
    assert plan.end_date == weeks[-1].end_date
    for week in weeks:
        assert all(week.start_date <= w.scheduled_date <= week.end_date for w in week.workouts)
    # Within a block, the main lift's intensity rises week over week until the deload.
    block = plan.macrocycles[0].mesocycles[0].microcycles
    loads = [w.workouts[0].prescription.exercises[0].percent_one_rm for w in block]
    assert loads[0] < loads[1] < loads[2] and loads[3] < loads[0]
