"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/): media types and status codes.

The first part ports every server audit of graphql-http (the spec's reference
suite, `src/audits/server.ts`), MUST, SHOULD and MAY alike, one test per audit
named after its id and description, so `make test` checks conformance without
Node. Notes on how a browser's `fetch` (what the audits use) differs from httpx:
- a string body without a content-type header goes out as
  `text/plain;charset=UTF-8`; httpx sends no content-type at all, so 9ABE is
  checked both ways;
- `fetch` sends `Accept: */*` unless told otherwise, as httpx does; 80D8
  ("accept is missing") therefore removes the header.
The rest covers what the audits do not: Accept negotiation, the exact
content-type, field errors under application/graphql-response+json, and error
messages that echo lone surrogates.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from graphql import GraphQLError
from strawberry.types import ExecutionResult

from trainforge.transport import GRAPHQL_RESPONSE_JSON, JSON, never_executed, response_media_type

TYPENAME = "{ __typename }"
UNKNOWN_FIELD = "{ 8f31403dfe404bccbb0e835f2629c6a7 }"  # a field no schema has
COERCION_FAILURE = "query CoerceFailure($id: ID!){ __typename }"
TYPE_BY_NAME = "query Type($name: String!) { __type(name: $name) { name } }"
_OMIT = object()


async def post(
    client: httpx.AsyncClient,
    body: Any = _OMIT,
    *,
    content_type: str | None = "application/json",
    accept: str | None = None,
) -> httpx.Response:
    """POST /graphql. `body` is JSON-encoded unless it is already a str; `accept=None` sends no Accept header."""
    headers = {}
    if content_type is not None:
        headers["content-type"] = content_type
    content = None if body is _OMIT else body if isinstance(body, str) else json.dumps(body)
    request = client.build_request("POST", "/graphql", content=content, headers=headers)
    if accept is None:
        del request.headers["accept"]  # httpx adds `Accept: */*` by default
    else:
        request.headers["accept"] = accept
    return await client.send(request)


async def get(client: httpx.AsyncClient, accept: str | None = None, **params: str) -> httpx.Response:
    return await client.get("/graphql", params=params, headers={"accept": accept} if accept else {})


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def execution_result(response: httpx.Response) -> dict[str, Any]:
    """The body as the audits read it: strict UTF-8, then JSON."""
    return json.loads(response.content.decode("utf-8"))


# --- graphql-http server audits: media types ---------------------------------------------------------


async def test_22EB_should_accept_graphql_response_json_and_match_the_content_type(client):
    response = await post(client, {"query": TYPENAME}, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 200
    assert GRAPHQL_RESPONSE_JSON in response.headers["content-type"]


async def test_4655_must_accept_application_json_and_match_the_content_type(client):
    response = await post(client, {"query": TYPENAME}, accept=JSON)

    assert response.status_code == 200
    assert JSON in response.headers["content-type"]


async def test_47DE_should_accept_any_media_type_and_use_application_json_for_the_content_type(client):
    response = await post(client, {"query": TYPENAME}, accept="*/*")

    assert response.status_code == 200
    assert media_type(response) == JSON


async def test_80D8_should_assume_application_json_content_type_when_accept_is_missing(client):
    response = await post(client, {"query": TYPENAME}, accept=None)

    assert response.status_code == 200
    assert media_type(response) == JSON


async def test_82A3_must_use_utf8_encoding_when_responding(client):
    response = await post(client, {"query": TYPENAME})

    assert response.status_code == 200
    response.content.decode("utf-8")  # strict: raises on anything but UTF-8


async def test_BF61_must_accept_utf8_encoded_request(client):
    body = json.dumps({"query": '{ __type(name: "Run🏃Swim🏊") { name } }'}, ensure_ascii=False)  # raw UTF-8, no escapes

    response = await post(client, body, content_type="application/json; charset=utf-8")

    assert response.status_code == 200


async def test_78D5_must_assume_utf8_in_request_if_encoding_is_unspecified(client):
    response = await post(client, {"query": TYPENAME}, content_type="application/json")

    assert response.status_code == 200


# --- graphql-http server audits: requests ------------------------------------------------------------


async def test_2C94_must_accept_post_requests(client):
    response = await post(client, {"query": TYPENAME})

    assert response.status_code == 200


async def test_5A70_may_accept_application_x_www_form_urlencoded_formatted_get_requests(client):
    response = await client.get("/graphql", params={"query": TYPENAME})  # httpx sends `Accept: */*`, like fetch

    assert response.status_code == 200


async def test_9C48_may_not_allow_executing_mutations_on_get_requests(client):
    response = await get(client, accept=GRAPHQL_RESPONSE_JSON, query="mutation { __typename }")

    assert 400 <= response.status_code <= 499


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain;charset=UTF-8"],
    ids=["no content-type (httpx)", "text/plain (what fetch sends)"],
)
async def test_9ABE_should_respond_with_4xx_status_code_if_content_type_is_not_supplied_on_post_requests(
    client, content_type
):
    response = await post(client, {"query": TYPENAME}, content_type=content_type)

    assert 400 <= response.status_code <= 499


