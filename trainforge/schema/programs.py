"""The periodized program tree: Program -> Macrocycle -> Mesocycle -> Microcycle -> Workout.

Every nested list resolves through a per-request loader, so a query issues
one SQL statement per level whatever the number of parents.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from trainforge.models import program_content as content
from trainforge.models import programs as models
from trainforge.resolvers import programs as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context
from trainforge.schema import tables
from trainforge.schema.accounts import User
from trainforge.schema.node import Node
from trainforge.services.generation.request import request_from_json
from trainforge.services.training import WORKOUT_STATUS_SQL

if TYPE_CHECKING:
    from trainforge.schema.generation import GenerationSettings
    from trainforge.schema.training import TrainingSession

# schema.generation and schema.training import these types: import lazily back.
LazyGenerationSettings = Annotated["GenerationSettings", strawberry.lazy("trainforge.schema.generation")]
LazyTrainingSession = Annotated["TrainingSession", strawberry.lazy("trainforge.schema.training")]

ProgramGoal = strawberry.enum(models.ProgramGoal)
MesocyclePhase = strawberry.enum(models.MesocyclePhase)
WorkoutType = strawberry.enum(models.WorkoutType)
WorkoutStatus = strawberry.enum(
    models.WorkoutStatus, description="A program workout's status: its training session's, or PLANNED while it has none."
)
ProgramGenerator = strawberry.enum(models.ProgramGenerator)


@strawberry.type(description="What a normal (non-deload) week of a mesocycle aims at.")
class WeeklyTargets:
    sessions: int
    hard_sets: int | None = strawberry.field(description="Hard sets per week.")
    intensity_low_pct: float | None = strawberry.field(description="Low end of the intensity range, % of 1RM.")
    intensity_high_pct: float | None = strawberry.field(description="High end of the intensity range, % of 1RM.")
    rpe: float | None
    emphasis: str | None


LoadBasis = strawberry.enum(content.LoadBasis, description="What governs a prescription's dose.")


@strawberry.type(description="One exercise as prescribed: dose, load and rest.")
class PrescribedExercise:
    exercise: str
    sets: int
    reps: int | None
    reps_max: int | None = strawberry.field(description="With reps, a rep range (reps to repsMax).")
    duration_seconds: int | None
    distance_meters: float | None
    load_kg: float | None = strawberry.field(
        description="Load in kg, rounded to what the equipment allows (plates, dumbbell steps)."
    )
    percent_one_rm: float | None = strawberry.field(description="Load as % of the one-repetition maximum.")
    rpe: float | None = strawberry.field(description="Target rating of perceived exertion (1-10).")
    reps_in_reserve: int | None = strawberry.field(description="Reps left in the tank at the end of a set.")
    load_basis: LoadBasis | None = strawberry.field(description="Which target governs when several are given.")
    zone: int | None = strawberry.field(description="Heart-rate zone 1-5.")
    heart_rate_low_bpm: int | None
    heart_rate_high_bpm: int | None
    pace_fast_seconds_per_km: int | None = strawberry.field(description="The faster end of the pace range.")
    pace_slow_seconds_per_km: int | None
    rest_seconds: int | None
    superset: str | None = strawberry.field(description="Exercises with the same label are done alternately.")
    tempo: str | None
    notes: str | None


@strawberry.type
class WorkoutPrescription:
    exercises: list[PrescribedExercise]
    notes: str | None


@strawberry.type
class Workout(Node):
    id: strawberry.ID
    scheduled_date: date = strawberry.field(name="date")
    name: str
    workout_type: WorkoutType = strawberry.field(name="type")
    duration_minutes: int | None
    prescription: WorkoutPrescription
    notes: str | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Its training session's status; PLANNED while it has no session.")
    async def status(self, info: Info[Context, None]) -> WorkoutStatus:
        session = await info.context.loaders.session_of_workout.load(self.id)
        return models.WorkoutStatus.PLANNED if session is None else models.WorkoutStatus(session.status.value)

    @strawberry.field(description="Its training session, once it has one (scheduleWorkout).")
    async def session(self, info: Info[Context, None]) -> LazyTrainingSession | None:
        return await info.context.loaders.session_of_workout.load(self.id)

    @strawberry.field(description="The week it belongs to.")
    async def microcycle(self, info: Info[Context, None]) -> Microcycle:
        return await info.context.loaders.microcycle.load(self.microcycle_id)


@strawberry.type(description="One calendar week of a mesocycle.")
class Microcycle(Node):
    id: strawberry.ID
    week_number: int = strawberry.field(description="Week of the program, from 1.")
    start_date: date
    end_date: date
    is_deload: bool
    focus: str | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    async def workouts(self, info: Info[Context, None]) -> list[Workout]:
        return await info.context.loaders.workouts.load(self.id)

    @strawberry.field(description="The mesocycle it belongs to.")
    async def mesocycle(self, info: Info[Context, None]) -> Mesocycle:
        return await info.context.loaders.mesocycle.load(self.mesocycle_id)


@strawberry.type
class Mesocycle(Node):
    id: strawberry.ID
    position: int
    name: str
    phase: MesocyclePhase
    weeks: int
    start_date: date
    end_date: date
    weekly_targets: WeeklyTargets | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    async def microcycles(self, info: Info[Context, None]) -> list[Microcycle]:
        return await info.context.loaders.microcycles.load(self.id)

    @strawberry.field(description="The macrocycle it belongs to.")
    async def macrocycle(self, info: Info[Context, None]) -> Macrocycle:
        return await info.context.loaders.macrocycle.load(self.macrocycle_id)


@strawberry.type
class Macrocycle(Node):
    id: strawberry.ID
    position: int
    name: str
    goal: str | None
    start_date: date
    end_date: date
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    async def mesocycles(self, info: Info[Context, None]) -> list[Mesocycle]:
        return await info.context.loaders.mesocycles.load(self.id)

    @strawberry.field(description="The program it belongs to.")
    async def program(self, info: Info[Context, None]) -> Program:
        return await info.context.loaders.program.load(self.program_id)


@strawberry.type
class Program(Node):
    id: strawberry.ID
    name: str
    goal: ProgramGoal
    description: str | None
    start_date: date
    end_date: date
    generator: ProgramGenerator | None = strawberry.field(description="What generated it; null if not generated.")
    generator_model: str | None = strawberry.field(description="The LLM's model name, for LLM programs.")
    prompt_version: str | None = strawberry.field(description="Version of the prompts, for LLM programs.")
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        name="generationInput",
        description="The validated request it was generated from (periodizationModel as chosen, never AUTO); "
        "null if not generated.",
    )
    def generation_settings(self) -> LazyGenerationSettings | None:
        from trainforge.schema.generation import GenerationSettings

        stored = self.generation_input
        return None if stored is None else GenerationSettings.from_request(request_from_json(stored))

    @strawberry.field(
        description="The generator's seed (as generationInput.seed): generating again with the same input and "
        "seed gives the same program. Null if not generated."
    )
    def seed(self) -> int | None:
        stored = self.generation_input
        return None if stored is None else request_from_json(stored).seed

    @strawberry.field(description="The athlete the program is for.")
    async def athlete(self, info: Info[Context, None]) -> User:
        return await info.context.loaders.user.load(self.athlete_id)

    @strawberry.field(description="Who created it; null once that account is gone.")
    async def created_by(self, info: Info[Context, None]) -> User | None:
        if self.created_by_id is None:
            return None
        return await info.context.loaders.user.load(self.created_by_id)

    @strawberry.field
    async def macrocycles(self, info: Info[Context, None]) -> list[Macrocycle]:
        return await info.context.loaders.macrocycles.load(self.id)


@strawberry.type
class ProgramsQuery:
    @strawberry.field(description="A program the viewer may read; null for unknown ids and other people's programs.")
    async def program(self, info: Info[Context, None], id: strawberry.ID) -> Program | None:
        ctx, program_id = info.context, parse_id(id)
        # A TableRead lets the execution context answer with one compiled statement.
        return resolve.program_read(ctx, program_id) or await resolve.program(ctx, program_id)  # type: ignore[return-value]


# The tables behind the types above, for reads compiled into one SQL statement.
tables.table(
    "Program",
    models.FitnessProgram.__table__,
    loader="program",
    macrocycles=tables.children("Macrocycle", "program_id", "position"),
    athlete=tables.parent("User", "athlete_id"),
    created_by=tables.parent("User", "created_by_id"),
)
tables.table(
    "Macrocycle",
    models.Macrocycle.__table__,
    loader="macrocycle",
    mesocycles=tables.children("Mesocycle", "macrocycle_id", "position"),
    program=tables.parent("Program", "program_id"),
)
tables.table(
    "Mesocycle",
    models.Mesocycle.__table__,
    loader="mesocycle",
    microcycles=tables.children("Microcycle", "mesocycle_id", "week_number"),
    macrocycle=tables.parent("Macrocycle", "macrocycle_id"),
    weekly_targets=tables.content("WeeklyTargets", "weekly_targets"),
)
tables.table(
    "Microcycle",
    models.Microcycle.__table__,
    loader="microcycle",
    workouts=tables.children("Workout", "microcycle_id", "scheduled_date", "id"),
    mesocycle=tables.parent("Mesocycle", "mesocycle_id"),
)
tables.table(
    "Workout",
    models.WorkoutInstance.__table__,
    loader="workout",
    microcycle=tables.parent("Microcycle", "microcycle_id"),
    prescription=tables.content("WorkoutPrescription", "prescription"),
    status=tables.expression(WORKOUT_STATUS_SQL),
    session=tables.single("TrainingSession", "program_workout_id"),
)
tables.content_type("WorkoutPrescription", content.WorkoutPrescription, exercises="PrescribedExercise")
tables.content_type("PrescribedExercise", content.PrescribedExercise)
tables.content_type("WeeklyTargets", content.WeeklyTargets)
