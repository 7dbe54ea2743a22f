"""Differential tests of the read path: compiled reads against the per-request loaders.

With `compiled_reads=True` a table-backed selection (program(id) and its tree,
its athlete and createdBy users) compiles into one SQL statement whose JSON
PostgreSQL builds; with `compiled_reads=False` every field resolves through the
loaders. DESIGN.md ("Read path") requires both to give the same results; here
"the same" means the same status, content type and response bytes.

Two apps, one per setting, share the test database. `Differential.check` sends
each request to both and compares the answers byte for byte:
- the whole tree (every table-backed field, then with the computed ones too) of
  programs of several shapes: from the demo builder, from the rule-based
  generator (generateProgram), and two written directly with edge values
  (`edge_plan`, `sparse_plan`, `touch_up`); pages of them through viewer.programs;
- hand-written operations: aliases, named and inline fragments, __typename at
  every level, @skip/@include with variables, ids in every spelling, unknown,
  malformed and other users' ids, several root fields at once, operationName,
  GET and application/graphql-response+json;
- generated operations (derandomized hypothesis, `tree_operations` down the
  program tree, and hypothesis-graphql's own over the read roots), their ids set
  to real ones, then decorated with aliases, fragments, __typename and
  directives (`Decorate`); each is sent as the owner, a linked coach (with the
  @skip/@include variables flipped) and someone who may not read the program
  (who gets null). TRAINFORGE_DIFF_SCALE=10 sends ten times as many.
`test_a_difference_is_caught` checks the comparison itself, and
`test_compiled_program_tree_is_one_statement` counts statements: with compiled
reads, program(id) with its whole tree is exactly 1.

Both apps' connections run with a TimeZone other than UTC (+05:45) and a
non-ISO DateStyle, as a production server may: the loaders are immune (asyncpg
decodes binary values), so the compiled SQL must be too.
"""

from __future__ import annotations

import ast
import asyncio
import functools
import itertools
import json
import os
import random
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from conftest import REPO, Person, make_settings
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListValueNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
)
from hypothesis import strategies as st
from hypothesis_graphql import queries
from sqlalchemy import Row, event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from test_fuzz import generate

from trainforge.app import create_app
from trainforge.resolvers import loaders
from trainforge.schema import compiled_sql
from trainforge.schema import programs as programs_schema
from trainforge.services import accounts as accounts_service
from trainforge.services import programs as programs_service
from trainforge.db import session_factory, statement_counter
from trainforge.models import Role
from trainforge.models.accounts import Sex, Units
from trainforge.models.program_content import (
    PrescribedExercise,
    WeeklyTargets,
    WorkoutPrescription,
)
from trainforge.models.programs import (
    MesocyclePhase,
    ProgramGenerator,
    ProgramGoal,
    WorkoutType,
)
from trainforge.services.exercises import default_catalog
from trainforge.services.program_tree import (
    MacrocyclePlan,
    MesocyclePlan,
    MicrocyclePlan,
    ProgramPlan,
    WorkoutPlan,
    store_programs,
)

# Generated operations, each sent as 3 users to both apps. The defaults keep the file under a
# minute on a small machine; TRAINFORGE_DIFF_SCALE=10 sends ten times as many.
SCALE = float(os.environ.get("TRAINFORGE_DIFF_SCALE", "1"))
PROGRAM_EXAMPLES = round(100 * SCALE)  # on program(id) alone
MIXED_EXAMPLES = round(30 * SCALE)  # on program(id) with the other read root fields
SCHEMA_EXAMPLES = round(30 * SCALE)  # as hypothesis-graphql makes them from the schema (shallow)
# Session settings of both apps' connections (see the module docstring).
SERVER_SETTINGS = ("SET TIME ZONE 'Asia/Kathmandu'", "SET DateStyle = 'SQL, DMY'")

# ----------------------------------------------------------------------------- operations

USER = "__typename id email displayName role createdAt updatedAt"
# Every table-backed field of the tree (what compiles), every scalar kind: ID, String, Int,
# Float, Boolean, Date, DateTime, enums; objects from JSONB columns; the users.
TREE = f"""
fragment Tree on Program {{
  __typename id name goal description startDate endDate generator generatorModel promptVersion createdAt updatedAt
  athlete {{ {USER} }}
  createdBy {{ {USER} }}
  macrocycles {{
    __typename id position name goal startDate endDate createdAt updatedAt
    mesocycles {{
      __typename id position name phase weeks startDate endDate createdAt updatedAt
      weeklyTargets {{ __typename sessions hardSets intensityLowPct intensityHighPct rpe emphasis }}
      microcycles {{
        __typename id weekNumber startDate endDate isDeload focus createdAt updatedAt
        workouts {{
          __typename id date name type status durationMinutes notes createdAt updatedAt
          prescription {{
            __typename notes
            exercises {{
              __typename exercise sets reps durationSeconds loadKg percentOneRm rpe restSeconds tempo notes
              repsMax distanceMeters repsInReserve loadBasis zone heartRateLowBpm heartRateHighBpm
              paceFastSecondsPerKm paceSlowSecondsPerKm superset
            }}
          }}
          session {{
            __typename id status kind source date time startedAt completedAt durationSeconds notes createdAt updatedAt
            workoutSnapshot {{
              __typename name objective durationMinutes notes
              sections {{
                __typename name notes
                exercises {{ __typename exercise sets reps durationSeconds loadKg percentOneRm rpe restSeconds tempo notes }}
                steps {{ __typename type durationSeconds distanceMeters notes target {{ __typename kind zone low high }} }}
              }}
            }}
            performanceLog {{
              __typename notes
              exercises {{ __typename exercise notes sets {{ __typename reps loadKg durationSeconds distanceMeters rpe completed }} }}
            }}
          }}
        }}
      }}
    }}
  }}
}}
"""
# Fields computed in Python (they resolve through the loaders whatever the setting).
COMPUTED = """
fragment Computed on Program {
  seed
  generationInput {
    __typename goal startDate totalWeeks weekdays daysPerWeek sessionMinutes experience equipment
    periodizationModel generator eventDate seed
  }
  athlete { profile { __typename birthDate sex maxHr restingHr units createdAt updatedAt effectiveMaxHr } }
}
"""
PROGRAM = TREE + "query Whole($id: ID!) { program(id: $id) { ...Tree } }"
PROGRAM_AND_COMPUTED = TREE + COMPUTED + "query WholeAndComputed($id: ID!) { program(id: $id) { ...Tree ...Computed } }"
PAGE = TREE + """
query Page($first: Int, $after: String, $athleteId: ID) {
  viewer {
    __typename id
    programs(first: $first, after: $after, athleteId: $athleteId) {
      __typename totalCount
      pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
      edges { __typename cursor node { ...Tree } }
    }
  }
}
"""
PAGE_AND_COMPUTED = PAGE.replace("...Tree }", "...Tree ...Computed }") + COMPUTED


def _bench_nested_query() -> str:
    """bench/nested_query.py's NESTED_QUERY, with `athlete { id displayName }` added to the program."""
    source = ast.parse((REPO / "bench" / "nested_query.py").read_text())
    [value] = [node.value for node in source.body if isinstance(node, ast.Assign)
               and [getattr(t, "id", None) for t in node.targets] == ["NESTED_QUERY"]]
    query: str = ast.literal_eval(value)
    opening = "program(id: $id) {"
    assert query.count(opening) == 1, query
    return query.replace(opening, opening + " athlete { id displayName }")


# ----------------------------------------------------------------------------- two apps


@dataclass
class Side:
    """One app (compiled reads on or off) and a client over it."""

    name: str
    app: Any
    client: httpx.AsyncClient

    @property
    def engine(self) -> AsyncEngine:
        return self.app.state.engine


