"""Query limits, production hardening (introspection, GraphiQL, error masking), /healthz and /metrics."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from trainforge.models import Role

INTROSPECTION = "{ __schema { types { name } } }"
DEEP = """
{ viewer { programs { edges { node { macrocycles { mesocycles { microcycles { workouts {
    prescription { exercises { exercise } }
} } } } } } } } }
"""


def break_program_reads(monkeypatch: pytest.MonkeyPatch, fail: Any) -> None:
    """Make `program(id)` run `await fail(connection)`, by either path (compiled SQL or resolvers)."""
    import trainforge.services.programs
    from trainforge.resolvers.compiled import TableRead

    async def resolver_path(conn: Any, *args: Any) -> None:
        await fail(conn)

    async def compiled_path(read: TableRead, sql: str) -> None:
        async with read.ctx.reader.connect() as conn:
            await fail(conn)

    monkeypatch.setattr(trainforge.services.programs, "get_program", resolver_path)
    monkeypatch.setattr(TableRead, "fetch_json", compiled_path)


def no_traceback(response: httpx.Response) -> None:
    assert "Traceback" not in response.text
    assert 'File "' not in response.text


@pytest.fixture
async def prod(make_client) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    return await make_client(env="production")


# --- malformed and oversized documents ----------------------------------------------------------


async def test_syntax_error_is_a_client_error_without_traceback(client):
    response = await client.post("/graphql", json={"query": "{ viewer { id "})

    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert body["errors"][0]["message"].startswith("Syntax Error:")
    no_traceback(response)


async def test_body_that_is_not_json_is_a_400(client):
    response = await client.post("/graphql", content=b"{not json", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    no_traceback(response)


async def test_missing_query_is_a_400(client):
    response = await client.post("/graphql", json={"variables": {}})

    assert response.status_code == 400
    no_traceback(response)


async def test_unknown_field_is_a_validation_error(gql):
    result = await gql("{ viewer { id xyzzy } }")

    assert result["data"] is None
    assert [e["message"] for e in result["errors"]] == ["Cannot query field 'xyzzy' on type 'Viewer'."]


async def test_query_deeper_than_the_limit_is_refused(make_client, settings):
    limited = await make_client(max_query_depth=5)

    deep = (await limited.post("/graphql", json={"query": DEEP})).json()
    # Depth counts nested selection sets below the root fields (as graphql-depth-limit does).
    at_limit = "{ viewer { programs { edges { node { macrocycles { id } } } } } }"
    one_over = "query Over { viewer { programs { edges { node { macrocycles { mesocycles { id } } } } } } }"
    allowed = (await limited.post("/graphql", json={"query": at_limit})).json()
    refused = (await limited.post("/graphql", json={"query": one_over})).json()

    assert deep["data"] is None
    assert [e["message"] for e in deep["errors"]] == ["'anonymous' exceeds maximum operation depth of 5"]
    assert allowed == {"data": {"viewer": None}}
    assert refused["data"] is None
    assert [e["message"] for e in refused["errors"]] == ["'Over' exceeds maximum operation depth of 5"]
    # The shared app allows this depth (default limit 15).
    assert settings.max_query_depth == 15


async def test_default_depth_limit_lets_the_deepest_schema_query_through(gql, settings):
    # The schema is at most 11 levels deep, so the default limit (15) lets the deepest query through.
    result = await gql(DEEP)

    assert "errors" not in result, result
    assert result == {"data": {"viewer": None}}


async def test_more_aliases_than_the_limit_are_refused(gql, settings):
    def aliases(n: int) -> str:
        return "{ " + " ".join(f"a{i}: __typename" for i in range(n)) + " }"

    allowed = await gql(aliases(settings.max_aliases))
    refused = await gql(aliases(settings.max_aliases + 1))

    assert "errors" not in allowed
    assert allowed["data"]["a0"] == "Query"
    assert refused["data"] is None
    assert [e["message"] for e in refused["errors"]] == [
        f"{settings.max_aliases + 1} aliases found. Allowed: {settings.max_aliases}"
    ]


async def test_document_with_too_many_tokens_is_refused(client, settings):
    # `{`, `}` and one token per field: far more than the limit.
    query = "{ " + " ".join(["__typename"] * settings.max_tokens) + " }"

    response = await client.post("/graphql", json={"query": query})

    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert body.get("data") is None
    assert body["errors"][0]["message"] == (
        f"Syntax Error: Document contains more than {settings.max_tokens} tokens. Parsing aborted."
    )
    no_traceback(response)


async def test_limits_hold_for_documents_sent_again(make_client):
    # The second request of each text is served from the parse and validation caches.
    limited = await make_client(max_query_depth=5, max_aliases=2, max_tokens=40)
    too_deep = "query Over { viewer { programs { edges { node { macrocycles { mesocycles { id } } } } } } }"
    too_many_aliases = "{ a: __typename b: __typename c: __typename }"
    too_long = "{ " + " ".join(["__typename"] * 40) + " }"

    for _ in range(3):
        deep = (await limited.post("/graphql", json={"query": too_deep})).json()
        aliases = (await limited.post("/graphql", json={"query": too_many_aliases})).json()
        tokens = (await limited.post("/graphql", json={"query": too_long})).json()
        fine = (await limited.post("/graphql", json={"query": "{ a: __typename b: __typename }"})).json()

        assert [e["message"] for e in deep["errors"]] == ["'Over' exceeds maximum operation depth of 5"]
        assert [e["message"] for e in aliases["errors"]] == ["3 aliases found. Allowed: 2"]
        assert [e["message"] for e in tokens["errors"]] == [
            "Syntax Error: Document contains more than 40 tokens. Parsing aborted."
        ]
        assert fine == {"data": {"a": "Query", "b": "Query"}}


# --- development mode -------------------------------------------------------------------------------


async def test_development_serves_graphiql(client):
    response = await client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_development_allows_introspection(gql):
    result = await gql(INTROSPECTION)

    assert "errors" not in result, result
    names = {t["name"] for t in result["data"]["__schema"]["types"]}
    assert {"Query", "Mutation", "Viewer", "Program", "ValidationError"} <= names


# --- production mode -------------------------------------------------------------------------------


async def test_production_refuses_introspection(prod):
    response = await prod.post("/graphql", json={"query": INTROSPECTION})

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"].lower()
    assert "__schema" in body["errors"][0]["message"]


async def test_production_does_not_serve_graphiql(prod):
    response = await prod.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code != 200
    assert not response.headers.get("content-type", "").startswith("text/html")
    assert "graphiql" not in response.text.lower()


async def test_production_masks_internal_errors(prod, make_user, monkeypatch, caplog):
    athlete = await make_user(Role.ATHLETE)

    async def broken(conn: Any) -> None:
        raise RuntimeError("secret detail")

    break_program_reads(monkeypatch, broken)

    response = await prod.post(
        "/graphql", json={"query": f'{{ program(id: "{uuid.uuid4()}") {{ id }} }}'}, headers=athlete.headers
    )

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"program": None}
    assert [e["message"] for e in body["errors"]] == ["Internal server error."]
    assert [e["extensions"] for e in body["errors"]] == [{"code": "INTERNAL_SERVER_ERROR"}]
    assert "secret detail" not in response.text
    assert "RuntimeError" not in response.text
    no_traceback(response)
    # ... but the server's log keeps the real error, with its traceback.
    logged = [r for r in caplog.records if r.exc_info and "secret detail" in str(r.exc_info[1])]
    assert logged, [r.getMessage() for r in caplog.records]


async def test_development_does_not_mask_internal_errors(gql, make_user, monkeypatch):
    athlete = await make_user(Role.ATHLETE)

    async def broken(conn: Any) -> None:
        raise RuntimeError("secret detail")

    break_program_reads(monkeypatch, broken)

    result = await gql(f'{{ program(id: "{uuid.uuid4()}") {{ id }} }}', as_=athlete)

    # Development shows the exception's type and message, with the same code as production.
    assert [e["message"] for e in result["errors"]] == ["RuntimeError: secret detail"]
    assert [e["extensions"] for e in result["errors"]] == [{"code": "INTERNAL_SERVER_ERROR"}]


@pytest.mark.parametrize("env", ["development", "production"])
async def test_database_errors_carry_no_sql_in_any_mode(make_client, make_user, monkeypatch, env):
    from sqlalchemy import text

    athlete = await make_user(Role.ATHLETE)

    async def failing(conn: Any) -> None:
        await conn.execute(text("SELECT CAST(:secret AS integer)"), {"secret": "secret-parameter"})

    break_program_reads(monkeypatch, failing)
    client = await make_client(env=env)
    response = await client.post(
        "/graphql", json={"query": f'{{ program(id: "{uuid.uuid4()}") {{ id }} }}'}, headers=athlete.headers
    )

    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    for leak in ("secret-parameter", "SELECT", "CAST", "[SQL", "parameters"):
        assert leak not in response.text, response.text
    no_traceback(response)


async def test_production_keeps_client_errors_visible(prod, make_user):
    athlete = await make_user(Role.ATHLETE)

    bad_input = (await prod.post("/graphql", json={"query": '{ program(id: "42") { id } }'}, headers=athlete.headers)).json()
    assert bad_input["data"] == {"program": None}
    assert bad_input["errors"][0]["message"] == "id is not a valid id"
    assert bad_input["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}

    anonymous = (await prod.post("/graphql", json={"query": '{ program(id: "42") { id } }'})).json()
    # The id is checked before the viewer, so this is still the client's input error.
    assert anonymous["errors"][0]["message"] == "id is not a valid id"
    assert anonymous["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    garbage = (await prod.post("/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": "Bearer x"})).json()
    assert garbage["data"] == {"viewer": None}
    assert garbage["errors"][0]["message"] == "invalid token"
    assert garbage["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    unauthenticated = (await prod.post("/graphql", json={"query": f'{{ program(id: "{uuid.uuid4()}") {{ id }} }}'})).json()
    assert unauthenticated["errors"][0]["message"] == "authentication required"
    assert unauthenticated["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    validation = (await prod.post("/graphql", json={"query": "{ viewer { xyzzy } }"})).json()
    assert [e["message"] for e in validation["errors"]] == ["Cannot query field 'xyzzy' on type 'Viewer'."]

    syntax = await prod.post("/graphql", json={"query": "{ viewer {"})
    assert syntax.status_code in (200, 400)
    assert syntax.json()["errors"][0]["message"].startswith("Syntax Error:")


async def test_production_mutation_errors_stay_typed(prod, make_user):
    coach = await make_user(Role.COACH)

    body = (
        await prod.post(
            "/graphql",
            json={"query": "mutation { updateProfile(input: {maxHr: 180}) { profile { maxHr } errors { __typename message } } }"},
            headers=coach.headers,
        )
    ).json()

    assert body == {
        "data": {
            "updateProfile": {
                "profile": None,
                "errors": [{"__typename": "ForbiddenError", "message": "only athletes have a profile"}],
            }
        }
    }


# --- /healthz and /metrics --------------------------------------------------------------------------


async def test_healthz_reports_a_reachable_database(client):
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


async def test_healthz_reports_an_unreachable_database(make_client):
    down = await make_client(url="postgresql://postgres@127.0.0.1:1/nodb")

    response = await down.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def metric(text: str, name: str) -> int:
    match = re.search(rf"^{name} (\d+)$", text, re.MULTILINE)
    assert match, text
    return int(match.group(1))


async def test_metrics_count_sql_statements_and_requests(client, gql, make_user):
    athlete = await make_user(Role.ATHLETE)

    before = await client.get("/metrics")
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/plain")
    assert "# TYPE trainforge_sql_statements_total counter" in before.text

    result = await gql("{ viewer { id profile { units } } }", as_=athlete)
    assert result["data"]["viewer"]["id"] == str(athlete.id)

    after = await client.get("/metrics")
    statements = metric(after.text, "trainforge_sql_statements_total") - metric(
        before.text, "trainforge_sql_statements_total"
    )
    # The viewer's user row and its profile: at least one statement each.
    assert statements >= 2
    # The GraphQL request and the second /metrics request itself.
    assert metric(after.text, "trainforge_http_requests_total") - metric(
        before.text, "trainforge_http_requests_total"
    ) == 2
    assert metric(after.text, "trainforge_db_pool_checked_out") == 0


async def test_production_errors_do_not_suggest_schema_names(prod, client):
    query = {"query": "{ viewer { rol } }"}
    # Development helps the developer ...
    dev = (await client.post("/graphql", json=query)).json()
    assert "Did you mean 'role'?" in dev["errors"][0]["message"]
    # ... production does not spell out the schema that introspection hides.
    production = (await prod.post("/graphql", json=query)).json()
    assert production["errors"][0]["message"] == "Cannot query field 'rol' on type 'Viewer'."
    # The validation errors are cached per text: neither mode's answer changes when it is sent again.
    assert (await client.post("/graphql", json=query)).json() == dev
    assert (await prod.post("/graphql", json=query)).json() == production


# --- masking on every path of the schema ------------------------------------------------------------


@pytest.mark.parametrize("production", [True, False])
async def test_internal_errors_are_masked_when_executed_and_streamed(settings, production):
    from trainforge.config import Environment
    from trainforge.schema import build_schema

    env = Environment.PRODUCTION if production else Environment.DEVELOPMENT
    schema = build_schema(settings.model_copy(update={"env": env}))
    query = "{ viewer { id } }"  # without a context the resolver fails: an internal error

    executed = await schema.execute(query, context_value=None)
    streamed = [result async for result in await schema.stream(query, context_value=None)]

    for result in (executed, *streamed):
        [error] = result.errors
        assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}
        assert error.original_error is None
        if production:
            assert error.message == "Internal server error."
        else:
            assert error.message.startswith("AttributeError: ")  # type and message, in development
        assert error.path == ["viewer"]


async def test_an_internal_error_before_execution_is_masked_too(prod, monkeypatch):
    from trainforge.schema.caches import OperationCache

    def broken(*args: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(OperationCache, "errors", broken)
    response = await prod.post("/graphql", json={"query": "{ __typename }"})

    [error] = response.json()["errors"]
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret detail" not in response.text
