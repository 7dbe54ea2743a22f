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
from trainforge.schema.node import Node, NodeRow
from trainforge.services.auth import Viewer

from conftest import REPO

PROGRAM_TREE = (REPO / "codegen" / "operations" / "programs.graphql").read_text()


def _context(app, settings, viewer: Viewer) -> Context:  # noqa: ANN001
    """A fresh request context of the app's own GraphQL view, for executing a schema directly."""
    view = app.state.graphql
    return Context(
        settings=settings,
        engine=view.engine,
        sessions=view.sessions,
        reader=view.reader,
        loaders=Loaders(view.reader),
        generators=view.generators,
        broker=view.broker,
        viewer=viewer,
    )


async def test_program_tree_is_identical_with_and_without_plans(app, settings, make_user, make_programs):
    athlete = await make_user(Role.ATHLETE)
    [program_id] = await make_programs(athlete, mesocycles=2, days=4)

    async def run(schema: strawberry.Schema) -> dict:
        # Resolvers, not SQL, build the tree here: this compares the plans with graphql-core.
        resolved = settings.model_copy(update={"compiled_reads": False})
        context = _context(app, resolved, Viewer(athlete.id, Role.ATHLETE))
        result = await schema.execute(
            PROGRAM_TREE, variable_values={"id": str(program_id)}, context_value=context, operation_name="ProgramTree"
        )
        assert result.errors is None
        return result.data

    planned = await run(build_schema(settings))
    plain = await run(build_schema(settings, plain_data_plans=False))
    assert planned == plain
    assert len(planned["program"]["macrocycles"][0]["mesocycles"][1]["microcycles"][0]["workouts"]) == 4


async def test_node_lookups_are_identical_with_and_without_plans(app, settings, make_user, make_programs):
    athlete = await make_user(Role.ATHLETE)
    [program_id] = await make_programs(athlete, mesocycles=1, days=3)
    query = """
    query ($ids: [ID!]!) {
      nodes(ids: $ids) {
        __typename id
        ... on User { email role }
        ... on Program { name macrocycles { mesocycles { microcycles { id workouts { id date type
          prescription { exercises { exercise sets percentOneRm } } microcycle { weekNumber } } } } } }
      }
    }
    """

    async def run(schema: strawberry.Schema) -> dict:
        context = _context(app, settings, Viewer(athlete.id, Role.ATHLETE))
        result = await schema.execute(query, variable_values={"ids": [str(program_id), str(athlete.id)]}, context_value=context)
        assert result.errors is None, result.errors
        return result.data

    planned = await run(build_schema(settings))
    assert planned == await run(build_schema(settings, plain_data_plans=False))
    assert [node["__typename"] for node in planned["nodes"]] == ["Program", "User"]


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


# Node types get an is_type_of of their own (schema/node.py) that plans may call:
# they keep their plans, and a value of the wrong type fails exactly as in graphql-core.


@strawberry.type
class Thing(Node):
    id: strawberry.ID
    name: str
    color: Shade | None


@strawberry.type
class Holder:
    label: str
    thing: Thing | None


def _row(**columns):
    return SimpleNamespace(_mapping=columns)  # what NodeRow reads of a Row


@strawberry.type
class NodeQuery:
    @strawberry.field
    def holders(self) -> list[Holder]:
        return [
            SimpleNamespace(label="found", thing=NodeRow("Thing", _row(id="1", name="a", color=Color.RED))),
            SimpleNamespace(label="instance", thing=Thing(id="2", name="b", color=None)),
            SimpleNamespace(label="foreign", thing=SimpleNamespace(id="3", name="c", color=None)),  # not a Thing
            SimpleNamespace(label="mistyped", thing=NodeRow("Other", _row(id="4", name="d", color=None))),
        ]

    @strawberry.field
    def node(self) -> Node | None:
        return NodeRow("Thing", _row(id="5", name="e", color=Color.RED))


NODE_QUERY = "{ holders { label thing { __typename id name color } } node { id ... on Thing { name } } }"


class RecordingContext(PlainDataExecutionContext):
    compiled: list[tuple[str, bool]] = []

    def _compile_object(self, object_type, field_details_list):  # noqa: ANN001, ANN202
        plan = super()._compile_object(object_type, field_details_list)
        self.compiled.append((object_type.name, plan is not None))
        return plan


def test_node_types_keep_their_plans_and_graphql_core_results():
    RecordingContext.compiled = []
    planned = strawberry.Schema(NodeQuery, types=[Thing], execution_context_class=RecordingContext).execute_sync(NODE_QUERY)
    plain = strawberry.Schema(NodeQuery, types=[Thing]).execute_sync(NODE_QUERY)

    assert planned.data == plain.data
    assert [(e.message, e.path) for e in planned.errors] == [(e.message, e.path) for e in plain.errors]
    assert [h["thing"] for h in planned.data["holders"]] == [
        {"__typename": "Thing", "id": "1", "name": "a", "color": "RED"},
        {"__typename": "Thing", "id": "2", "name": "b", "color": None},
        None,
        None,
    ]
    assert {tuple(e.path) for e in planned.errors} == {("holders", 2, "thing"), ("holders", 3, "thing")}
    assert planned.data["node"] == {"id": "5", "name": "e"}
    assert ("Thing", True) in RecordingContext.compiled and ("Holder", True) in RecordingContext.compiled
