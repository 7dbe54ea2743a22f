"""Generating periodized programs: `generateProgram`, `regenerateMesocycle`, the equipment catalog."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import Info

from trainforge.resolvers import generation as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context
from trainforge.schema.errors import MutationError, to_mutation_errors
from trainforge.schema.programs import Mesocycle, Program, ProgramGoal
from trainforge.services.exercises import default_catalog
from trainforge.services.generation import types
from trainforge.services.generation.request import GenerationInput
from trainforge.services.generation.types import GenerationRequest

PeriodizationModel = strawberry.enum(
    types.PeriodizationModel, description="LINEAR, UNDULATING (DUP), BLOCK, or AUTO to choose by goal and experience."
)
ExperienceLevel = strawberry.enum(types.ExperienceLevel)
GeneratorKind = strawberry.enum(types.GeneratorKind, description="RULES (default, no key needed) or LLM.")
Weekday = strawberry.enum(types.Weekday)
GenerationWarningCode = strawberry.enum(types.WarningCode)


@strawberry.type(description="What the athlete can lift on one exercise.")
class LiftBaseline:
    exercise: str = strawberry.field(description="The library name it was matched to.")
    e1rm_kg: float | None = strawberry.field(description="Estimated one-repetition maximum.")
    training_max_kg: float | None


@strawberry.type(description="Where the athlete starts: the inputs loads, paces and heart rates come from.")
class AthleteBaseline:
    body_weight_kg: float | None
    lifts: list[LiftBaseline]
    race_distance_km: float | None
    weekly_running_km: float | None = strawberry.field(description="Current running volume per week.")
    threshold_pace_seconds_per_km: int | None = strawberry.field(description="Pace sustainable for about an hour.")
    lactate_threshold_hr: int | None
    max_hr: int | None = strawberry.field(description="From the athlete's profile when generated.")
    resting_hr: int | None

    @classmethod
    def from_baseline(cls, baseline: types.AthleteBaseline) -> AthleteBaseline:
        return cls(
            body_weight_kg=baseline.body_weight_kg,
            lifts=[LiftBaseline(exercise=lift.exercise, e1rm_kg=lift.e1rm_kg, training_max_kg=lift.training_max_kg)
                   for lift in baseline.lifts],
            race_distance_km=baseline.race_distance_km,
            weekly_running_km=baseline.weekly_running_km,
            threshold_pace_seconds_per_km=baseline.threshold_pace_seconds_per_km,
            lactate_threshold_hr=baseline.lactate_threshold_hr,
            max_hr=baseline.max_hr,
            resting_hr=baseline.resting_hr,
        )


@strawberry.input(description="Give e1rmKg or trainingMaxKg; loads are set from it in kg.")
class LiftBaselineInput:
    exercise: str = strawberry.field(description="A library name or a common one (\"bench press\").")
    e1rm_kg: float | None = None
    training_max_kg: float | None = None


@strawberry.input(description="All optional: without a lift's max its sets go by RPE and a rep range.")
class AthleteBaselineInput:
    body_weight_kg: float | None = None
    lifts: list[LiftBaselineInput] = strawberry.field(default_factory=list)
    race_distance_km: float | None = strawberry.field(default=None, description="Endurance: the race to plan for.")
    weekly_running_km: float | None = strawberry.field(default=None, description="Current running km per week.")
    threshold_pace_seconds_per_km: int | None = None
    lactate_threshold_hr: int | None = None

    def to_baseline(self) -> types.AthleteBaseline:
        return types.AthleteBaseline(
            body_weight_kg=self.body_weight_kg,
            lifts=tuple(types.LiftBaseline(lift.exercise, lift.e1rm_kg, lift.training_max_kg) for lift in self.lifts),
            race_distance_km=self.race_distance_km,
            weekly_running_km=self.weekly_running_km,
            threshold_pace_seconds_per_km=self.threshold_pace_seconds_per_km,
            lactate_threshold_hr=self.lactate_threshold_hr,
        )


@strawberry.type(description="Something the plan could not do for this athlete (equipment, time), said openly.")
class GenerationWarning:
    code: GenerationWarningCode
    message: str
    detail: str | None = strawberry.field(description="The movement pattern or muscle concerned.")


@strawberry.type(description="An item of the equipment catalog; its name is what generateProgram accepts.")
class EquipmentItem:
    name: str
    location: str = strawberry.field(description="home, gym or outdoor")


@strawberry.type(description="What a program was generated from: the request as validated and stored.")
class GenerationSettings:
    goal: ProgramGoal
    start_date: date
    total_weeks: int
    weekdays: list[Weekday] = strawberry.field(description="The training days, Monday first.")
    days_per_week: int = strawberry.field(description="The number of weekdays.")
    session_minutes: int
    experience: ExperienceLevel
    equipment: list[str] = strawberry.field(description="Equipment names, sorted.")
    periodization_model: PeriodizationModel = strawberry.field(
        description="The model used: AUTO has been resolved to the one it chose."
    )
    generator: GeneratorKind
    event_date: date | None
    seed: int = strawberry.field(description="The same input and seed give the same program.")
    baseline: AthleteBaseline

    @classmethod
    def from_request(cls, request: GenerationRequest) -> GenerationSettings:
        return cls(
            goal=request.goal,
            start_date=request.start_date,
            total_weeks=request.total_weeks,
            weekdays=list(request.weekdays),
            days_per_week=request.days_per_week,
            session_minutes=request.session_minutes,
            experience=request.experience,
            equipment=sorted(request.equipment),
            periodization_model=request.model,
            generator=request.generator,
            event_date=request.event_date,
            seed=request.seed,
            baseline=AthleteBaseline.from_baseline(request.baseline),
        )


@strawberry.input
class GenerateProgramInput:
    athlete_id: strawberry.ID | None = strawberry.field(
        default=None, description="A linked athlete (coaches); omitted means the viewer."
    )
    goal: ProgramGoal
    start_date: date
    total_weeks: int = strawberry.field(description="4 to 52.")
    weekdays: list[Weekday] = strawberry.field(description="The training days; one workout on each.")
    days_per_week: int | None = strawberry.field(default=None, description="Optional check: must equal len(weekdays).")
    session_minutes: int = 60
    experience: ExperienceLevel = types.ExperienceLevel.INTERMEDIATE
    equipment: list[str] = strawberry.field(default_factory=list, description="Names from equipmentCatalog.")
    periodization_model: PeriodizationModel = types.PeriodizationModel.AUTO
    generator: GeneratorKind = types.GeneratorKind.RULES
    event_date: date | None = strawberry.field(default=None, description="Race or competition day, in the last week.")
    seed: int | None = strawberry.field(
        default=None, description="0 to 2^31-1; same input and seed, same program. Omitted: a hash of the input."
    )
    baseline: AthleteBaselineInput | None = None


@strawberry.type
class GenerateProgramPayload:
    program: Program | None
    errors: list[MutationError]
    warnings: list[GenerationWarning] = strawberry.field(
        description="What the plan could not do with the athlete's equipment or time; empty when all holds."
    )


@strawberry.type
class RegenerateMesocyclePayload:
    mesocycle: Mesocycle | None
    errors: list[MutationError]


@strawberry.type
class GenerationQuery:
    @strawberry.field(description="Equipment names generateProgram accepts, by location.")
    def equipment_catalog(self) -> list[EquipmentItem]:
        catalog = default_catalog()
        items = sorted((catalog.get(name) for name in catalog.names()), key=lambda item: (item.location, item.name))
        return [EquipmentItem(name=item.name, location=item.location) for item in items]


@strawberry.type
class GenerationMutation:
    @strawberry.mutation(description="Generate a periodized program and store it; the whole tree is in the payload.")
    async def generate_program(self, info: Info[Context, None], input: GenerateProgramInput) -> GenerateProgramPayload:
        ctx = info.context
        athlete = parse_id(input.athlete_id, "athleteId") if input.athlete_id else ctx.require_viewer().id
        raw = GenerationInput(
            athlete_id=athlete,
            goal=input.goal,
            start_date=input.start_date,
            total_weeks=input.total_weeks,
            weekdays=tuple(input.weekdays),
            days_per_week=input.days_per_week,
            session_minutes=input.session_minutes,
            experience=input.experience,
            equipment=tuple(input.equipment),
            model=input.periodization_model,
            generator=input.generator,
            event_date=input.event_date,
            seed=input.seed,
            baseline=input.baseline.to_baseline() if input.baseline else types.AthleteBaseline(),
        )
        outcome = await resolve.generate_program(ctx, raw)
        program, warnings = outcome.value or (None, ())
        return GenerateProgramPayload(
            program=program,
            errors=to_mutation_errors(outcome.errors),
            warnings=[GenerationWarning(code=w.code, message=w.message, detail=w.detail) for w in warnings],
        )

    @strawberry.mutation(
        description="Re-break one mesocycle down into weeks and workouts, keeping the other mesocycles and "
        "every completed workout. A new seed gives the rule-based generator a different draw."
    )
    async def regenerate_mesocycle(
        self, info: Info[Context, None], mesocycle_id: strawberry.ID, seed: int | None = None
    ) -> RegenerateMesocyclePayload:
        outcome = await resolve.regenerate_mesocycle(info.context, parse_id(mesocycle_id, "mesocycleId"), seed)
        return RegenerateMesocyclePayload(mesocycle=outcome.value, errors=to_mutation_errors(outcome.errors))