def _with_server_settings(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit, or the pool's reset-on-return would roll the SETs back.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        for statement in SERVER_SETTINGS:
            cursor.execute(statement)
        cursor.close()
        dbapi_connection.autocommit = autocommit


def _first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    lo = max(0, at - 150)
    return f"first difference at byte {at}:\n  compiled: {a[lo:at + 150]!r}\n  loaders:  {b[lo:at + 150]!r}"


class Differential:
    """Sends each request to both apps; their answers must be the same bytes."""

    def __init__(self, compiled: Side, loaders: Side) -> None:
        self.compiled = compiled
        self.loaders = loaders
        self.requests = 0

    async def _send(
        self, side: Side, query: str, variables: dict[str, Any] | None, headers: dict[str, str],
        operation_name: str | None, get: bool,
    ) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = json.dumps(variables) if get else variables
        if operation_name is not None:
            body["operationName"] = operation_name
        if get:
            return await side.client.get("/graphql", params=body, headers=headers)
        return await side.client.post("/graphql", json=body, headers=headers)

    async def check(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        as_: Person | None = None,
        *,
        operation_name: str | None = None,
        get: bool = False,
        accept: str | None = None,
    ) -> Any:
        """The (parsed) answer, once both apps gave the same one."""
        headers = dict(as_.headers) if as_ is not None else {}
        if accept is not None:
            headers["Accept"] = accept
        compiled, loaders = await asyncio.gather(
            self._send(self.compiled, query, variables, headers, operation_name, get),
            self._send(self.loaders, query, variables, headers, operation_name, get),
        )
        self.requests += 1
        seen = [(r.status_code, r.headers.get("content-type"), r.content) for r in (compiled, loaders)]
        if seen[0] != seen[1]:
            who = f"{as_.role.value} {as_.email}" if as_ is not None else "anonymous"
            raise AssertionError(
                f"compiled and loader reads differ (as {who}, {'GET' if get else 'POST'}):\n"
                f"query: {query}\nvariables: {variables}\n"
                f"status/content-type: {seen[0][:2]} vs {seen[1][:2]}\n"
                + _first_difference(compiled.content, loaders.content)
            )
        if "json" not in (loaders.headers.get("content-type") or ""):
            return loaders.text
        return loaders.json()


@pytest.fixture
async def sides(app: Any, database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Side, Side]]:
    """(compiled reads on, compiled reads off): two fresh apps on the test database.

    Like conftest's make_client, but keeping the apps, whose engines the statement counts need."""
    built = []
    for name, compiled in (("compiled", True), ("loaders", False)):
        other = create_app(make_settings(tmp_path / name, compiled_reads=compiled), database_url)
        _with_server_settings(other.state.engine)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://test")
        built.append(Side(name, other, client))
    yield built[0], built[1]
    for side in built:
        await side.client.aclose()
        await side.engine.dispose()


@pytest.fixture
def diff(sides: tuple[Side, Side]) -> Differential:
    return Differential(*sides)


# ----------------------------------------------------------------------------- data

# Characters that JSON, HTML embedding and PostgreSQL each treat specially.
EDGE = 'q"uo\'te back\\slash new\nline tab\tcr\r ctl\x01\x1f\x7f ünï漢字 🏋️‍♀️ </script> \u2028\u2029 \ufeff/'
EDGE_TIMESTAMPS = (
    "2026-03-01 10:00:00+00",
    "2026-03-01 10:00:00.5+00",
    "2026-03-01 10:00:00.123456+00",
    "1969-12-31 23:59:59.999999+00",
    "2026-03-01 10:00:00.000001-09:30",
)


# Doses at the bounds PrescribedExercise allows, floats of every shape.
EDGE_EXERCISES = [
    PrescribedExercise(exercise=EDGE[:120], sets=20, reps=100, duration_seconds=4 * 3600, load_kg=1000.0,
                       percent_one_rm=110.0, rpe=10.0, rest_seconds=1800, tempo='3"1\\X\t0 🏋', notes=EDGE),
    PrescribedExercise(exercise="x", sets=1, reps=1),  # every optional field null
    PrescribedExercise(exercise="Tiny", sets=3, duration_seconds=1, load_kg=1e-7, percent_one_rm=0.1, rpe=1.0,
                       rest_seconds=0),
    PrescribedExercise(exercise="Digits", sets=5, reps=5, load_kg=0.0, percent_one_rm=72.123456789, rpe=7.5),
    PrescribedExercise(exercise="Whole", sets=4, reps=8, load_kg=0.30000000000000004, percent_one_rm=75.0, rpe=8.0,
                       tempo="", notes=""),
    PrescribedExercise(exercise="Small", sets=2, reps=12, load_kg=1e-05, percent_one_rm=72.5, rpe=9.5),
]


def edge_plan(athlete: Person, coach: Person) -> ProgramPlan:
    """A program whose every column holds an edge value: strings JSON must escape, bounds, odd floats."""
    start = date(1, 1, 1)
    day = date(2026, 3, 2)
    workouts = [
        WorkoutPlan(day, EDGE[:200], WorkoutType.TEST, WorkoutPrescription(exercises=EDGE_EXERCISES, notes=EDGE),
                    duration_minutes=600, notes=EDGE),
        # Same date: ordered by id.
        WorkoutPlan(day, "Same day", WorkoutType.MOBILITY, WorkoutPrescription(exercises=EDGE_EXERCISES[1:3]),
                    duration_minutes=1, notes=""),
        WorkoutPlan(day, "Same day too", WorkoutType.RECOVERY, WorkoutPrescription()),
        WorkoutPlan(date(9999, 12, 31), "Last day", WorkoutType.CONDITIONING,
                    WorkoutPrescription(exercises=EDGE_EXERCISES[3:], notes="")),
    ]
    weeks = [
        MicrocyclePlan(1, start, date(9999, 12, 31), workouts, is_deload=True, focus=EDGE[:200]),
        MicrocyclePlan(2, day, day, [], is_deload=False, focus=""),
    ]
    full_targets = WeeklyTargets(sessions=14, hard_sets=200, intensity_low_pct=72.123456789, intensity_high_pct=110.0,
                                 rpe=10.0, emphasis=EDGE[:200])
    return ProgramPlan(
        athlete_id=athlete.id,
        created_by_id=coach.id,
        name=EDGE[:200],
        goal=ProgramGoal.COMPETITION,
        description=EDGE * 3,
        start_date=start,
        end_date=date(9999, 12, 31),
        generator=ProgramGenerator.LLM,
        generator_model='model "7b"\\\n',
        prompt_version="v1\t</script>",
        macrocycles=[
            MacrocyclePlan(EDGE[:200], start, date(9999, 12, 31), goal=EDGE, mesocycles=[
                MesocyclePlan(EDGE[:200], MesocyclePhase.GENERAL_PREPARATION, start, date(9999, 12, 31), weeks,
                              weekly_targets=full_targets),
                MesocyclePlan("Sparse targets", MesocyclePhase.TRANSITION, day, day,
                              [MicrocyclePlan(3, day, day, [])],
                              weekly_targets=WeeklyTargets(sessions=1, hard_sets=0)),
            ]),
            MacrocyclePlan("", day, day, goal="", mesocycles=[]),
        ],
    )


def sparse_plan(athlete: Person) -> ProgramPlan:
    """A program with null in every nullable column, and the smallest values allowed."""
    day = date(2026, 3, 2)
    workout = WorkoutPlan(day, "w", WorkoutType.STRENGTH, WorkoutPrescription(), duration_minutes=None, notes=None)
    return ProgramPlan(
        athlete_id=athlete.id,
        created_by_id=None,
        name="s",
        goal=ProgramGoal.GENERAL_FITNESS,
        description=None,
        start_date=day,
        end_date=day,
        macrocycles=[
            MacrocyclePlan("m", day, day, goal=None, mesocycles=[
                MesocyclePlan("m", MesocyclePhase.BASE, day, day, [MicrocyclePlan(1, day, day, [workout], focus=None)],
                              weekly_targets=None),
            ]),
        ],
    )


