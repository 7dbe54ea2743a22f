"""The fixed cost of a request: loaders built on first use, documents parsed and validated once per text."""

from __future__ import annotations

from typing import Any

import pytest
from graphql.language import ast

import trainforge.schema.caches
from trainforge.models import Role
from trainforge.resolvers import loaders as loaders_module
from trainforge.resolvers.loaders import Loaders, ManyLoader, OneLoader
from trainforge.schema import build_schema
from trainforge.schema.caches import OperationCache

NAMES = (
    "user profile program macrocycle mesocycle microcycle workout macrocycles mesocycles microcycles workouts".split()
)


class Counter:
    """Wraps a callable and counts its calls."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.wrapped(*args, **kwargs)


# --- loaders ------------------------------------------------------------------------------------------


def test_loaders_are_built_on_first_use_and_kept(engine):
    loaders = Loaders(engine)

    assert not set(NAMES) & set(vars(loaders))
    first = loaders.workouts
    assert isinstance(first, ManyLoader) and isinstance(loaders.user, OneLoader)
    assert loaders.workouts is first  # one loader per request: its batches and cache are shared
    assert set(NAMES) & set(vars(loaders)) == {"workouts", "user"}
    assert all(isinstance(getattr(loaders, name), (OneLoader, ManyLoader)) for name in NAMES)


def test_loaders_of_a_connection_batch_without_caching(engine):
    assert all(getattr(Loaders(engine, cache=False), name).cache is False for name in NAMES)
    assert all(getattr(Loaders(engine), name).cache is True for name in NAMES)


async def test_a_request_builds_only_the_loaders_it_uses(gql, make_user, monkeypatch):
    athlete = await make_user(Role.ATHLETE)
    built: list[str] = []
    init = loaders_module._BatchLoader.__init__

    def counting(self: Any, reader: Any, fetch: Any, key: str, *, cache: bool) -> None:
        built.append(fetch.__name__)
        init(self, reader, fetch, key, cache=cache)

    monkeypatch.setattr(loaders_module._BatchLoader, "__init__", counting)

    assert await gql("{ __typename }", as_=athlete) == {"data": {"__typename": "Query"}}
    assert built == []
    result = await gql("{ viewer { id } }", as_=athlete)
    assert result == {"data": {"viewer": {"id": str(athlete.id)}}}
    assert built == ["users_by_ids"]


# --- parse and validation caches ----------------------------------------------------------------------


async def test_the_same_text_is_parsed_and_validated_once(make_client, monkeypatch):
    parse = Counter(trainforge.schema.caches.parse)
    validate = Counter(trainforge.schema.caches.validate_document)
    monkeypatch.setattr(trainforge.schema.caches, "parse", parse)
    monkeypatch.setattr(trainforge.schema.caches, "validate_document", validate)
    client = await make_client()  # a fresh schema, built with the counting parse

    for _ in range(3):
        response = await client.post("/graphql", json={"query": "{ __typename }"})
        assert response.json() == {"data": {"__typename": "Query"}}
    assert (parse.calls, validate.calls) == (1, 1)

    other = await client.post("/graphql", json={"query": "query Other { __typename }"})
    assert other.json() == {"data": {"__typename": "Query"}}
    assert (parse.calls, validate.calls) == (2, 2)


async def test_a_cached_request_hashes_no_document(gql, make_user, monkeypatch):
    athlete = await make_user(Role.ATHLETE)
    query = "query Hash($first: Int) { viewer { id programs(first: $first) { edges { node { id name } } } } }"
    expected = {"data": {"viewer": {"id": str(athlete.id), "programs": {"edges": []}}}}
    assert await gql(query, {"first": 5}, as_=athlete) == expected
    # Nodes are frozen dataclasses: hashing a document hashes its whole tree, every time.
    hashed = Counter(ast.DocumentNode.__hash__)
    monkeypatch.setattr(ast.DocumentNode, "__hash__", hashed)

    assert await gql(query, {"first": 5}, as_=athlete) == expected
    # strawberry's ValidationCache hashed the document on every request.
    assert hashed.calls == 0


def test_one_document_object_per_text_and_fresh_error_lists(settings):
    cache = OperationCache([], max_tokens=100, parser_cache_size=2, validation_cache_size=2)
    schema = build_schema(settings)._schema
    bad = "{ viewer { xyzzy } }"

    assert cache.parse("{ __typename }") is cache.parse("{ __typename }")
    errors = cache.errors(schema, bad)
    assert [e.message for e in errors] == ["Cannot query field 'xyzzy' on type 'Viewer'."]
    errors.clear()  # what a caller does with its list does not reach the cache
    assert len(cache.errors(schema, bad)) == 1


def test_the_caches_are_bounded_by_the_settings(settings):
    schema = build_schema(settings.model_copy(update={"parser_cache_size": 3, "validation_cache_size": 2}))
    operations = schema.operations
    assert operations is not None

    for i in range(10):
        assert schema.execute_sync(f"query Q{i} {{ __typename }}").errors is None
    info = operations.cache_info()
    assert (info["parse"].currsize, info["validation"].currsize) == (3, 2)


@pytest.mark.parametrize("query", ["{ viewer { id ", "{ " + "__typename " * 200 + "}"])
def test_documents_that_fail_to_parse_are_not_cached(settings, query):
    schema = build_schema(settings.model_copy(update={"max_tokens": 100}))
    operations = schema.operations
    assert operations is not None

    messages = [[e.message for e in schema.execute_sync(query).errors or []] for _ in range(2)]

    assert messages[0] == messages[1] and messages[0][0].startswith("Syntax Error:")
    assert operations.cache_info()["parse"].currsize == 0
