"""Reading programs over GraphQL: the tree, access rules, pagination and statement counts."""

from __future__ import annotations

import uuid

import pytest

from trainforge.db import statement_counter
from trainforge.models import Role

TREE = """
fragment Tree on Program {
  id name goal description startDate endDate createdAt updatedAt
  athlete { id displayName }
  createdBy { id }
  macrocycles {
    id position name goal startDate endDate createdAt updatedAt
    mesocycles {
      id position name phase weeks startDate endDate createdAt updatedAt
      weeklyTargets { sessions hardSets intensityLowPct intensityHighPct rpe emphasis }
      microcycles {
        id weekNumber startDate endDate isDeload focus createdAt updatedAt
        workouts {
          id date name type status durationMinutes notes createdAt updatedAt
          prescription {
            notes
            exercises { exercise sets reps durationSeconds loadKg percentOneRm rpe restSeconds tempo notes }
          }
        }
      }
    }
  }
}
"""

PROGRAM = TREE + "query ($id: ID!) { program(id: $id) { ...Tree } }"
PAGE = TREE + """
query ($first: Int, $after: String, $athleteId: ID) {
  viewer {
    programs(first: $first, after: $after, athleteId: $athleteId) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ...Tree } }
    }
  }
}
"""


async def test_program_tree_exposes_every_level(gql, make_user, make_programs):
    athlete = await make_user(Role.ATHLETE)
    [program_id] = await make_programs(athlete, mesocycles=4, days=5)

    result = await gql(PROGRAM, {"id": str(program_id)}, as_=athlete)

    assert "errors" not in result, result
    program = result["data"]["program"]
    assert program["id"] == str(program_id)
    assert program["athlete"]["id"] == str(athlete.id)
    [macro] = program["macrocycles"]
    assert [m["position"] for m in macro["mesocycles"]] == [1, 2, 3, 4]
    weeks = [mc for m in macro["mesocycles"] for mc in m["microcycles"]]
    assert [w["weekNumber"] for w in weeks] == list(range(1, 17))
    assert [w["isDeload"] for w in weeks[:4]] == [False, False, False, True]
    workouts = [w for week in weeks for w in week["workouts"]]
    assert len(workouts) == 80
    assert workouts[0]["status"] == "PLANNED"  # no session yet
    squat = workouts[0]["prescription"]["exercises"][0]
    assert squat["exercise"] == "Back Squat" and squat["percentOneRm"] == 67.5 and squat["sets"] == 4
    assert program["startDate"] == weeks[0]["startDate"] and program["endDate"] == weeks[-1]["endDate"]


async def test_nested_program_query_is_one_statement(gql, make_user, make_programs, count_statements):
    athlete = await make_user(Role.ATHLETE)
    [program_id] = await make_programs(athlete)

    with count_statements() as n:
        result = await gql(PROGRAM, {"id": str(program_id)}, as_=athlete)
    assert "errors" not in result
    assert len(result["data"]["program"]["macrocycles"][0]["mesocycles"]) == 4
    # Compiled: PostgreSQL builds the whole tree's JSON, access check included.
    assert n.value == 1


async def test_nested_program_query_through_resolvers_is_one_statement_per_level(
    make_client, app, make_user, make_programs
):
    athlete = await make_user(Role.ATHLETE)
    [program_id] = await make_programs(athlete)
    client = await make_client(compiled_reads=False)
    counter = statement_counter(client._transport.app.state.engine)

    before = counter.total
    response = await client.post(
        "/graphql", json={"query": PROGRAM, "variables": {"id": str(program_id)}}, headers=athlete.headers
    )
    assert "errors" not in response.json()
    # program (with access check), athlete + createdBy users (one batch), macrocycles,
    # mesocycles, microcycles, workouts, the workouts' sessions (workout.status)
    assert counter.total - before == 7


@pytest.mark.parametrize("size", [1, 10, 100])
async def test_page_of_programs_costs_the_same_statements_whatever_its_size(
    gql, make_user, make_programs, count_statements, size
):
    athlete = await make_user(Role.ATHLETE)
    await make_programs(athlete, n=size, mesocycles=1, days=3)

    with count_statements() as n:
        result = await gql(PAGE, {"first": size}, as_=athlete)

    assert "errors" not in result, result
    assert len(result["data"]["viewer"]["programs"]["edges"]) == size
    # viewer (its user row also serves program.athlete from the loader cache), page,
    # totalCount, macrocycles, mesocycles, microcycles, workouts, the workouts' sessions (workout.status)
    assert n.value == 8