async def touch_up(engine: AsyncEngine, edge_id: uuid.UUID, sparse_id: uuid.UUID, edge_user: Person) -> None:
    """What only SQL can write: chosen timestamps (past the updated_at trigger), bounds, stored JSON shapes."""
    async with engine.begin() as conn:
        # Replica mode skips the triggers that stamp updated_at on every UPDATE.
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        stamps = {f"t{i}": value for i, value in enumerate(EDGE_TIMESTAMPS)}
        at = "CAST(CAST(:{} AS text) AS timestamptz)".format
        await conn.execute(
            text(f"UPDATE fitness_programs SET created_at = {at('t0')}, updated_at = {at('t1')} WHERE id = :id"),
            {**stamps, "id": edge_id},
        )
        await conn.execute(
            text(f"UPDATE fitness_programs SET created_at = {at('t3')}, updated_at = {at('t4')} WHERE id = :id"),
            {**stamps, "id": sparse_id},
        )
        for i, table in enumerate(("macrocycles", "mesocycles", "microcycles", "workout_instances")):
            parent = {
                "macrocycles": "program_id = :id",
                "mesocycles": "macrocycle_id IN (SELECT id FROM macrocycles WHERE program_id = :id)",
                "microcycles": "mesocycle_id IN (SELECT m.id FROM mesocycles m JOIN macrocycles a"
                " ON a.id = m.macrocycle_id WHERE a.program_id = :id)",
                "workout_instances": "microcycle_id IN (SELECT c.id FROM microcycles c JOIN mesocycles m"
                " ON m.id = c.mesocycle_id JOIN macrocycles a ON a.id = m.macrocycle_id WHERE a.program_id = :id)",
            }[table]
            await conn.execute(
                text(f"UPDATE {table} SET created_at = {at(f't{i % 5}')}, updated_at = {at(f't{(i + 2) % 5}')} "
                     f"WHERE {parent}"),
                {**stamps, "id": edge_id},
            )
        await conn.execute(
            text(f"UPDATE users SET display_name = :name, created_at = {at('t2')}, updated_at = {at('t2')} "
                 "WHERE id = :id"),
            {**stamps, "name": EDGE[:120], "id": edge_user.id},
        )
        # The highest week number a smallint holds.
        await conn.execute(
            text("UPDATE microcycles SET week_number = 32767 WHERE week_number = 3 AND mesocycle_id IN "
                 "(SELECT m.id FROM mesocycles m JOIN macrocycles a ON a.id = m.macrocycle_id WHERE a.program_id = :id)"),
            {"id": edge_id},
        )
        # Sessions of three workouts (the others stay PLANNED): every status kind, a time with a fraction,
        # snapshots and logs with steps, targets and whole-number floats as another writer may store them.
        await conn.execute(
            text(f"""
                INSERT INTO training_sessions (id, athlete_id, source, program_workout_id, scheduled_date,
                    scheduled_time, kind, status, started_at, completed_at, duration_seconds, notes,
                    workout_snapshot, performance_log)
                SELECT gen_random_uuid(), :athlete, 'program_workout', w.id, w.scheduled_date,
                    CASE w.name WHEN 'Same day' THEN time '07:30:00.5' WHEN 'Last day' THEN time '23:59:59' END,
                    CASE w.name WHEN 'Last day' THEN 'mixed' ELSE 'strength' END,
                    CASE w.name WHEN 'Same day' THEN 'skipped' WHEN 'Last day' THEN 'in_progress' ELSE 'completed' END,
                    CASE WHEN w.name <> 'Same day' THEN {at('t0')} END,
                    CASE WHEN w.name = :edge THEN {at('t2')} END,
                    CASE WHEN w.name = :edge THEN 86400 END,
                    CASE w.name WHEN 'Same day' THEN :edge END,
                    CAST(:snapshot AS jsonb),
                    CASE WHEN w.name = :edge THEN CAST(:log AS jsonb) END
                FROM workout_instances w
                WHERE w.name IN (:edge, 'Same day', 'Last day') AND w.microcycle_id IN (SELECT c.id FROM microcycles c
                    JOIN mesocycles m ON m.id = c.mesocycle_id JOIN macrocycles a ON a.id = m.macrocycle_id
                    WHERE a.program_id = :id)
            """),
            {**stamps, "id": edge_id, "athlete": edge_user.id, "edge": EDGE[:200],
             "snapshot": json.dumps({
                 "name": EDGE[:200], "objective": EDGE, "duration_minutes": 600, "notes": None,
                 "sections": [
                     {"name": "Main", "exercises": [{"exercise": "Raw", "sets": 3, "reps": 5, "load_kg": 100}]},
                     {"name": EDGE[:120], "notes": "", "steps": [
                         {"type": "interval", "duration_seconds": 60, "target": {"kind": "hr_zone", "zone": 5}},
                         {"type": "cool_down", "distance_meters": 1e-05,
                          "target": {"kind": "pace_range", "low": 240, "high": 300.5}},
                         {"type": "steady", "distance_meters": 10000.0, "notes": EDGE},
                     ]},
                 ],
             }),
             "log": json.dumps({"notes": EDGE, "exercises": [
                 {"exercise": "Raw", "sets": [{"reps": 5, "load_kg": 100, "rpe": 9.5},
                                              {"reps": 0, "load_kg": 102.5, "completed": False}]},
                 {"exercise": EDGE[:120], "notes": "", "sets": [{"duration_seconds": 45, "distance_meters": 0.1}]},
                 {"exercise": "Nothing done", "sets": []},
             ]})},
        )
        # JSON another writer may have stored: whole numbers for float fields, keys in another order,
        # explicit nulls (ours leaves absent keys out).
        await conn.execute(
            text("UPDATE workout_instances SET prescription = CAST(:p AS jsonb) WHERE name = 'Same day too' AND "
                 "microcycle_id IN (SELECT c.id FROM microcycles c JOIN mesocycles m ON m.id = c.mesocycle_id "
                 "JOIN macrocycles a ON a.id = m.macrocycle_id WHERE a.program_id = :id)"),
            {"id": edge_id, "p": json.dumps({
                "notes": None,
                "exercises": [
                    {"sets": 3, "reps": 5, "load_kg": 100, "rpe": 8, "exercise": "Raw", "tempo": None},
                    {"exercise": "Raw 2", "sets": 1, "duration_seconds": 30, "percent_one_rm": 80, "notes": None},
                ],
            })},
        )


@dataclass
class World:
    """Two coaches, three athletes and their programs; see `world`."""

    coach1: Person  # linked to `both` and `one`
    coach2: Person  # linked to `both`
    both: Person  # athlete linked to both coaches
    one: Person  # athlete linked to coach1
    alone: Person  # athlete linked to nobody
    programs: dict[str, uuid.UUID]  # label -> id
    owners: dict[uuid.UUID, Person] = field(default_factory=dict)
    node_ids: list[str] = field(default_factory=list)  # every user and tree object, readable or not

    @property
    def athletes(self) -> list[Person]:
        return [self.both, self.one, self.alone]

    @property
    def people(self) -> list[Person]:
        return [self.coach1, self.coach2, *self.athletes]

    def viewers(self, program_id: uuid.UUID) -> list[tuple[Person, bool]]:
        """(viewer, may read it): the owner, a coach linked to them, and someone who may not read it."""
        owner = self.owners[program_id]
        if owner is self.both:
            return [(owner, True), (self.coach2, True), (self.alone, False)]
        if owner is self.one:
            return [(owner, True), (self.coach1, True), (self.coach2, False)]
        return [(owner, True), (self.coach1, False), (self.both, False)]


GENERATE = """
mutation ($input: GenerateProgramInput!) {
  generateProgram(input: $input) { errors { __typename message field } program { id } }
}
"""