async def test_03D4_must_accept_application_json_post_requests(client):
    response = await post(client, {"query": TYPENAME}, content_type="application/json")

    assert response.status_code == 200


async def test_A5BF_may_use_400_status_code_when_request_body_is_missing_on_post(client):
    response = await post(client)

    assert response.status_code == 400


# --- graphql-http server audits: request parameters --------------------------------------------------

INVALID_MAPS = [pytest.param("string", id="string"), 0, False, pytest.param(["array"], id="array")]
INVALID_STRINGS = [pytest.param({"obj": "ect"}, id="object"), 0, False, pytest.param(["array"], id="array")]


async def test_423L_may_use_400_status_code_on_missing_query_parameter(client):
    response = await post(client, {"notquery": TYPENAME}, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 400


@pytest.mark.parametrize("audit, invalid", [(f"LKJ{i}", p) for i, p in enumerate(INVALID_STRINGS)])
async def test_LKJx_may_use_400_status_code_on_invalid_query_parameter(client, audit, invalid):
    response = await post(client, {"query": invalid})

    assert response.status_code == 400, audit


async def test_34A2_should_allow_string_query_parameter_when_accepting_graphql_response_json(client):
    response = await post(client, {"query": TYPENAME}, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 200


async def test_13EE_must_allow_string_query_parameter_when_accepting_application_json(client):
    response = await post(client, {"query": TYPENAME}, accept=JSON)

    assert response.status_code == 200
    assert "errors" not in execution_result(response)


@pytest.mark.parametrize("audit, invalid", [(f"6C0{i}", p) for i, p in enumerate(INVALID_STRINGS)])
async def test_6C0x_may_use_400_status_code_on_invalid_operation_name_parameter(client, audit, invalid):
    response = await post(client, {"operationName": invalid, "query": TYPENAME})

    assert response.status_code == 400, audit


async def test_8161_should_allow_string_operation_name_parameter_when_accepting_graphql_response_json(client):
    response = await post(
        client, {"operationName": "Query", "query": "query Query { __typename }"}, accept=GRAPHQL_RESPONSE_JSON
    )

    assert response.status_code == 200


async def test_B8B3_must_allow_string_operation_name_parameter_when_accepting_application_json(client):
    response = await post(client, {"operationName": "Query", "query": "query Query { __typename }"}, accept=JSON)

    assert response.status_code == 200
    assert "errors" not in execution_result(response)


NULLABLE_PARAMETERS = [("0", "variables"), ("1", "operationName"), ("2", "extensions")]


@pytest.mark.parametrize("index, parameter", NULLABLE_PARAMETERS, ids=[p for _, p in NULLABLE_PARAMETERS])
async def test_94Bx_should_allow_null_parameter_when_accepting_graphql_response_json(client, index, parameter):
    response = await post(client, {"query": TYPENAME, parameter: None}, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 200, f"94B{index}"
    assert "errors" not in execution_result(response)


@pytest.mark.parametrize("index, parameter", NULLABLE_PARAMETERS, ids=[p for _, p in NULLABLE_PARAMETERS])
async def test_022x_must_allow_null_parameter_when_accepting_application_json(client, index, parameter):
    response = await post(client, {"query": TYPENAME, parameter: None}, accept=JSON)

    assert response.status_code == 200, f"022{index}"
    assert "errors" not in execution_result(response)


@pytest.mark.parametrize("audit, invalid", [(f"476{i}", p) for i, p in enumerate(INVALID_MAPS)])
async def test_476x_may_use_400_status_code_on_invalid_variables_parameter(client, audit, invalid):
    response = await post(client, {"query": TYPENAME, "variables": invalid})

    assert response.status_code == 400, audit


async def test_2EA1_should_allow_map_variables_parameter_when_accepting_graphql_response_json(client):
    response = await post(
        client, {"query": TYPE_BY_NAME, "variables": {"name": "sometype"}}, accept=GRAPHQL_RESPONSE_JSON
    )

    assert response.status_code == 200


async def test_28B9_must_allow_map_variables_parameter_when_accepting_application_json(client):
    response = await post(client, {"query": TYPE_BY_NAME, "variables": {"name": "sometype"}}, accept=JSON)

    assert response.status_code == 200
    assert "errors" not in execution_result(response)


async def test_D6D5_may_allow_url_encoded_json_string_variables_parameter_in_gets_when_accepting_graphql_response_json(
    client,
):
    response = await get(
        client, accept=GRAPHQL_RESPONSE_JSON, query=TYPE_BY_NAME, variables=json.dumps({"name": "sometype"})
    )

    assert response.status_code == 200
    assert "errors" not in execution_result(response)


async def test_6A70_may_allow_url_encoded_json_string_variables_parameter_in_gets_when_accepting_application_json(
    client,
):
    response = await get(client, accept=JSON, query=TYPE_BY_NAME, variables=json.dumps({"name": "sometype"}))

    assert response.status_code == 200
    assert "errors" not in execution_result(response)


@pytest.mark.parametrize("audit, invalid", [(f"58B{i}", p) for i, p in enumerate(INVALID_MAPS)])
async def test_58Bx_may_use_400_status_code_on_invalid_extensions_parameter(client, audit, invalid):
    response = await post(client, {"query": TYPENAME, "extensions": invalid})

    assert response.status_code == 400, audit


async def test_428F_should_allow_map_extensions_parameter_when_accepting_graphql_response_json(client):
    response = await post(client, {"query": TYPENAME, "extensions": {"some": "value"}}, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 200


async def test_1B7A_must_allow_map_extensions_parameter_when_accepting_application_json(client):
    response = await post(client, {"query": TYPENAME, "extensions": {"some": "value"}}, accept=JSON)

    assert response.status_code == 200
    assert "errors" not in execution_result(response)


async def test_B6DC_may_use_2xx_4xx_or_5xx_status_codes_on_json_parsing_failure_when_accepting_application_json(
    client,
):
    response = await post(client, '{ "not a JSON', accept=JSON)

    assert 200 <= response.status_code <= 299 or 400 <= response.status_code <= 599


async def test_BCF8_should_use_400_status_code_on_json_parsing_failure_when_accepting_application_json(client):
    response = await post(client, '{ "not a JSON', accept=JSON)

    assert response.status_code == 400


async def test_B7N8_should_use_400_status_code_on_json_parsing_failure_when_accepting_graphql_response_json(client):
    response = await post(client, '{ "not a JSON', accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 400


async def test_8764_may_use_4xx_or_5xx_status_codes_if_parameters_are_invalid(client):
    response = await post(client, {"qeury": TYPENAME})  # sic: the typo is the point

    assert 400 <= response.status_code <= 599


async def test_3E3A_may_use_400_status_code_if_parameters_are_invalid(client):
    response = await post(client, {"qeury": TYPENAME})

    assert response.status_code == 400


# --- graphql-http server audits: application/json responses ------------------------------------------


async def test_572B_should_use_200_status_code_on_document_parsing_failure_when_accepting_application_json(client):
    response = await post(client, {"query": "{"}, accept=JSON)

    assert response.status_code == 200


async def test_FDE2_should_use_200_status_code_on_document_validation_failure_when_accepting_application_json(
    client,
):
    response = await post(client, {"query": UNKNOWN_FIELD}, accept=JSON)

    assert response.status_code == 200


async def test_7B9B_should_use_a_status_code_of_200_on_variable_coercion_failure_when_accepting_application_json(
    client,
):
    response = await post(client, {"query": COERCION_FAILURE, "variables": {"id": None}}, accept=JSON)

    assert response.status_code == 200


# --- graphql-http server audits: application/graphql-response+json responses -------------------------


async def test_865D_should_use_4xx_or_5xx_status_codes_on_document_parsing_failure_when_accepting_graphql_response_json(
    client,
):
    response = await post(client, {"query": "{"}, accept=GRAPHQL_RESPONSE_JSON)

    assert 400 <= response.status_code <= 599


async def test_556A_should_use_400_status_code_on_document_parsing_failure_when_accepting_graphql_response_json(
    client,
):
    response = await post(client, {"query": "{"}, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 400


async def test_D586_should_not_contain_the_data_entry_on_document_parsing_failure_when_accepting_graphql_response_json(
    client,
):
    response = await post(client, {"query": "{"}, accept=GRAPHQL_RESPONSE_JSON)

    assert "data" not in execution_result(response)


async def test_51FE_should_use_4xx_or_5xx_status_codes_on_document_validation_failure_when_accepting_graphql_response_json(
    client,
):
    response = await post(client, {"query": UNKNOWN_FIELD}, accept=GRAPHQL_RESPONSE_JSON)

    assert 400 <= response.status_code <= 599


async def test_74FF_should_use_400_status_code_on_document_validation_failure_when_accepting_graphql_response_json(
    client,
):
    response = await post(client, {"query": UNKNOWN_FIELD}, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 400


async def test_5E5B_should_not_contain_the_data_entry_on_document_validation_failure_when_accepting_graphql_response_json(
    client,
):
    response = await post(client, {"query": UNKNOWN_FIELD}, accept=GRAPHQL_RESPONSE_JSON)

    assert "data" not in execution_result(response)


async def test_86EE_should_use_a_status_code_of_400_on_variable_coercion_failure_when_accepting_graphql_response_json(
    client,
):
    response = await post(client, {"query": COERCION_FAILURE, "variables": {"id": None}}, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 400


# --- beyond the audits: negotiation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json; charset=utf-8", GRAPHQL_RESPONSE_JSON),
        # What graphql-http's and Apollo's clients send:
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json", JSON),  # same q: the first listed
        ("application/json;q=0.5, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json;q=0.5, application/json", JSON),
        ("application/graphql-response+json, */*", GRAPHQL_RESPONSE_JSON),  # named beats a wildcard
        ("application/graphql-response+json;q=0, */*", JSON),  # q=0: not acceptable
        ("application/graphql-response+json;q=nonsense", JSON),
        ("text/html", JSON),  # neither: answered as application/json, not 406
    ],
)
def test_response_media_type_follows_accept_order_and_q_values(accept, expected):
    assert response_media_type(accept) == expected


async def test_graphql_response_json_content_type_names_utf8(client):
    accept = "application/graphql-response+json, application/json;q=0.9"
    response = await post(client, {"query": TYPENAME}, accept=accept)

    assert response.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    assert execution_result(response) == {"data": {"__typename": "Query"}}


async def test_application_json_is_preferred_when_listed_first(client):
    response = await post(client, {"query": TYPENAME}, accept="application/json, application/graphql-response+json")

    assert media_type(response) == JSON


async def test_get_query_answers_graphql_response_json(client):
    response = await get(client, accept=GRAPHQL_RESPONSE_JSON, query=TYPENAME)

    assert response.status_code == 200
    assert media_type(response) == GRAPHQL_RESPONSE_JSON
    assert execution_result(response) == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE_JSON])
async def test_get_mutation_is_refused_with_405_whatever_the_media_type(client, accept):
    """The spec's 405 (strawberry alone answers 400), with the Allow header RFC 9110 requires."""
    mutation = 'mutation { logIn(input: {email: "a@b.c", password: "x"}) { token } }'
    response = await get(client, accept=accept, query=mutation)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


# --- beyond the audits: request errors and execution errors ------------------------------------------

REQUEST_ERRORS = [
    pytest.param({"query": "{"}, id="parse"),
    pytest.param({"query": UNKNOWN_FIELD}, id="validation"),
    pytest.param({"query": COERCION_FAILURE, "variables": {"id": None}}, id="variable coercion"),
]


@pytest.mark.parametrize("body", REQUEST_ERRORS)
async def test_request_errors_are_400_without_data_under_graphql_response_json(client, body):
    response = await post(client, body, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 400
    assert media_type(response) == GRAPHQL_RESPONSE_JSON
    result = execution_result(response)
    assert "data" not in result and result["errors"], result


@pytest.mark.parametrize("body", REQUEST_ERRORS)
async def test_request_errors_stay_200_with_null_data_under_application_json(client, body):
    response = await post(client, body, accept=JSON)

    assert response.status_code == 200
    assert media_type(response) == JSON
    result = execution_result(response)
    assert result["data"] is None and result["errors"], result


async def test_field_errors_are_200_with_data_under_graphql_response_json(client, engine):
    """The request reached execution: the field's error goes with the data, status 200."""
    response = await post(
        client,
        {"query": '{ program(id: "00000000-0000-0000-0000-000000000000") { id } }'},
        accept=GRAPHQL_RESPONSE_JSON,
    )

    assert response.status_code == 200
    result = execution_result(response)
    assert result["data"] == {"program": None}
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_an_execution_error_that_nulls_all_data_is_not_a_request_error():
    """A non-null root field failing makes `data` null, but execution ran: the error has a path."""
    located = GraphQLError("boom", path=["equipmentCatalog"])

    assert not never_executed(ExecutionResult(data=None, errors=[located]))
    assert never_executed(ExecutionResult(data=None, errors=[GraphQLError("Syntax Error")]))
    assert not never_executed(ExecutionResult(data={"a": 1}, errors=None))


# --- beyond the audits: error messages echoing lone surrogates ---------------------------------------

# strawberry's Date scalar echoes the value it refuses as given; "\ud800" stays a JSON escape in
# the body, so the server decodes a lone surrogate, which orjson cannot encode.
LONE_SURROGATE_BODY = '{"query": %s, "variables": {"d": "a\\ud800"}}' % json.dumps(
    "mutation($d: Date!) { generateProgram(input: "
    "{goal: STRENGTH, startDate: $d, totalWeeks: 8, weekdays: [MONDAY]}) { __typename } }"
)
# graphql-core itself quotes such values with repr() (an escape, not the surrogate): valid either way.
LONE_SURROGATE_IN_A_LIST_BODY = (
    '{"query": "query($e: String!) { program(id: $e) { id } }", "variables": {"e": ["\\ud800"]}}'
)


@pytest.mark.parametrize("accept, status", [(JSON, 200), (GRAPHQL_RESPONSE_JSON, 400)])
async def test_error_echoing_a_lone_surrogate_answers_valid_json(client, accept, status):
    response = await post(client, LONE_SURROGATE_BODY, accept=accept)

    assert response.status_code == status, response.text
    message = execution_result(response)["errors"][0]["message"]
    assert "Date" in message and "a\ufffd" in message, message
    message.encode("utf-8")  # strict: no surrogate survived the round trip


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE_JSON])
async def test_lone_surrogate_in_a_list_variable_answers_valid_json(client, accept):
    response = await post(client, LONE_SURROGATE_IN_A_LIST_BODY, accept=accept)

    assert response.status_code in (200, 400), response.text
    assert execution_result(response)["errors"]