async def test_athlete_reads_only_their_own_programs(gql, make_user, make_programs):
    ana, ben = await make_user(Role.ATHLETE), await make_user(Role.ATHLETE)
    [anas] = await make_programs(ana, mesocycles=1)

    mine = await gql(PROGRAM, {"id": str(anas)}, as_=ana)
    theirs = await gql(PROGRAM, {"id": str(anas)}, as_=ben)
    unknown = await gql(PROGRAM, {"id": str(uuid.uuid4())}, as_=ben)

    assert mine["data"]["program"]["id"] == str(anas)
    # Another athlete's program answers exactly like an id that does not exist.
    assert theirs == unknown == {"data": {"program": None}}
    assert (await gql(PAGE, {}, as_=ben))["data"]["viewer"]["programs"]["totalCount"] == 0


async def test_coach_reads_linked_athletes_programs_only(gql, make_user, make_programs, link):
    coach = await make_user(Role.COACH)
    linked, stranger = await make_user(Role.ATHLETE), await make_user(Role.ATHLETE)
    await link(coach, linked)
    [linked_program] = await make_programs(linked, mesocycles=1, coach=coach)
    [stranger_program] = await make_programs(stranger, mesocycles=1)

    assert (await gql(PROGRAM, {"id": str(linked_program)}, as_=coach))["data"]["program"]["createdBy"] == {
        "id": str(coach.id)
    }
    assert (await gql(PROGRAM, {"id": str(stranger_program)}, as_=coach))["data"]["program"] is None

    page = (await gql(PAGE, {}, as_=coach))["data"]["viewer"]["programs"]
    assert [e["node"]["id"] for e in page["edges"]] == [str(linked_program)]
    filtered = await gql(PAGE, {"athleteId": str(stranger.id)}, as_=coach)
    assert filtered["data"]["viewer"]["programs"]["edges"] == []


async def test_unlinked_coach_loses_access(gql, make_user, make_programs, link):
    coach, athlete = await make_user(Role.COACH), await make_user(Role.ATHLETE)
    await link(coach, athlete)
    [program_id] = await make_programs(athlete, mesocycles=1)

    unlink = await gql(
        "mutation ($id: ID!) { unlinkCoach(coachId: $id) { coachId errors { __typename } } }",
        {"id": str(coach.id)},
        as_=athlete,
    )
    assert unlink["data"]["unlinkCoach"] == {"coachId": str(coach.id), "errors": []}
    assert (await gql(PROGRAM, {"id": str(program_id)}, as_=coach))["data"]["program"] is None


async def test_pages_walk_every_program_once_newest_first(gql, make_user, make_programs):
    athlete = await make_user(Role.ATHLETE)
    ids = await make_programs(athlete, n=7, mesocycles=1, days=3)
    query = "query ($after: String) { viewer { programs(first: 3, after: $after) { pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id } } } } }"

    seen, after, pages = [], None, []
    while True:
        page = (await gql(query, {"after": after}, as_=athlete))["data"]["viewer"]["programs"]
        pages.append(page["pageInfo"])
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert sorted(seen) == sorted(map(str, ids)) and len(seen) == 7
    assert [p["hasPreviousPage"] for p in pages] == [False, True, True]


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"first": 101}, "first"), ({"first": -1}, "first"), ({"after": "not-a-cursor"}, "after")],
)
async def test_bad_page_arguments_are_named_errors(gql, make_user, variables, field):
    athlete = await make_user(Role.ATHLETE)
    result = await gql(PAGE, variables, as_=athlete)
    [error] = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_malformed_program_id_is_a_bad_input_error(gql, make_user):
    athlete = await make_user(Role.ATHLETE)
    result = await gql(PROGRAM, {"id": "42"}, as_=athlete)
    assert result["data"] == {"program": None}
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}


async def test_programs_need_authentication(gql, make_user, make_programs):
    athlete = await make_user(Role.ATHLETE)
    [program_id] = await make_programs(athlete, mesocycles=1)
    result = await gql(PROGRAM, {"id": str(program_id)})
    assert result["data"] == {"program": None}
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