@pytest.fixture
async def world(gql, engine, make_user, link, make_programs) -> World:
    coach1, coach2 = await make_user(Role.COACH), await make_user(Role.COACH)
    both = await make_user(Role.ATHLETE, birth_date=date(1990, 2, 28), sex=Sex.OTHER, max_hr=250, resting_hr=25,
                           units=Units.IMPERIAL)
    one = await make_user(Role.ATHLETE, birth_date=date(1985, 12, 31))
    alone = await make_user(Role.ATHLETE)
    await link(coach1, both)
    await link(coach2, both)
    await link(coach1, one)

    labels: dict[str, uuid.UUID] = {}
    # Programs of different shapes (a mesocycle is 4 weeks): 12 to 32 workouts.
    labels["both-1"], labels["both-2"] = await make_programs(both, 2, coach=coach1, mesocycles=1, days=3)
    [labels["both-3"]] = await make_programs(both, 1, coach=coach2, mesocycles=1, days=5)
    [labels["one"]] = await make_programs(one, 1, mesocycles=2, days=4)
    [labels["alone"]] = await make_programs(alone, 1, mesocycles=1, days=3)

    # The rule-based generator, as a coach for a linked athlete: prescriptions as it writes them.
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    generated = await gql(GENERATE, {"input": {
        "athleteId": str(one.id), "goal": "HYPERTROPHY", "startDate": monday.isoformat(), "totalWeeks": 6,
        "weekdays": ["MONDAY", "WEDNESDAY", "FRIDAY"], "sessionMinutes": 75, "experience": "ADVANCED",
        "equipment": sorted(default_catalog().names()), "seed": 7,
        "baseline": {"lifts": [{"exercise": "Barbell Full Squat", "e1rmKg": 140},
                               {"exercise": "Barbell Deadlift", "trainingMaxKg": 170}]},
    }}, as_=coach1)
    payload = generated["data"]["generateProgram"]
    assert payload["errors"] == [], payload
    labels["generated"] = uuid.UUID(payload["program"]["id"])

    async with session_factory(engine).begin() as session:
        labels["edge"], labels["sparse"] = await store_programs(session, [edge_plan(both, coach2), sparse_plan(alone)])
    await touch_up(engine, labels["edge"], labels["sparse"], both)

    owners = {
        "both-1": both, "both-2": both, "both-3": both, "one": one, "alone": alone,
        "generated": one, "edge": both, "sparse": alone,
    }
    result = World(coach1, coach2, both, one, alone, labels)
    result.owners = {labels[label]: person for label, person in owners.items()}
    # In an order that does not depend on the (random) ids, so generated operations pick the same objects.
    node_ids = [str(person.id) for person in result.people]
    async with engine.connect() as conn:
        for label in sorted(labels):
            rows = await conn.execute(text(
                "SELECT a.id, m.id, c.id, w.id FROM macrocycles a LEFT JOIN mesocycles m ON m.macrocycle_id = a.id "
                "LEFT JOIN microcycles c ON c.mesocycle_id = m.id LEFT JOIN workout_instances w ON w.microcycle_id = c.id "
                "WHERE a.program_id = :id ORDER BY a.position, m.position, c.week_number, w.scheduled_date, w.name"
            ), {"id": labels[label]})
            node_ids += [str(labels[label]), *(str(i) for row in rows for i in row if i is not None)]
    result.node_ids = list(dict.fromkeys(node_ids))
    return result


# ----------------------------------------------------------------------------- generated operations


def _name(value: str) -> NameNode:
    return NameNode(value=value)


def _named_type(type_: graphql.GraphQLOutputType) -> graphql.GraphQLNamedType:
    return graphql.get_named_type(type_)


class Decorate:
    """Turns a generated operation into one worth sending twice.

    Arguments get real values (ids of the world's objects, small page sizes),
    some as variables; then, at random but reproducibly, fields get aliases,
    some twice under two names, selections get `__typename`, parts of them move
    into inline or named fragments, and @include/@skip (literal or variable)
    go on fields, fragments and spreads."""

    MAX_NEW_ALIASES = 8  # the server allows 30 per operation

    def __init__(self, schema: graphql.GraphQLSchema, world: World, rng: random.Random, program_id: uuid.UUID) -> None:
        self.schema = schema
        self.world = world
        self.rng = rng
        self.program_id = program_id
        self.variables: dict[str, Any] = {}
        self.definitions: list[VariableDefinitionNode] = []
        self.fragments: list[FragmentDefinitionNode] = []
        self.counter = itertools.count()
        self.aliases_left = self.MAX_NEW_ALIASES

    def __call__(self, document: DocumentNode) -> tuple[str, dict[str, Any]]:
        [operation] = document.definitions
        selection_set = self.selection_set(operation.selection_set, self.schema.query_type)
        decorated = DocumentNode(definitions=(
            OperationDefinitionNode(
                operation=OperationType.QUERY,
                name=_name("Generated") if self.rng.random() < 0.5 else None,
                variable_definitions=tuple(self.definitions),
                directives=(),
                selection_set=selection_set,
            ),
            *self.fragments,
        ))
        errors = graphql.validate(self.schema, decorated)
        assert not errors, f"Decorate made an invalid operation: {errors}\n{graphql.print_ast(decorated)}"
        return graphql.print_ast(decorated), self.variables

    # -- values

    def _variable(self, type_: str, value: Any) -> VariableNode:
        name = f"v{next(self.counter)}"
        self.definitions.append(VariableDefinitionNode(
            variable=VariableNode(name=_name(name)), type=graphql.parse_type(type_), directives=()
        ))
        self.variables[name] = value
        return VariableNode(name=_name(name))

    def _id(self, value: str, type_: str = "ID!") -> graphql.ValueNode:
        return self._variable(type_, value) if self.rng.random() < 0.5 else StringValueNode(value=value)

    def _any_id(self) -> str:
        if self.rng.random() < 0.1:
            return str(uuid.UUID(int=self.rng.getrandbits(128)))  # unknown
        return self.rng.choice(self.world.node_ids)

    def arguments(self, parent: str, field_name: str, given: tuple[ArgumentNode, ...]) -> tuple[ArgumentNode, ...]:
        rng = self.rng
        values: dict[str, graphql.ValueNode] = {}
        if (parent, field_name) == ("Query", "program"):
            values["id"] = self._id(str(self.program_id))
        elif (parent, field_name) == ("Query", "node"):
            values["id"] = self._id(self._any_id())
        elif (parent, field_name) == ("Query", "nodes"):
            ids = [self._any_id() for _ in range(rng.randrange(4))]
            if rng.random() < 0.5:
                values["ids"] = self._variable("[ID!]!", ids)
            else:
                values["ids"] = ListValueNode(values=tuple(StringValueNode(value=i) for i in ids))
        elif field_name in ("programs", "athletes", "coaches"):  # Viewer connections
            if rng.random() < 0.8:
                values["first"] = graphql.IntValueNode(value=str(rng.randrange(1, 3)))
            if field_name == "programs" and rng.random() < 0.3:
                values["athleteId"] = self._id(str(rng.choice(self.world.athletes).id), "ID")
        else:
            return given  # no other argument is on the read roots' paths: keep what was generated
        return tuple(ArgumentNode(name=_name(k), value=v) for k, v in values.items())

    # -- selections

    def _alias(self, name: str) -> NameNode | None:
        if self.aliases_left <= 0:
            return None
        self.aliases_left -= 1
        return _name(f"a{next(self.counter)}_{name}")

    def _directives(self, chance: float) -> tuple[DirectiveNode, ...]:
        rng = self.rng
        if rng.random() >= chance:
            return ()
        kind = rng.choice(["include", "skip"])
        condition = rng.random() < 0.5
        value = self._variable("Boolean!", condition) if rng.random() < 0.6 else BooleanValueNode(value=condition)
        return (DirectiveNode(name=_name(kind), arguments=(ArgumentNode(name=_name("if"), value=value),)),)

    def field(self, node: FieldNode, parent: graphql.GraphQLCompositeType) -> list[graphql.SelectionNode]:
        name = node.name.value
        if name == "__typename":
            return [node]
        definition = parent.fields[name]  # type: ignore[union-attr]
        arguments = self.arguments(parent.name, name, node.arguments or ())
        selection_set = None
        if node.selection_set is not None:
            selection_set = self.selection_set(node.selection_set, _named_type(definition.type))
        alias = node.alias
        if alias is None and self.rng.random() < 0.15:
            alias = self._alias(name)
        out: list[graphql.SelectionNode] = [FieldNode(
            alias=alias, name=node.name, arguments=arguments, directives=self._directives(0.04),
            selection_set=selection_set,
        )]
        if self.rng.random() < 0.05 and (twin := self._alias(name)) is not None:
            # The same field again under another name (and, for objects, its own decorations).
            again = self.selection_set(node.selection_set, _named_type(definition.type)) if node.selection_set else None
            out.append(FieldNode(alias=twin, name=node.name, arguments=self.arguments(parent.name, name, node.arguments or ()),
                                 directives=(), selection_set=again))
        return out

    def selection_set(self, node: SelectionSetNode, parent: graphql.GraphQLCompositeType) -> SelectionSetNode:
        rng = self.rng
        out: list[graphql.SelectionNode] = []
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                out += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = self.schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
                out.append(InlineFragmentNode(
                    type_condition=selection.type_condition, directives=self._directives(0.2),
                    selection_set=self.selection_set(selection.selection_set, condition),
                ))
            else:
                raise TypeError(f"unexpected {type(selection).__name__}")
        if rng.random() < 0.35:
            typename = FieldNode(name=_name("__typename"), alias=self._alias("typename") if rng.random() < 0.2 else None,
                                 arguments=(), directives=())
            out.insert(rng.randrange(len(out) + 1), typename)
        if len(out) >= 2 and rng.random() < 0.25:
            start = rng.randrange(len(out))
            end = rng.randrange(start + 1, len(out) + 1)
            type_condition = NamedTypeNode(name=_name(parent.name)) if rng.random() < 0.7 else None
            wrapped = InlineFragmentNode(type_condition=type_condition, directives=self._directives(0.3),
                                         selection_set=SelectionSetNode(selections=tuple(out[start:end])))
            out[start:end] = [wrapped]
        if rng.random() < 0.15:
            start = rng.randrange(len(out))
            end = rng.randrange(start + 1, len(out) + 1)
            name = f"F{next(self.counter)}"
            self.fragments.append(FragmentDefinitionNode(
                name=_name(name), type_condition=NamedTypeNode(name=_name(parent.name)), variable_definitions=(),
                directives=(), selection_set=SelectionSetNode(selections=tuple(out[start:end])),
            ))
            spreads = [FragmentSpreadNode(name=_name(name), directives=self._directives(0.3))]
            if rng.random() < 0.2:  # spread twice: fields merge
                spreads.append(FragmentSpreadNode(name=_name(name), directives=()))
            out[start:end] = spreads
        return SelectionSetNode(selections=tuple(out))


