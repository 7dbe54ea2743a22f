"""Relay object identification: `node(id)`, `nodes(ids)`, access rules and the parent links."""

from __future__ import annotations

import uuid

import pytest

from trainforge.models import Role

IDS = """
query ($id: ID!) {
  program(id: $id) {
    id athlete { id } createdBy { id }
    macrocycles { id mesocycles { id microcycles { id workouts { id } } } }
  }
}
"""
NODE = "query ($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
WALK_UP = """
query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Workout { name microcycle { id weekNumber mesocycle { id macrocycle { id program { id name } } } } }
  }
}
"""


async def _tree(gql, program_id, as_) -> dict[str, str]:
    """Type name -> the id of one object of that type in the program (the first at each level)."""
    program = (await gql(IDS, {"id": str(program_id)}, as_=as_))["data"]["program"]
    macro = program["macrocycles"][0]
    meso = macro["mesocycles"][0]
    micro = meso["microcycles"][0]
    return {
        "Program": program["id"],
        "Macrocycle": macro["id"],
        "Mesocycle": meso["id"],
        "Microcycle": micro["id"],
        "Workout": micro["workouts"][0]["id"],
    }


@pytest.fixture
async def coached(make_user, make_programs, link):
    """A coach, their linked athlete with one program, and an unrelated athlete."""
    coach, athlete, stranger = await make_user(Role.COACH), await make_user(Role.ATHLETE), await make_user(Role.ATHLETE)
    await link(coach, athlete)
    [program_id] = await make_programs(athlete, coach=coach, mesocycles=2, days=3)
    return coach, athlete, stranger, program_id


async def test_node_finds_every_type_for_its_owner_and_linked_coach(gql, coached):
    coach, athlete, _, program_id = coached
    objects = await _tree(gql, program_id, athlete)

    for reader in (athlete, coach):
        for type_name, object_id in objects.items():
            result = await gql(NODE, {"id": object_id}, as_=reader)
            assert result == {"data": {"node": {"__typename": type_name, "id": object_id}}}, (reader.role, type_name)


async def test_users_are_nodes_for_themselves_and_across_a_coach_link(gql, coached, make_user):
    coach, athlete, stranger, _ = coached
    other_coach = await make_user(Role.COACH)
    user = "query ($id: ID!) { node(id: $id) { __typename id ... on User { displayName role } } }"

    async def node(id_, as_):
        return (await gql(user, {"id": str(id_)}, as_=as_))["data"]["node"]

    assert (await node(athlete.id, athlete))["__typename"] == "User"
    assert (await node(athlete.id, coach))["role"] == "ATHLETE"  # the coach sees their athlete
    assert (await node(coach.id, athlete))["role"] == "COACH"  # and the athlete their coach
    assert await node(stranger.id, coach) is None
    assert await node(athlete.id, stranger) is None
    assert await node(coach.id, other_coach) is None


async def test_viewer_is_a_node_refetched_as_its_user(gql, coached):
    _, athlete, _, _ = coached
    query = """
    query ($id: ID!) {
      viewer { __typename ... on Node { id } }
      node(id: $id) { __typename ... on User { id email } }
    }
    """
    data = (await gql(query, {"id": str(athlete.id)}, as_=athlete))["data"]
    assert data["viewer"] == {"__typename": "Viewer", "id": str(athlete.id)}
    # node(id) answers the User: the type the id has wherever else it appears (program.athlete...).
    assert data["node"] == {"__typename": "User", "id": str(athlete.id), "email": athlete.email}


async def test_other_peoples_objects_answer_like_unknown_ids(gql, coached, make_user):
    coach, athlete, stranger, program_id = coached
    objects = await _tree(gql, program_id, athlete)
    unlinked_coach = await make_user(Role.COACH)

    unknown = await gql(NODE, {"id": str(uuid.uuid4())}, as_=stranger)
    assert unknown == {"data": {"node": None}}
    for reader in (stranger, unlinked_coach):
        for object_id in [*objects.values(), str(coach.id)]:
            assert await gql(NODE, {"id": object_id}, as_=reader) == unknown


async def test_nodes_keep_the_order_asked_with_nulls_in_place(gql, coached):
    coach, athlete, stranger, program_id = coached
    objects = await _tree(gql, program_id, athlete)
    ids = [objects["Workout"], str(uuid.uuid4()), str(athlete.id), objects["Program"], str(stranger.id),
           objects["Mesocycle"], objects["Workout"]]

    result = await gql(NODES, {"ids": ids}, as_=coach)

    assert result == {"data": {"nodes": [
        {"__typename": "Workout", "id": ids[0]},
        None,
        {"__typename": "User", "id": ids[2]},
        {"__typename": "Program", "id": ids[3]},
        None,
        {"__typename": "Mesocycle", "id": ids[5]},
        {"__typename": "Workout", "id": ids[6]},
    ]}}
    assert await gql(NODES, {"ids": []}, as_=coach) == {"data": {"nodes": []}}


