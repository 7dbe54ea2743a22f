"""The plain-data execution plans give exactly what graphql-core's own path gives."""

from __future__ import annotations

import enum
from datetime import date
from types import SimpleNamespace

import pytest
import strawberry

from trainforge.models import Role
from trainforge.resolvers.context import Context
from trainforge.resolvers.loaders import Loaders
from trainforge.schema import build_schema
from trainforge.schema.execution import PlainDataExecutionContext
from trainforge.services.auth import Viewer

from conftest import REPO

PROGRAM_TREE = (REPO / "codegen" / "operations" / "programs.graphql").read_text()


async def test_program_tree_is_identical_with_and_without_plans(app, settings, make_user, make_programs):
    athlete = await make_user(Role.ATHLETE)
    [program_id] = await make_programs(athlete, mesocycles=2, days=4)
    graphql_app = app.state.graphql

    async def run(schema: strawberry.Schema) -> dict:
        context = Context(
            settings=settings,
            engine=graphql_app.engine,
            sessions=graphql_app.sessions,
            reader=graphql_app.reader,
            loaders=Loaders(graphql_app.reader),
            generators=graphql_app.generators,
            viewer=Viewer(athlete.id, Role.ATHLETE),
        )
        result = await schema.execute(
            PROGRAM_TREE, variable_values={"id": str(program_id)}, context_value=context, operation_name="ProgramTree"
        )
        assert result.errors is None
        return result.data

    planned = await run(build_schema(settings))
    plain = await run(build_schema(settings, plain_data_plans=False))
    assert planned == plain
    assert len(planned["program"]["macrocycles"][0]["mesocycles"][1]["microcycles"][0]["workouts"]) == 4


class Color(enum.Enum):
    RED = "red"


Shade = strawberry.enum(Color)


@strawberry.type
class Leaf:
    name: str
    count: int | None
    color: Shade | None
    day: date | None
    tags: list[str]


@strawberry.type
class Query:
    @strawberry.field
    def leaves(self) -> list[Leaf | None]:
        good = dict(name="a", count=1, color=Color.RED, day=date(2026, 1, 2), tags=["x"])
        return [
            SimpleNamespace(**good),
            SimpleNamespace(**{**good, "name": None}),  # non-null violated
            SimpleNamespace(**{**good, "count": "many"}),  # an Int that is not one
            SimpleNamespace(**{**good, "tags": [None]}),  # non-null list item violated
            SimpleNamespace(**{**good, "color": "blue"}),  # not an enum value
            SimpleNamespace(**{**good, "count": None, "day": None}),
        ]

    @strawberry.field
    def nullable_leaf(self) -> Leaf | None:
        return SimpleNamespace(name=None, count=1, color=None, day=None, tags=[])


QUERY = """{
  leaves { __typename name n: count color day tags ...F }
  nullableLeaf { name }
}
fragment F on Leaf { count @include(if: true) day @skip(if: true) }"""


@pytest.mark.parametrize("query", [QUERY, "{ leaves { name } }", "{ leaves { count tags } }"])
def test_fallback_reproduces_graphql_core_results_and_errors(query):
    planned = strawberry.Schema(Query, execution_context_class=PlainDataExecutionContext).execute_sync(query)
    plain = strawberry.Schema(Query).execute_sync(query)
    assert planned.data == plain.data
    assert [(e.message, e.path) for e in planned.errors or []] == [(e.message, e.path) for e in plain.errors or []]


def test_fallback_cases_do_produce_errors():
    result = strawberry.Schema(Query, execution_context_class=PlainDataExecutionContext).execute_sync(QUERY)
    assert result.data["leaves"][0]["name"] == "a"
    # Errors on non-null fields null the item; on nullable fields, just the field.
    assert result.data["leaves"][1] is None and result.data["leaves"][3] is None
    assert result.data["leaves"][2]["n"] is None and result.data["leaves"][2]["count"] is None
    assert result.data["leaves"][4]["color"] is None
    assert result.data["leaves"][5] == {
        "__typename": "Leaf", "name": "a", "n": None, "color": "RED", "day": None, "tags": ["x"], "count": None
    }
    paths = {tuple(e.path) for e in result.errors}
    assert {("leaves", 1, "name"), ("leaves", 2, "n"), ("leaves", 2, "count"), ("leaves", 3, "tags", 0), ("leaves", 4, "color"),
            ("nullableLeaf", "name")} == paths


def test_plans_serialize_like_graphql_core():
    schema = strawberry.Schema(Query, execution_context_class=PlainDataExecutionContext)
    result = schema.execute_sync("{ nullableLeaf { count tags } }")
    assert result.data == {"nullableLeaf": {"count": 1, "tags": []}}