# The program tree, top down: generated selections go down it often, and only a little way
# along the other object fields (users, parent links, targets).
DOWN = {
    "Program": "macrocycles", "Macrocycle": "mesocycles", "Mesocycle": "microcycles", "Microcycle": "workouts",
    "Workout": "prescription", "WorkoutPrescription": "exercises",
}
SIDE_DEPTH = 2
NODE_TYPES = ("Program", "Macrocycle", "Mesocycle", "Microcycle", "Workout", "User")


def _field(name: str, selections: tuple[graphql.SelectionNode, ...] | None = None, alias: str | None = None) -> FieldNode:
    return FieldNode(
        alias=_name(alias) if alias else None, name=_name(name), arguments=(), directives=(),
        selection_set=SelectionSetNode(selections=selections) if selections is not None else None,
    )


@functools.cache
def selections(schema: graphql.GraphQLSchema, type_name: str, depth: int) -> st.SearchStrategy[tuple[FieldNode, ...]]:
    """Some fields of an object type (without arguments), most often including the next tree level."""
    type_ = schema.get_type(type_name)
    names = sorted(name for name, f in type_.fields.items() if not f.args)

    @st.composite
    def build(draw: st.DrawFn) -> tuple[FieldNode, ...]:
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=5, unique=True))
        down = DOWN.get(type_name)
        if down and depth > 0 and down not in chosen and draw(st.integers(0, 9)) < 7:
            chosen.append(down)
        made = []
        for name in chosen:
            child = graphql.get_named_type(type_.fields[name].type)
            if isinstance(child, (graphql.GraphQLUnionType, graphql.GraphQLInterfaceType)):
                made.append(_field(name, (_field("__typename"),)))  # abstract: its members are not walked
            elif not isinstance(child, graphql.GraphQLObjectType):
                made.append(_field(name))
            elif depth > 0:
                below = depth - 1 if name == down else min(depth - 1, SIDE_DEPTH)
                made.append(_field(name, draw(selections(schema, child.name, below))))
        return tuple(made) or (_field("__typename"),)

    return build()


def tree_operations(schema: graphql.GraphQLSchema, *, mixed: bool) -> st.SearchStrategy[DocumentNode]:
    """Operations on program(id), one or two of them; `mixed`: with node, nodes, viewer and equipmentCatalog."""
    program = selections(schema, "Program", depth=len(DOWN))
    id_argument = (ArgumentNode(name=_name("id"), value=StringValueNode(value="")),)

    @st.composite
    def on_node(draw: st.DrawFn) -> tuple[graphql.SelectionNode, ...]:
        kinds = draw(st.lists(st.sampled_from(NODE_TYPES), min_size=1, max_size=3, unique=True))
        return (_field("id"), *(
            InlineFragmentNode(type_condition=NamedTypeNode(name=_name(kind)), directives=(),
                               selection_set=SelectionSetNode(selections=draw(selections(schema, kind, 3))))
            for kind in kinds
        ))

    @st.composite
    def build(draw: st.DrawFn) -> DocumentNode:
        roots: list[graphql.SelectionNode] = []
        for i in range(draw(st.integers(1, 2))):
            roots.append(FieldNode(alias=_name(f"program{i}") if i else None, name=_name("program"),
                                   arguments=id_argument, directives=(),
                                   selection_set=SelectionSetNode(selections=draw(program))))
        if mixed:
            others = draw(st.lists(st.sampled_from(["node", "nodes", "viewer", "equipmentCatalog"]), unique=True))
            for root in others:
                if root == "node":
                    roots.append(FieldNode(name=_name("node"), arguments=id_argument, directives=(),
                                           selection_set=SelectionSetNode(selections=draw(on_node()))))
                elif root == "nodes":
                    ids = (ArgumentNode(name=_name("ids"), value=ListValueNode(values=())),)
                    roots.append(FieldNode(name=_name("nodes"), arguments=ids, directives=(),
                                           selection_set=SelectionSetNode(selections=draw(on_node()))))
                elif root == "viewer":
                    edges = _field("edges", (_field("cursor"), _field("node", draw(program))))
                    page = FieldNode(name=_name("programs"), arguments=(), directives=(),
                                     selection_set=SelectionSetNode(selections=(_field("totalCount"), edges)))
                    roots.append(_field("viewer", (_field("id"), page)))
                else:
                    roots.append(_field("equipmentCatalog", (_field("name"),)))
        operation = OperationDefinitionNode(operation=OperationType.QUERY, variable_definitions=(), directives=(),
                                            selection_set=SelectionSetNode(selections=tuple(roots)))
        return DocumentNode(definitions=(operation,))

    return build()


def decorated(
    schema: graphql.GraphQLSchema, world: World, documents: list[DocumentNode], seed: int
) -> list[tuple[uuid.UUID, str, dict[str, Any]]]:
    """(program id, query, variables) for each document, with ids of the programs in turn."""
    rng = random.Random(seed)
    programs = [world.programs[label] for label in sorted(world.programs)]
    made = []
    for index, document in enumerate(documents):
        program_id = programs[index % len(programs)]
        made.append((program_id, *Decorate(schema, world, rng, program_id)(document)))
    return made


# ----------------------------------------------------------------------------- tests


