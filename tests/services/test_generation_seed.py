"""Generation seeds fit GraphQL's Int: defaults, validation, and migration 0003 for stored ones."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from trainforge.config import Settings
from trainforge.db import create_engine, migrate
from trainforge.models.programs import ProgramGoal
from trainforge.services.errors import InvalidInput
from trainforge.services.generation.request import GenerationInput, _default_seed, validate_request
from trainforge.services.generation.types import ExperienceLevel, Weekday

MONDAY = date(2026, 1, 5)


def raw(**overrides) -> GenerationInput:
    values = dict(
        athlete_id=uuid.UUID(int=7), goal=ProgramGoal.STRENGTH, start_date=MONDAY, total_weeks=12,
        weekdays=(Weekday.MONDAY, Weekday.THURSDAY), session_minutes=60,
        experience=ExperienceLevel.INTERMEDIATE, equipment=(),
    )
    values.update(overrides)
    return GenerationInput(**values)


def test_default_seeds_are_stable_and_fit_a_graphql_int():
    inputs = [raw(athlete_id=uuid.UUID(int=i), total_weeks=4 + i % 40) for i in range(500)]
    seeds = [validate_request(r, [], today=MONDAY).seed for r in inputs]

    assert all(0 <= s < 2**31 for s in seeds)
    assert seeds == [validate_request(r, [], today=MONDAY).seed for r in inputs]
    # Spread over the whole range, not just the lower half of the old 32-bit one.
    assert max(seeds) > 2**30 and len(set(seeds)) == len(seeds)


def test_default_seed_is_the_old_hash_reduced_like_the_migration():
    """Migration 0003 stores `old % 2^31`: the seed the same input now defaults to."""
    r = raw()
    text_ = "|".join(map(str, (r.athlete_id, r.goal.value, r.start_date, r.total_weeks, [int(d) for d in r.weekdays],
                               r.session_minutes, r.experience.value, sorted(r.equipment), r.model.value, r.event_date)))
    old = int.from_bytes(hashlib.sha256(text_.encode()).digest()[:4], "big")
    assert _default_seed(r) == old % 2**31


@pytest.mark.parametrize("seed", [-1, 2**31, 2**40])
def test_explicit_seeds_outside_an_int_from_zero_are_refused(seed):
    with pytest.raises(InvalidInput) as refused:
        validate_request(raw(seed=seed), [], today=MONDAY)
    assert refused.value.field == "seed"


@pytest.mark.parametrize("seed", [0, 2**31 - 1])
def test_explicit_seeds_at_the_bounds_are_kept(seed):
    assert validate_request(raw(seed=seed), [], today=MONDAY).seed == seed


async def test_migration_reduces_stored_seeds_modulo_2_31(scratch_server):
    name = await scratch_server.create("trainforge_seed_migration")
    engine = create_engine(scratch_server.database_url(name), Settings(database_url=None))
    stored = {"big": 3_000_000_000, "edge": 2**31, "small": 12345, "largest": 2**31 - 1}
    try:
        await migrate(engine, "0002")
        async with engine.begin() as conn:
            athlete = uuid.uuid4()
            await conn.execute(
                text("INSERT INTO users (id, email, password_hash, role, display_name, created_at, updated_at) "
                     "VALUES (:id, 'a@example.com', 'h', 'athlete', 'A', now(), now())"),
                {"id": athlete},
            )
            rows = [(label, {"seed": seed, "goal": "strength"}) for label, seed in stored.items()]
            rows.append(("not generated", None))
            for label, data in rows:
                await conn.execute(
                    text("INSERT INTO fitness_programs (id, athlete_id, name, goal, start_date, end_date, "
                         "generation_input, created_at, updated_at) VALUES (gen_random_uuid(), :athlete, :name, "
                         "'strength', :start, :end, CAST(:data AS jsonb), now(), now())"),
                    {"athlete": athlete, "name": label, "start": MONDAY, "end": MONDAY + timedelta(weeks=4),
                     "data": None if data is None else json.dumps(data)},
                )

        await migrate(engine)

        async with engine.connect() as conn:
            after = dict((await conn.execute(text("SELECT name, generation_input FROM fitness_programs"))).all())
        assert {label: after[label]["seed"] for label in stored} == {
            "big": 3_000_000_000 - 2**31, "edge": 0, "small": 12345, "largest": 2**31 - 1
        }
        assert all(after[label]["goal"] == "strength" for label in stored)  # the rest of the input untouched
        assert after["not generated"] is None
    finally:
        await engine.dispose()
        await scratch_server.drop(name)
