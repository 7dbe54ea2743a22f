"""Input PostgreSQL cannot store meets a typed error before it reaches the database,
and no response, in any mode, carries SQL text or its parameters."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from trainforge.models import Role
from trainforge.models.accounts import User

NUL_LOGIN = 'mutation { logIn(input: {email: "a\\u0000b@example.com", password: "x"}) { token } }'
LOGIN_WITH_VARIABLE = 'mutation($e: String!) { logIn(input: {email: $e, password: "password123"}) { token } }'
SIGN_UP = "mutation($input: SignUpInput!) { signUp(input: $input) { token errors { message field } } }"
GENERATE = """mutation($input: GenerateProgramInput!) {
  generateProgram(input: $input) { program { id } errors { __typename message field } }
}"""
PROGRAM_PAGE = "query($after: String) { viewer { programs(first: 5, after: $after) { edges { cursor } } } }"
ATHLETE_PAGE = "query($after: String) { viewer { athletes(first: 5, after: $after) { totalCount } } }"
COACH_PAGE = "query($after: String) { viewer { coaches(first: 5, after: $after) { totalCount } } }"


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def assert_refused(body: dict[str, Any], field: str) -> None:
    """A request error naming `field`: nothing ran, and the message does not leak SQL."""
    assert "data" not in body or body["data"] is None, body
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
    assert field in error["message"]
    assert_no_sql(json.dumps(body))


def assert_no_sql(text: str) -> None:
    for leak in ("[SQL", "parameters:", "SELECT ", "INSERT ", "$argon2", "asyncpg"):
        assert leak not in text, text


async def post_raw(client, text: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST a JSON body as written: `\\ud800` escapes reach the server as lone surrogates."""
    response = await client.post(
        "/graphql", content=text.encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )
    assert response.status_code in (200, 400), response.text
    return response.json()


async def count_users(engine) -> int:  # noqa: ANN001
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(User)))


async def test_nul_in_a_literal_is_refused_naming_the_field(gql):
    assert_refused(await gql(NUL_LOGIN), "input.email")


@pytest.mark.parametrize("mutation, field", [
    ('mutation { linkCoach(coachEmail: "c\\u0000@example.com") { errors { message } } }', "coachEmail"),
    ('mutation { updateProfile(input: {birthDate: "9999-12-31"}) { errors { message } } }', "input.birthDate"),
    ('mutation { updateProfile(input: {birthDate: "0001-01-01"}) { errors { message } } }', "input.birthDate"),
])
async def test_other_fields_refuse_it_too(gql, make_user, mutation, field):
    athlete = await make_user(Role.ATHLETE)
    assert_refused(await gql(mutation, as_=athlete), field)


async def test_nul_in_a_sign_up_variable_writes_nothing(gql, engine):
    before = await count_users(engine)
    body = await gql(SIGN_UP, {"input": {"email": "new@example.com", "password": "long enough",
                                         "displayName": "a\u0000b"}})
    assert_refused(body, "input.displayName")
    assert await count_users(engine) == before


async def test_lone_surrogate_in_a_variable_is_refused(client):
    text = json.dumps({"query": LOGIN_WITH_VARIABLE, "variables": {"e": "PLACEHOLDER"}})
    body = await post_raw(client, text.replace("PLACEHOLDER", "a\\ud800@x.io"))
    assert_refused(body, "input.email")


async def test_lone_surrogate_deep_in_an_input_list_names_its_index(client, make_user):
    athlete = await make_user(Role.ATHLETE)
    variables = {"input": {"goal": "STRENGTH", "startDate": "2027-01-04", "totalWeeks": 4,
                           "weekdays": ["MONDAY"], "equipment": ["barbell", "PLACEHOLDER"]}}
    text = json.dumps({"query": GENERATE, "variables": variables}).replace("PLACEHOLDER", "x\\udfff")
    assert_refused(await post_raw(client, text, athlete.headers), "input.equipment.1")


@pytest.mark.parametrize("start", ["9999-12-06", "0001-01-01", "1799-12-31", "3000-01-01"])
async def test_far_dates_in_generation_are_refused_before_the_calendar(gql, make_user, start):
    athlete = await make_user(Role.ATHLETE)
    body = await gql(GENERATE, {"input": {"goal": "STRENGTH", "startDate": start, "totalWeeks": 4,
                                          "weekdays": ["MONDAY"]}}, as_=athlete)
    assert_refused(body, "input.startDate")