async def test_whole_tree_of_every_program_as_every_user(diff, world):
    for program_id in world.programs.values():
        for person in world.people:
            await diff.check(PROGRAM, {"id": str(program_id)}, as_=person)
            await diff.check(PROGRAM_AND_COMPUTED, {"id": str(program_id)}, as_=person)
    assert diff.requests == 2 * len(world.programs) * len(world.people)


async def test_every_scalar_kind_and_null_edge_is_exercised(diff, world):
    """The edge and sparse programs really carry the values this file is about (and read the same)."""
    edge = (await diff.check(PROGRAM, {"id": str(world.programs["edge"])}, as_=world.coach2))["data"]["program"]
    assert edge["name"] == EDGE[:200] and edge["description"] == EDGE * 3
    assert edge["startDate"] == "0001-01-01" and edge["endDate"] == "9999-12-31"
    assert edge["generator"] == "LLM" and edge["createdBy"]["id"] == str(world.coach2.id)
    assert edge["createdAt"] == "2026-03-01T10:00:00+00:00" and edge["updatedAt"] == "2026-03-01T10:00:00.500000+00:00"
    assert edge["athlete"]["displayName"] == EDGE[:120]
    assert edge["athlete"]["createdAt"] == "2026-03-01T10:00:00.123456+00:00"
    big, empty = edge["macrocycles"]
    assert empty["mesocycles"] == [] and empty["goal"] == ""
    full, sparse_targets = big["mesocycles"]
    assert full["weeklyTargets"]["intensityLowPct"] == 72.123456789
    assert sparse_targets["weeklyTargets"]["rpe"] is None and sparse_targets["microcycles"][0]["weekNumber"] == 32767
    workouts = full["microcycles"][0]["workouts"]
    exercises = next(w for w in workouts if w["name"] == EDGE[:200])["prescription"]["exercises"]
    assert exercises[2]["loadKg"] == 1e-7 and exercises[4]["percentOneRm"] == 75.0
    assert exercises[1] == {"__typename": "PrescribedExercise", "exercise": "x", "sets": 1, "reps": 1,
                            "durationSeconds": None, "loadKg": None, "percentOneRm": None, "rpe": None,
                            "restSeconds": None, "tempo": None, "notes": None, "repsMax": None,
                            "distanceMeters": None, "repsInReserve": None, "loadBasis": None, "zone": None,
                            "heartRateLowBpm": None, "heartRateHighBpm": None, "paceFastSecondsPerKm": None,
                            "paceSlowSecondsPerKm": None, "superset": None}
    raw = next(w for w in workouts if w["name"] == "Same day too")
    assert raw["prescription"]["exercises"][0]["loadKg"] == 100 and raw["durationMinutes"] is None
    assert workouts[-1]["date"] == "9999-12-31"

    sparse = (await diff.check(PROGRAM, {"id": str(world.programs["sparse"])}, as_=world.alone))["data"]["program"]
    assert sparse["description"] is None and sparse["createdBy"] is None and sparse["generator"] is None
    assert sparse["createdAt"] == "1969-12-31T23:59:59.999999+00:00"
    assert sparse["updatedAt"] == "2026-03-01T19:30:00.000001+00:00"
    [meso] = sparse["macrocycles"][0]["mesocycles"]
    assert meso["weeklyTargets"] is None and meso["microcycles"][0]["focus"] is None
    [workout] = meso["microcycles"][0]["workouts"]
    assert workout["prescription"] == {"__typename": "WorkoutPrescription", "notes": None, "exercises": []}

    generated = (await diff.check(PROGRAM, {"id": str(world.programs["generated"])}, as_=world.one))["data"]["program"]
    loads = {e["percentOneRm"] for m in generated["macrocycles"][0]["mesocycles"] for c in m["microcycles"]
             for w in c["workouts"] for e in w["prescription"]["exercises"]}
    assert None in loads and any(x is not None and x != int(x) for x in loads), loads
    bases = {e["loadBasis"] for m in generated["macrocycles"][0]["mesocycles"] for c in m["microcycles"]
             for w in c["workouts"] for e in w["prescription"]["exercises"]}
    assert {"PERCENT_ONE_RM", "RPE"} <= bases, bases  # an enum inside JSONB (its absence: exercises[1] above)

    # With the computed fields: a generated program's input, no input, an athlete's profile at its bounds.
    for label, person in (("generated", world.one), ("edge", world.both), ("sparse", world.alone)):
        result = await diff.check(PROGRAM_AND_COMPUTED, {"id": str(world.programs[label])}, as_=person)
        program = result["data"]["program"]
        if label == "generated":
            assert program["generator"] == "RULES" and program["seed"] == program["generationInput"]["seed"] == 7
        else:
            assert program["generationInput"] is None and program["seed"] is None
        if label == "edge":
            assert program["athlete"]["profile"]["maxHr"] == 250 and program["athlete"]["profile"]["sex"] == "OTHER"


async def test_pages_of_programs_through_the_viewer(diff, world):
    for person in world.people:
        for first in (1, 3, 100):
            after = None
            for _ in range(3):  # up to three pages
                page = await diff.check(PAGE, {"first": first, "after": after}, as_=person)
                programs = page["data"]["viewer"]["programs"]
                if not programs["pageInfo"]["hasNextPage"]:
                    break
                after = programs["pageInfo"]["endCursor"]
        await diff.check(PAGE_AND_COMPUTED, {"first": 100}, as_=person)
    for athlete in world.athletes:
        await diff.check(PAGE, {"first": 5, "athleteId": str(athlete.id)}, as_=world.coach1)
    # Bad page arguments fail alike.
    await diff.check(PAGE, {"first": -1}, as_=world.both)
    await diff.check(PAGE, {"first": 5, "after": "bm90IGEgY3Vyc29y"}, as_=world.both)


HAND_WRITTEN = {
    "aliases, the same field twice": """
        query ($id: ID!) {
          p: program(id: $id) {
            a: name b: name id theId: id
            m1: macrocycles { id }
            m2: macrocycles { name mesocycles { w: weeks phase p2: phase } }
            macrocycles { position mesocycles { microcycles { workouts { d: date date t: type } } } }
          }
          again: program(id: $id) { name }
        }""",
    "named and inline fragments on every level": """
        fragment W on Workout { id ... on Workout { name } ...on Node { id } prescription { ...P } }
        fragment P on WorkoutPrescription { notes exercises { ...E } }
        fragment E on PrescribedExercise { exercise sets ... { reps loadKg } }
        fragment Micro on Microcycle { weekNumber workouts { ...W ...W } }
        query ($id: ID!) {
          program(id: $id) {
            ... on Program { id ... on Program { name } }
            ... on Node { id __typename }
            ... { goal }
            macrocycles { ... on Macrocycle { mesocycles { ... { microcycles { ...Micro } } } } }
            athlete { ... on User { displayName } ... on Node { id } }
          }
        }""",
    "__typename at every level, aliased too": """
        query ($id: ID!) {
          __typename
          program(id: $id) {
            __typename t: __typename
            athlete { __typename profile { __typename } } createdBy { __typename }
            generationInput { __typename }
            macrocycles { __typename mesocycles { __typename weeklyTargets { __typename }
              microcycles { __typename workouts { __typename prescription { __typename exercises { __typename } } } } } }
          }
        }""",
    "@skip and @include with variables": """
        query ($id: ID!, $yes: Boolean!, $no: Boolean!, $maybe: Boolean = true) {
          program(id: $id) {
            id
            name @include(if: $yes)
            goal @include(if: $no)
            description @skip(if: $yes)
            startDate @skip(if: $no)
            endDate @skip(if: $no) @include(if: $yes)
            seed @skip(if: $yes) @include(if: $yes)
            athlete @include(if: $maybe) { id }
            createdBy @include(if: false) { id }
            ... on Program @include(if: $no) { generator }
            ... @skip(if: $no) { promptVersion }
            ...M @include(if: $yes)
            ...M @skip(if: $yes)
          }
          skipped: program(id: $id) @skip(if: $yes) { id }
        }
        fragment M on Program { macrocycles { id mesocycles @skip(if: $no) { id microcycles @include(if: $no) { id } } } }""",
    "the parents again, from the bottom": """
        query ($id: ID!) {
          program(id: $id) {
            macrocycles { program { id name } mesocycles { macrocycle { id program { id } }
              microcycles { mesocycle { id name } workouts { microcycle { weekNumber mesocycle { macrocycle { program { name } } } } } } } }
          }
        }""",
    "with the other read roots": """
        query ($id: ID!) {
          viewer { id displayName programs(first: 2) { totalCount edges { node { id name athlete { id } } } } }
          equipmentCatalog { name location }
          program(id: $id) { id name macrocycles { id } }
          node(id: $id) { __typename id ... on Program { name macrocycles { mesocycles { id } } } }
          nodes(ids: [$id, $id]) { id ... on Program { goal } }
          p2: program(id: $id) { athlete { displayName } }
        }""",
}