async def test_parent_links_walk_up_from_a_workout_to_its_program(gql, coached):
    coach, athlete, _, program_id = coached
    objects = await _tree(gql, program_id, athlete)

    node = (await gql(WALK_UP, {"id": objects["Workout"]}, as_=coach))["data"]["node"]

    week = node["microcycle"]
    assert week["id"] == objects["Microcycle"] and week["weekNumber"] == 1
    assert week["mesocycle"]["id"] == objects["Mesocycle"]
    assert week["mesocycle"]["macrocycle"]["id"] == objects["Macrocycle"]
    assert week["mesocycle"]["macrocycle"]["program"]["id"] == str(program_id)


async def test_walking_up_costs_one_statement_per_level(gql, coached, count_statements):
    _, athlete, _, program_id = coached
    objects = await _tree(gql, program_id, athlete)

    with count_statements() as n:
        result = await gql(WALK_UP, {"id": objects["Workout"]}, as_=athlete)
    assert "errors" not in result, result
    # the types of the ids (with the access check), the workout, its microcycle,
    # mesocycle, macrocycle and program
    assert n.value == 6


async def test_nodes_of_every_type_cost_one_statement_per_type(gql, coached, count_statements):
    coach, athlete, _, program_id = coached
    objects = await _tree(gql, program_id, athlete)
    program = (await gql(IDS, {"id": str(program_id)}, as_=athlete))["data"]["program"]
    workouts = [w["id"] for m in program["macrocycles"][0]["mesocycles"] for mc in m["microcycles"] for w in mc["workouts"]]
    ids = [*objects.values(), *workouts, str(athlete.id), str(coach.id)]

    with count_statements() as n:
        result = await gql(NODES, {"ids": ids}, as_=coach)
    assert [node["id"] for node in result["data"]["nodes"]] == ids
    # one finding the types of all 31 ids, then one per type: users, programs,
    # macrocycles, mesocycles, microcycles, workouts
    assert n.value == 7


async def test_malformed_ids_are_bad_input_naming_the_argument(gql, coached):
    coach, *_ = coached

    one = await gql(NODE, {"id": "42"}, as_=coach)
    many = await gql(NODES, {"ids": [str(uuid.uuid4()), "not-an-id"]}, as_=coach)

    assert one["data"] == {"node": None}
    assert one["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    assert many["data"] is None  # `nodes` is non-null: the error nulls the whole answer
    assert many["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "ids"}


async def test_nodes_takes_at_most_a_page_of_ids(gql, coached, settings):
    coach, *_ = coached
    limit = settings.max_page_size

    at_limit = await gql(NODES, {"ids": [str(uuid.uuid4()) for _ in range(limit)]}, as_=coach)
    over = await gql(NODES, {"ids": [str(uuid.uuid4()) for _ in range(limit + 1)]}, as_=coach)

    assert at_limit == {"data": {"nodes": [None] * limit}}
    assert over["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "ids"}
    assert str(limit) in over["errors"][0]["message"]


async def test_nodes_need_authentication(gql, coached):
    _, athlete, _, _ = coached
    for query, variables in ((NODE, {"id": str(athlete.id)}), (NODES, {"ids": [str(athlete.id)]})):
        result = await gql(query, variables)
        assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_program_tree_through_node_matches_program(gql, coached):
    """The whole tree below a node answers what the same selection under program(id) answers."""
    _, athlete, _, program_id = coached
    selection = """{ id name seed generationInput { seed }
      macrocycles { id mesocycles { id phase microcycles { id weekNumber workouts { id date type
        prescription { exercises { exercise sets reps percentOneRm } } } } } } }"""
    direct = await gql(f"query ($id: ID!) {{ program(id: $id) {selection} }}", {"id": str(program_id)}, as_=athlete)
    via_node = await gql(f"query ($id: ID!) {{ node(id: $id) {{ ... on Program {selection} }} }}",
                         {"id": str(program_id)}, as_=athlete)

    assert "errors" not in via_node, via_node
    assert via_node["data"]["node"] == direct["data"]["program"]
    # A program not generated has no seed nor settings.
    assert direct["data"]["program"]["seed"] is None and direct["data"]["program"]["generationInput"] is None
