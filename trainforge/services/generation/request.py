"""Checking a generation request and choosing the periodization model for "auto"."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from datetime import date, timedelta

from trainforge.models.programs import ProgramGoal
from trainforge.services.errors import InvalidInput, raise_problems
from trainforge.services.exercises import ExerciseLibrary, default_library
from trainforge.services.generation.types import (
    AthleteBaseline,
    ExperienceLevel,
    LiftBaseline,
    GenerationRequest,
    GeneratorKind,
    PeriodizationModel,
    Weekday,
)

MIN_WEEKS, MAX_WEEKS = 4, 52
MIN_SESSION_MINUTES, MAX_SESSION_MINUTES = 20, 180
# Seeds are exposed as GraphQL `Int`, a signed 32-bit integer: keep them in 0..2^31-1.
SEED_LIMIT = 2**31


@dataclass(frozen=True)
class GenerationInput:
    """A request as the client sent it, before validation."""

    athlete_id: uuid.UUID
    goal: ProgramGoal
    start_date: date
    total_weeks: int
    weekdays: tuple[Weekday, ...]
    session_minutes: int
    experience: ExperienceLevel
    equipment: tuple[str, ...]
    model: PeriodizationModel = PeriodizationModel.AUTO
    generator: GeneratorKind = GeneratorKind.RULES
    days_per_week: int | None = None
    event_date: date | None = None
    seed: int | None = None
    baseline: AthleteBaseline = AthleteBaseline()


# Plausible bounds of the athlete's inputs (world records and clinical ranges leave room).
BODY_WEIGHT_KG = (25.0, 300.0)
LIFT_KG = (1.0, 600.0)
MAX_LIFTS = 12
RACE_KM = (1.0, 250.0)
WEEKLY_KM = (0.0, 300.0)
THRESHOLD_PACE = (120, 900)  # s/km: 2:00 to 15:00 min/km
LTHR = (80, 230)


def resolve_model(goal: ProgramGoal, experience: ExperienceLevel) -> PeriodizationModel:
    """"auto": linear for beginners (they progress session to session), block for
    endurance and dated events (phases build toward a peak), undulating otherwise
    (varied daily stimulus for trained lifters); see Rhea et al. 2002 on DUP vs
    linear, and Issurin 2010 on block periodization."""
    if experience is ExperienceLevel.BEGINNER:
        return PeriodizationModel.LINEAR
    if goal in (ProgramGoal.ENDURANCE, ProgramGoal.COMPETITION):
        return PeriodizationModel.BLOCK
    if experience is ExperienceLevel.ADVANCED and goal is ProgramGoal.STRENGTH:
        return PeriodizationModel.BLOCK
    return PeriodizationModel.UNDULATING


def validate_request(
    raw: GenerationInput, known_equipment: Iterable[str], today: date | None = None
) -> GenerationRequest:
    """A `GenerationRequest`, or `InvalidInput`(s) naming every offending field."""
    today = today or date.today()
    problems: list[InvalidInput] = []
    if not MIN_WEEKS <= raw.total_weeks <= MAX_WEEKS:
        problems.append(InvalidInput(f"totalWeeks must be {MIN_WEEKS} to {MAX_WEEKS}", field="totalWeeks"))
    weekdays = tuple(sorted(set(raw.weekdays)))
    if not weekdays:
        problems.append(InvalidInput("choose at least one training weekday", field="weekdays"))
    elif len(weekdays) != len(raw.weekdays):
        problems.append(InvalidInput("weekdays must not repeat", field="weekdays"))
    if raw.days_per_week is not None and raw.days_per_week != len(raw.weekdays):
        problems.append(
            InvalidInput(f"daysPerWeek is {raw.days_per_week} but {len(raw.weekdays)} weekdays were chosen", field="daysPerWeek")
        )
    if not MIN_SESSION_MINUTES <= raw.session_minutes <= MAX_SESSION_MINUTES:
        problems.append(
            InvalidInput(f"sessionMinutes must be {MIN_SESSION_MINUTES} to {MAX_SESSION_MINUTES}", field="sessionMinutes")
        )
    if raw.start_date < today - timedelta(days=7):
        problems.append(InvalidInput("startDate must not be more than a week in the past", field="startDate"))
    catalog = set(known_equipment)
    unknown = sorted({name for name in raw.equipment if name not in catalog})
    if unknown:
        problems.append(InvalidInput(f"unknown equipment: {', '.join(unknown)}", field="equipment"))
    if raw.goal is ProgramGoal.COMPETITION and raw.event_date is None:
        problems.append(InvalidInput("a competition program needs its eventDate", field="eventDate"))
    if raw.event_date is not None and MIN_WEEKS <= raw.total_weeks <= MAX_WEEKS:
        last_week_start = raw.start_date + timedelta(weeks=raw.total_weeks - 1)
        end = last_week_start + timedelta(days=6)
        if not last_week_start <= raw.event_date <= end:
            problems.append(
                InvalidInput(
                    f"eventDate must fall in the program's last week ({last_week_start} to {end})", field="eventDate"
                )
            )
    if (problem := seed_problem(raw.seed)) is not None:
        problems.append(problem)
    baseline = _checked_baseline(raw.baseline, problems)
    raise_problems(problems)

    model = raw.model if raw.model is not PeriodizationModel.AUTO else resolve_model(raw.goal, raw.experience)
    return GenerationRequest(
        athlete_id=raw.athlete_id,
        goal=raw.goal,
        start_date=raw.start_date,
        total_weeks=raw.total_weeks,
        weekdays=weekdays,
        session_minutes=raw.session_minutes,
        experience=raw.experience,
        equipment=frozenset(raw.equipment),
        model=model,
        generator=raw.generator,
        event_date=raw.event_date,
        seed=raw.seed if raw.seed is not None else _default_seed(raw),
        baseline=baseline,
    )


def _checked_baseline(
    baseline: AthleteBaseline, problems: list[InvalidInput], library: ExerciseLibrary | None = None
) -> AthleteBaseline:
    """The baseline with lift names resolved to library names; problems appended."""
    library = library or default_library()

    def within(value: float | None, bounds: tuple[float, float], field: str, unit: str) -> None:
        if value is not None and not bounds[0] <= value <= bounds[1]:
            problems.append(InvalidInput(f"{field.rsplit('.', 1)[-1]} must be {bounds[0]:g} to {bounds[1]:g} {unit}",
                                         field=f"baseline.{field}"))

    within(baseline.body_weight_kg, BODY_WEIGHT_KG, "bodyWeightKg", "kg")
    within(baseline.race_distance_km, RACE_KM, "raceDistanceKm", "km")
    within(baseline.weekly_running_km, WEEKLY_KM, "weeklyRunningKm", "km")
    within(baseline.threshold_pace_seconds_per_km, THRESHOLD_PACE, "thresholdPaceSecondsPerKm", "s/km")
    within(baseline.lactate_threshold_hr, LTHR, "lactateThresholdHr", "bpm")
    if len(baseline.lifts) > MAX_LIFTS:
        problems.append(InvalidInput(f"at most {MAX_LIFTS} lifts", field="baseline.lifts"))
    lifts, seen = [], set()
    for i, lift in enumerate(baseline.lifts[:MAX_LIFTS]):
        field = f"baseline.lifts.{i}"
        exercise = library.closest(lift.exercise)
        if exercise is None:
            problems.append(InvalidInput(f"no exercise in the library is close to {lift.exercise[:60]!r}",
                                         field=f"{field}.exercise"))
            continue
        if exercise.name in seen:
            problems.append(InvalidInput(f"{exercise.name} is given twice", field=f"{field}.exercise"))
        seen.add(exercise.name)
        if (lift.e1rm_kg is None) == (lift.training_max_kg is None):
            problems.append(InvalidInput("give either e1rmKg or trainingMaxKg", field=field))
        within(lift.e1rm_kg, LIFT_KG, f"lifts.{i}.e1rmKg", "kg")
        within(lift.training_max_kg, LIFT_KG, f"lifts.{i}.trainingMaxKg", "kg")
        lifts.append(LiftBaseline(exercise.name, lift.e1rm_kg, lift.training_max_kg))
    return dataclasses.replace(baseline, lifts=tuple(lifts))


def seed_problem(seed: int | None) -> InvalidInput | None:
    """Why an explicit seed is refused, or None."""
    if seed is not None and not 0 <= seed < SEED_LIMIT:
        return InvalidInput(f"seed must be 0 to {SEED_LIMIT - 1}", field="seed")
    return None


def request_to_json(request: GenerationRequest) -> dict[str, Any]:
    """The validated request as stored with the program."""
    return {
        "athlete_id": str(request.athlete_id),
        "goal": request.goal.value,
        "start_date": request.start_date.isoformat(),
        "total_weeks": request.total_weeks,
        "weekdays": [d.name.lower() for d in request.weekdays],
        "session_minutes": request.session_minutes,
        "experience": request.experience.value,
        "equipment": sorted(request.equipment),
        "model": request.model.value,
        "generator": request.generator.value,
        "event_date": request.event_date.isoformat() if request.event_date else None,
        "seed": request.seed,
        "baseline": baseline_to_json(request.baseline),
    }


def baseline_to_json(baseline: AthleteBaseline) -> dict[str, Any]:
    data = dataclasses.asdict(baseline)
    data["lifts"] = [dataclasses.asdict(lift) for lift in baseline.lifts]
    return data


def baseline_from_json(data: dict[str, Any] | None) -> AthleteBaseline:
    """Programs stored before baselines existed have none: an empty one."""
    if not data:
        return AthleteBaseline()
    lifts = tuple(LiftBaseline(**lift) for lift in data.get("lifts", ()))
    return AthleteBaseline(**{**data, "lifts": lifts})


def request_from_json(data: dict[str, Any]) -> GenerationRequest:
    return GenerationRequest(
        athlete_id=uuid.UUID(data["athlete_id"]),
        goal=ProgramGoal(data["goal"]),
        start_date=date.fromisoformat(data["start_date"]),
        total_weeks=int(data["total_weeks"]),
        weekdays=tuple(Weekday[name.upper()] for name in data["weekdays"]),
        session_minutes=int(data["session_minutes"]),
        experience=ExperienceLevel(data["experience"]),
        equipment=frozenset(data["equipment"]),
        model=PeriodizationModel(data["model"]),
        generator=GeneratorKind(data["generator"]),
        event_date=date.fromisoformat(data["event_date"]) if data.get("event_date") else None,
        seed=int(data["seed"]),
        baseline=baseline_from_json(data.get("baseline")),
    )


def _default_seed(raw: GenerationInput) -> int:
    """Same input, same program: the seed defaults to a stable hash of the input,
    reduced modulo 2^31 so it fits GraphQL's Int (migration 0003 reduced stored seeds alike)."""
    import hashlib

    text = "|".join(
        map(str, (raw.athlete_id, raw.goal.value, raw.start_date, raw.total_weeks, [int(d) for d in raw.weekdays],
                  raw.session_minutes, raw.experience.value, sorted(raw.equipment), raw.model.value, raw.event_date))
    )
    if raw.baseline != AthleteBaseline():  # programs without a baseline keep the seeds they had
        text += "|" + repr(baseline_to_json(raw.baseline))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % SEED_LIMIT