async def test_hand_written_operations(diff, world):
    for label, query in HAND_WRITTEN.items():
        for program_id in (world.programs["edge"], world.programs["both-1"], world.programs["generated"]):
            for (person, may_read), yes in itertools.product(world.viewers(program_id), (True, False)):
                flags = {"yes": yes, "no": not yes}
                result = await diff.check(query, {"id": str(program_id), **flags}, as_=person)
                assert "errors" not in result, (label, result)
                programs = [v for k, v in result["data"].items() if k in ("program", "p", "again", "p2")]
                assert programs and all((p is not None) == may_read for p in programs), (label, person.email)


async def test_ids_in_every_form(diff, world):
    """Variables or literals; another user's, unknown and malformed ids; uuid spellings parse_id accepts."""
    program_id = world.programs["both-1"]
    query = "query ($id: ID!) { program(id: $id) { id name athlete { id } } }"
    spellings = [
        str(program_id), str(program_id).upper(), program_id.hex, f"{{{program_id}}}", f"urn:uuid:{program_id}",
        str(world.programs["alone"]),  # another athlete's
        "00000000-0000-4000-8000-000000000000",  # unknown
        "not-a-uuid", "", " ", str(program_id) + "\n", "\u0663" * 32, str(program_id)[:-1],
    ]
    for spelling in spellings:
        for person in (world.both, world.coach1, world.alone):
            await diff.check(query, {"id": spelling}, as_=person)
            literal, known = json.dumps(spelling), json.dumps(str(program_id))
            await diff.check(f"{{ program(id: {literal}) {{ id name }} other: program(id: {known}) {{ id }} }}", as_=person)
    # A malformed id fails with a path; the other root fields still answer.
    result = await diff.check(
        "query ($id: ID!) { ok: program(id: $id) { id } bad: program(id: \"nope\") { id } equipmentCatalog { name } }",
        {"id": str(program_id)}, as_=world.both,
    )
    assert result["data"]["ok"] == {"id": str(program_id)} and result["data"]["bad"] is None
    assert result["errors"][0]["path"] == ["bad"]
    # No viewer, a forged token; a null, missing or mistyped variable; an id as a number.
    await diff.check(PROGRAM, {"id": str(program_id)})
    forged = Person(world.both.id, world.both.email, world.both.role, world.both.token[:-4] + "AAAA")
    await diff.check(PROGRAM, {"id": str(program_id)}, as_=forged)
    await diff.check(PROGRAM, {"id": None}, as_=world.both)
    await diff.check(PROGRAM, {}, as_=world.both)
    await diff.check(PROGRAM, {"id": 12}, as_=world.both)
    await diff.check("{ program(id: 12) { id } }", as_=world.both)
    await diff.check('query ($id: String!) { program(id: $id) { id } }', {"id": str(program_id)}, as_=world.both)
    await diff.check(f'query ($id: ID! = "{program_id}") {{ program(id: $id) {{ id name }} }}', as_=world.both)


async def test_transport_variants(diff, world):
    """GET, the graphql-response+json media type, operationName picking one of several operations."""
    program_id = str(world.programs["both-2"])
    for accept in (None, "application/graphql-response+json", "application/json"):
        for get in (False, True):
            await diff.check(PROGRAM, {"id": program_id}, as_=world.both, get=get, accept=accept)
            await diff.check(PROGRAM, {"id": "nope"}, as_=world.both, get=get, accept=accept)
    two = TREE + "query A($id: ID!) { program(id: $id) { id } } query B($id: ID!) { program(id: $id) { ...Tree } }"
    for operation in ("A", "B", None, "C"):
        await diff.check(two, {"id": program_id}, as_=world.coach1, operation_name=operation)


async def _check_generated(diff: Differential, world: World, operations, *, program_only: bool) -> int:
    """Sends every operation as each viewer of its program; how many answered without errors.

    The second viewer sends the @skip/@include variables flipped: the same document again
    (cached by now), other fields."""
    clean = 0
    for program_id, query, variables in operations:
        flipped = {name: not value if isinstance(value, bool) else value for name, value in variables.items()}
        for index, (person, may_read) in enumerate(world.viewers(program_id)):
            result = await diff.check(query, flipped if index == 1 else variables, as_=person)
            if "errors" in result:
                continue
            clean += 1
            if program_only:  # every root field is program(id) (some aliased, some skipped) or __typename
                for value in result["data"].values():
                    if not isinstance(value, str):
                        assert (value is not None) == may_read, (query, variables, person.email, value)
    return clean


async def test_generated_program_operations(app, diff, world):
    schema = app.state.graphql.schema._schema
    documents = generate(tree_operations(schema, mixed=False), PROGRAM_EXAMPLES)
    clean = await _check_generated(diff, world, decorated(schema, world, documents, seed=1), program_only=True)
    # Nearly all of them ran to the end: the bytes compared are data, not errors.
    assert clean >= 0.9 * 3 * len(documents), clean


async def test_generated_operations_with_other_root_fields(app, diff, world):
    schema = app.state.graphql.schema._schema
    documents = generate(tree_operations(schema, mixed=True), MIXED_EXAMPLES)
    clean = await _check_generated(diff, world, decorated(schema, world, documents, seed=2), program_only=False)
    assert clean >= 0.9 * 3 * len(documents), clean


async def test_operations_generated_from_the_schema(app, diff, world):
    """hypothesis-graphql's own choice of read operations (shallow, but every read root and argument)."""
    schema = app.state.graphql.schema._schema
    roots = ["program", "node", "nodes", "viewer", "equipmentCatalog"]
    documents = generate(queries(schema, fields=roots, print_ast=lambda d: d, allow_x00=False), SCHEMA_EXAMPLES)
    unique = list({graphql.print_ast(d): d for d in documents}.values())
    clean = await _check_generated(diff, world, decorated(schema, world, unique, seed=3), program_only=False)
    assert clean >= 0.8 * 3 * len(unique), clean


class _Rewrite:
    """An ASGI app answering as `app` does, but with `old` replaced by `new` in the body."""

    def __init__(self, app: Any, old: bytes, new: bytes) -> None:
        self.app, self.old, self.new = app, old, new

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        async def rewrite(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [(k, v) for k, v in message["headers"] if k != b"content-length"]}
            elif message["type"] == "http.response.body":
                message = {**message, "body": message.get("body", b"").replace(self.old, self.new)}
            await send(message)

        await self.app(scope, receive, rewrite)


async def test_a_difference_is_caught(sides, world):
    """The comparison itself: the same app, its answer rewritten to write a whole float without
    its ".0" (as PostgreSQL's to_json would), fails it."""
    _, loaders = sides
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=_Rewrite(loaders.app, b"75.0", b"75")),
                               base_url="http://test")
    async with client:
        broken = Differential(Side("loaders, rewritten", loaders.app, client), loaders)
        await broken.check(PROGRAM, {"id": str(world.programs["sparse"])}, as_=world.alone)  # holds no 75.0
        with pytest.raises(AssertionError, match="compiled and loader reads differ"):
            await broken.check(PROGRAM, {"id": str(world.programs["edge"])}, as_=world.both)


