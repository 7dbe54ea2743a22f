"""generateProgram with the LLM generator: the real openai client over real HTTP to a fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from fakes.model_replies import ValidModel
from fakes.openai_server import Delay, FakeOpenAI, HTTPError
from trainforge.app import create_app
from trainforge.models import FitnessProgram, Role, WorkoutInstance

from conftest import make_settings

GENERATE = """
mutation ($input: GenerateProgramInput!) {
  generateProgram(input: $input) {
    errors { __typename message field }
    program { id generator generatorModel promptVersion
      macrocycles { mesocycles { phase weeks microcycles { weekNumber isDeload workouts { date name } } } } }
  }
}
"""
NEXT_MONDAY = date.today() + timedelta(days=7 - date.today().weekday())
INPUT = {
    "input": {
        "goal": "STRENGTH",
        "startDate": NEXT_MONDAY.isoformat(),
        "totalWeeks": 8,
        "weekdays": ["MONDAY", "WEDNESDAY", "FRIDAY"],
        "equipment": ["Olympic barbell", "Flat bench", "Power rack", "Adjustable dumbbells"],
        "generator": "LLM",
    }
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def llm_client(fake, database_url, app, tmp_path) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    """An app on the test database whose LLM generator talks to the fake server."""
    settings = make_settings(
        tmp_path,
        openai_base_url=fake.base_url,
        openai_api_key="sk-test-0123456789",
        llm_model="fake-model",
        llm_timeout_seconds=0.5,
        llm_http_retries=0,
        llm_max_attempts=2,
    )
    llm_app = create_app(settings, database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=llm_app), base_url="http://test") as client:
        yield client
    await llm_app.state.graphql.generators.aclose()
    await llm_app.state.engine.dispose()


async def _generate(client: httpx.AsyncClient, person: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": GENERATE, "variables": INPUT}, headers=person.headers)
    assert response.status_code == 200
    return response.json()["data"]["generateProgram"]


async def _stored(engine) -> tuple[int, int]:
    async with engine.connect() as conn:
        programs = await conn.scalar(select(func.count()).select_from(FitnessProgram))
        workouts = await conn.scalar(select(func.count()).select_from(WorkoutInstance))
    return programs, workouts


async def test_llm_program_is_stored_with_its_model_and_prompt_version(fake, llm_client, make_user, engine):
    athlete = await make_user(Role.ATHLETE)
    fake.responder = ValidModel([4, 4])

    payload = await _generate(llm_client, athlete)

    assert payload["errors"] == []
    program = payload["program"]
    assert (program["generator"], program["generatorModel"], program["promptVersion"]) == ("LLM", "fake-model", "v2")
    mesos = program["macrocycles"][0]["mesocycles"]
    assert [m["weeks"] for m in mesos] == [4, 4]
    weeks = [w for m in mesos for w in m["microcycles"]]
    assert [w["weekNumber"] for w in weeks] == list(range(1, 9))
    # Our calendar, not the model's invented dates.
    assert weeks[0]["workouts"][0]["date"] == NEXT_MONDAY.isoformat()
    assert fake.calls == 3  # one outline, two breakdowns
    assert await _stored(engine) == (1, 24)


async def test_invalid_output_is_retried_with_feedback(fake, llm_client, make_user):
    athlete = await make_user(Role.ATHLETE)
    fake.script("this is not JSON")
    fake.responder = ValidModel([4, 4])

    payload = await _generate(llm_client, athlete)

    assert payload["errors"] == []
    assert fake.calls == 4
    assert "not valid JSON" in fake.requests[1]["messages"][-1]["content"]


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(["{}", "{}"], id="invalid-twice"),
        pytest.param([HTTPError(500)], id="server-error"),
        pytest.param([Delay(2.0)], id="timeout"),
    ],
)
async def test_generator_failure_is_typed_and_stores_nothing(fake, llm_client, make_user, engine, failure):
    athlete = await make_user(Role.ATHLETE)
    fake.script(*failure)

    payload = await _generate(llm_client, athlete)

    assert payload["program"] is None
    [error] = payload["errors"]
    assert error["__typename"] == "GenerationFailedError" and error["field"] is None
    assert "sk-test" not in error["message"]
    assert await _stored(engine) == (0, 0)


async def test_a_failing_breakdown_stores_nothing(fake, llm_client, make_user, engine):
    athlete = await make_user(Role.ATHLETE)
    valid = ValidModel([4, 4])
    fake.responder = lambda body: "not JSON" if "Block 2" in str(body["messages"]) else valid(body)

    payload = await _generate(llm_client, athlete)

    assert [e["__typename"] for e in payload["errors"]] == ["GenerationFailedError"]
    assert await _stored(engine) == (0, 0)