async def test_dates_inside_the_range_still_work(gql, make_user):
    athlete = await make_user(Role.ATHLETE)
    body = await gql(GENERATE, {"input": {"goal": "STRENGTH", "startDate": "2999-01-05", "totalWeeks": 4,
                                          "weekdays": ["MONDAY"]}}, as_=athlete)
    assert body["data"]["generateProgram"]["errors"] == [], body
    assert body["data"]["generateProgram"]["program"]["id"]


@pytest.mark.parametrize("raw", [
    f"9999-12-31T23:59:59-14:00|{uuid.UUID(int=0)}",
    f"0001-01-01T00:00:00+14:00|{uuid.UUID(int=0)}",
    f"2026-01-01T00:00:00|{uuid.UUID(int=0)}",  # no time zone: not one of ours
    "2026-01-01T00:00:00+00:00|not-a-uuid",
    "\x00|\x00",
])
@pytest.mark.parametrize("query", [PROGRAM_PAGE, ATHLETE_PAGE, COACH_PAGE])
async def test_forged_cursors_are_bad_input(gql, make_user, raw, query):
    coach = await make_user(Role.COACH)
    body = await gql(query, {"after": cursor(raw)}, as_=coach)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}, error
    assert_no_sql(json.dumps(body))


async def test_first_zero_gives_an_empty_page_with_a_usable_cursor(gql, make_user, make_programs):
    athlete = await make_user(Role.ATHLETE)
    ids = await make_programs(athlete, 3, mesocycles=1)
    query = """query($first: Int, $after: String) { viewer { programs(first: $first, after: $after) {
        edges { node { id } } pageInfo { hasNextPage startCursor endCursor } } } }"""

    empty = (await gql(query, {"first": 0}, as_=athlete))["data"]["viewer"]["programs"]
    assert empty["edges"] == []
    assert empty["pageInfo"]["hasNextPage"] is True
    assert empty["pageInfo"]["endCursor"] == empty["pageInfo"]["startCursor"] is not None

    page = (await gql(query, {"first": 2, "after": empty["pageInfo"]["endCursor"]}, as_=athlete))
    page = page["data"]["viewer"]["programs"]
    from_start = (await gql(query, {"first": 2}, as_=athlete))["data"]["viewer"]["programs"]
    assert page == from_start

    # first: 0 after a real cursor stays where it is.
    stay = (await gql(query, {"first": 0, "after": page["pageInfo"]["endCursor"]}, as_=athlete))
    assert stay["data"]["viewer"]["programs"]["pageInfo"]["endCursor"] == page["pageInfo"]["endCursor"]
    assert stay["data"]["viewer"]["programs"]["pageInfo"]["hasNextPage"] is True

    rest = (await gql(query, {"first": 5, "after": page["pageInfo"]["endCursor"]}, as_=athlete))
    seen = [e["node"]["id"] for e in page["edges"] + rest["data"]["viewer"]["programs"]["edges"]]
    assert sorted(seen) == sorted(str(i) for i in ids)


async def test_client_errors_are_logged_in_one_line_without_traceback(gql, caplog):
    with caplog.at_level(logging.INFO, logger="trainforge.graphql"):
        await gql(NUL_LOGIN)
        await gql("{ viewer { nope } }")
    records = [r for r in caplog.records if r.name == "trainforge.graphql"]
    assert len(records) == 2, [r.getMessage() for r in records]
    for record in records:
        assert record.exc_info is None
        assert "\n" not in record.getMessage()
    assert "BAD_USER_INPUT" in records[0].getMessage()


@pytest.mark.parametrize("env", ["development", "production"])
async def test_a_date_a_scalar_refuses_is_the_clients_error_in_any_mode(make_client, make_user, env):
    athlete = await make_user(Role.ATHLETE)
    client = await make_client(env=env)
    for body in (
        {"query": GENERATE, "variables": {"input": {"goal": "STRENGTH", "startDate": "soon", "totalWeeks": 4,
                                                    "weekdays": ["MONDAY"]}}},
        {"query": 'mutation { updateProfile(input: {birthDate: "soon"}) { errors { message } } }'},
    ):
        result = (await client.post("/graphql", json=body, headers=athlete.headers)).json()
        [error] = result["errors"]
        assert (error.get("extensions") or {}).get("code") != "INTERNAL_SERVER_ERROR", error
        assert "soon" in error["message"], error