async def test_compiled_program_tree_is_one_statement(sides, make_user, make_programs):
    """EXPECTS 1: with compiled reads, program(id) with its whole tree is exactly one SQL statement,
    every time: bench/nested_query.py's selection plus athlete { id displayName }, and every
    table-backed field of the tree (TREE)."""
    compiled, loaders = sides
    athlete = await make_user(Role.ATHLETE)
    [program_id] = await make_programs(athlete, mesocycles=4, days=5)
    counts: dict[tuple[str, str], list[int]] = {}
    for label, query in (("bench", _bench_nested_query()), ("TREE", PROGRAM)):
        for side in (compiled, loaders):
            counter = statement_counter(side.engine)
            counts[label, side.name] = []
            for _ in range(2):  # the first request compiles the document, the second finds it cached
                before = counter.total
                response = await side.client.post(
                    "/graphql", json={"query": query, "variables": {"id": str(program_id)}}, headers=athlete.headers
                )
                counts[label, side.name].append(counter.total - before)
                body = response.json()
                assert "errors" not in body, body
                workouts = [w for m in body["data"]["program"]["macrocycles"][0]["mesocycles"]
                            for c in m["microcycles"] for w in c["workouts"]]
                assert len(workouts) == 80
    got = {label: counts[label, "compiled"] for label in ("bench", "TREE")}
    assert got == {"bench": [1, 1], "TREE": [1, 1]}, (
        f"compiled reads: expected exactly 1 SQL statement per program(id) tree request, got {got} "
        f"(per-request loaders: {({label: counts[label, 'loaders'] for label in got})})"
    )


# ----------------------------------------------------------------------------- mixed: compiled and resolved

# Computed fields at the root, in a linked user, and in every workout (through its parent links).
MIXED = TREE + COMPUTED + """
query Mixed($id: ID!) {
  program(id: $id) {
    ...Tree ...Computed
    macrocycles { mesocycles { microcycles { workouts {
      microcycle { mesocycle { macrocycle { program { seed createdBy { profile { effectiveMaxHr } } } } } }
    } } } }
  }
}
"""


async def test_computed_fields_resolve_alone_beside_the_compiled_tree(sides, diff, world):
    """EXPECTS 4: fields computed in Python (seed, generationInput, profile and what is under it) resolve
    through the loaders while the rest of the tree stays one compiled statement: the statement, then one
    per loader the holes use (the program rows, the users, the profiles), however many workouts hold them."""
    compiled, _ = sides
    program_id = world.programs["generated"]
    counter = statement_counter(compiled.engine)
    for _ in range(2):
        before = counter.total
        body = await diff.check(MIXED, {"id": str(program_id)}, as_=world.one)
        assert counter.total - before == 4, counter.total - before
    program = body["data"]["program"]
    assert program["seed"] == program["generationInput"]["seed"] == 7
    assert program["athlete"]["profile"]["effectiveMaxHr"] is not None
    workouts = [w for m in program["macrocycles"][0]["mesocycles"] for c in m["microcycles"] for w in c["workouts"]]
    assert len(workouts) == 18
    assert {w["microcycle"]["mesocycle"]["macrocycle"]["program"]["seed"] for w in workouts} == {7}
    for program_id in world.programs.values():
        for viewer, may_read in world.viewers(program_id):
            body = await diff.check(MIXED, {"id": str(program_id)}, as_=viewer)
            assert (body["data"]["program"] is not None) == may_read


def _leave_to_resolvers(monkeypatch: pytest.MonkeyPatch, *fields: tuple[str, str]) -> None:
    """Make the compiler leave these (type, response key) fields to the resolvers, as it does computed ones."""
    table_field = compiled_sql._Compiler.table_field

    def patched(self: Any, spec: Any, type_: Any, key: str, *rest: Any) -> str:
        if (type_.name, key) in fields:
            raise compiled_sql._NotCompilable(key)
        return table_field(self, spec, type_, key, *rest)

    monkeypatch.setattr(compiled_sql._Compiler, "table_field", patched)


def _load_broken(monkeypatch: pytest.MonkeyPatch, name: str, fetch: Callable, key: str, broken: Callable) -> None:
    """Replace the request loader `name` by one whose rows pass through `broken` (row -> row)."""

    async def fetch_broken(db: Any, keys: Any) -> list[Any]:
        return [broken(row) for row in await fetch(db, keys)]

    loader = (loaders._one if key == "id" else loaders._many)(fetch_broken, key)
    loader.__set_name__(loaders.Loaders, name)
    monkeypatch.setattr(loaders.Loaders, name, loader)


def _without(row: Row, column: str, when: Callable[[Row], bool]) -> Row:
    """The row, or when `when(row)`, a copy with `column` null (a Row still, as the types expect)."""
    if not when(row):
        return row
    data = tuple(None if key == column else value for key, value in row._mapping.items())
    return Row(row._parent, None, row._key_to_index, data)


async def test_errors_in_resolved_fields_null_the_same_positions(sides, diff, world, monkeypatch):
    """A field left to the resolvers that fails nulls what graphql-core nulls, with the same errors:
    a nullable field itself; for a non-null one, the nearest nullable object (createdBy), or, through
    non-null lists and items, the program."""
    program_id = world.programs["edge"]
    owner = world.owners[program_id]
    query = TREE + COMPUTED + "query Broken($id: ID!) { program(id: $id) { ...Tree ...Computed } }"

    def fail(_stored: Any) -> None:
        raise ValueError("stored generation input unreadable")

    monkeypatch.setattr(programs_schema, "request_from_json", fail)
    body = await diff.check(query, {"id": str(world.programs["generated"])}, as_=world.one)
    assert body["data"]["program"]["seed"] is None and body["data"]["program"]["generationInput"] is None
    assert sorted(e["path"][-1] for e in body["errors"]) == ["generationInput", "seed"]

    # displayName (non-null) of createdBy (nullable): createdBy becomes null.
    _leave_to_resolvers(monkeypatch, ("User", "displayName"), ("Workout", "name"))
    creator = await _creator(diff, program_id, owner)
    _load_broken(monkeypatch, "user", accounts_service.users_by_ids, "id",
                 lambda row: _without(row, "display_name", lambda r: r.id == creator))
    body = await diff.check(query.replace("Broken", "BrokenCreator"), {"id": str(program_id)}, as_=owner)
    assert body["data"]["program"]["createdBy"] is None
    assert [e["path"] for e in body["errors"]] == [["program", "createdBy", "displayName"]]

    # Workout.name (non-null) of one workout: non-null items and lists up to the program, which is null.
    first = body["data"]["program"]["macrocycles"][0]["mesocycles"][0]["microcycles"][0]["workouts"][0]["id"]
    is_first = lambda row: str(row.id) == first  # noqa: E731
    _load_broken(monkeypatch, "workout", programs_service.workouts_by_ids, "id",
                 lambda row: _without(row, "name", is_first))
    _load_broken(monkeypatch, "workouts", programs_service.workouts_of, "microcycle_id",
                 lambda row: _without(row, "name", is_first))
    body = await diff.check(query.replace("Broken", "BrokenWorkout"), {"id": str(program_id)}, as_=owner)
    assert body["data"] == {"program": None}
    assert [e["path"] for e in body["errors"]] == [
        ["program", "createdBy", "displayName"],
        ["program", "macrocycles", 0, "mesocycles", 0, "microcycles", 0, "workouts", 0, "name"],
    ]


async def _creator(diff: Differential, program_id: uuid.UUID, owner: Person) -> uuid.UUID:
    body = await diff.check("query Creator($id: ID!) { program(id: $id) { createdBy { id } } }",
                            {"id": str(program_id)}, as_=owner)
    return uuid.UUID(body["data"]["program"]["createdBy"]["id"])
