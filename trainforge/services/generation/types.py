"""What a generation asks for and what generators return, as plain values."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from trainforge.models.program_content import WeeklyTargets
from trainforge.models.programs import MesocyclePhase, ProgramGoal
from trainforge.services.errors import ServiceError
from trainforge.services.program_tree import MesocyclePlan


class PeriodizationModel(str, enum.Enum):
    LINEAR = "linear"  # load rises week over week, volume falls
    UNDULATING = "undulating"  # daily undulating (DUP): heavy / moderate / light days rotate
    BLOCK = "block"  # one emphasis per block: accumulation -> intensification -> realization
    AUTO = "auto"  # chosen from goal and experience


class ExperienceLevel(str, enum.Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class GeneratorKind(str, enum.Enum):
    RULES = "rules"
    LLM = "llm"


class Weekday(int, enum.Enum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


TRAINING_MAX_SHARE = 0.9  # a training max is 90 % of the 1RM (Wendler, *5/3/1*, 2nd ed.)


@dataclass(frozen=True)
class LiftBaseline:
    """What the athlete can lift on one exercise (a library name): an estimated 1RM or a
    training max, in kg. Loads are set as % of the training max (90 % of the e1RM when
    only that is given; Wendler, *5/3/1*, 2nd ed.)."""

    exercise: str
    e1rm_kg: float | None = None
    training_max_kg: float | None = None

    @property
    def one_rep_max(self) -> float:
        if self.e1rm_kg is not None:
            return self.e1rm_kg
        assert self.training_max_kg is not None
        return self.training_max_kg / TRAINING_MAX_SHARE


@dataclass(frozen=True)
class AthleteBaseline:
    """Where the athlete starts. Everything is optional: without a lift's max, its sets
    go by RPE/RIR and a rep range; without a race distance or current volume, defaults by
    experience; heart-rate zones need the profile's max HR (resting HR makes them Karvonen)."""

    body_weight_kg: float | None = None
    lifts: tuple[LiftBaseline, ...] = ()
    race_distance_km: float | None = None
    weekly_running_km: float | None = None
    threshold_pace_seconds_per_km: int | None = None
    lactate_threshold_hr: int | None = None
    max_hr: int | None = None  # from the athlete's profile, filled in by the service
    resting_hr: int | None = None

    def lift(self, exercise: str) -> LiftBaseline | None:
        return next((lift for lift in self.lifts if lift.exercise == exercise), None)


@dataclass(frozen=True)
class GenerationRequest:
    """A validated request (see `request.validate_request`): every field is within bounds."""

    athlete_id: uuid.UUID
    goal: ProgramGoal
    start_date: date
    total_weeks: int  # 4..52
    weekdays: tuple[Weekday, ...]  # sorted, distinct; len() is the training days per week
    session_minutes: int  # 20..180
    experience: ExperienceLevel
    equipment: frozenset[str]  # catalog item names, validated
    model: PeriodizationModel  # never AUTO once validated: `resolve_model` has chosen
    generator: GeneratorKind = GeneratorKind.RULES
    event_date: date | None = None  # race or competition day, inside the last week
    seed: int = 0
    baseline: AthleteBaseline = AthleteBaseline()

    @property
    def end_date(self) -> date:
        """Microcycles are whole calendar weeks from the start date."""
        return self.start_date + timedelta(days=7 * self.total_weeks - 1)

    @property
    def days_per_week(self) -> int:
        return len(self.weekdays)


@dataclass(frozen=True)
class MesocycleOutline:
    """One mesocycle as planned by the outline step; dates are computed by us."""

    name: str
    phase: MesocyclePhase
    weeks: int  # the last one is a deload (or transition/taper) week
    start_date: date
    end_date: date
    weekly_targets: WeeklyTargets
    emphasis: str


@dataclass(frozen=True)
class ProgramOutline:
    name: str
    description: str
    model: PeriodizationModel
    mesocycles: tuple[MesocycleOutline, ...]


@dataclass(frozen=True)
class GenerationInfo:
    """Recorded with the program: what produced it."""

    generator: GeneratorKind
    model: str | None = None  # the LLM's model name
    prompt_version: str | None = None


class WarningCode(str, enum.Enum):
    PATTERN_UNAVAILABLE = "pattern_unavailable"  # no exercise of a movement pattern fits the equipment
    VOLUME_BELOW_TARGET = "volume_below_target"  # the sessions are too short for the weekly sets aimed at
    NO_HEART_RATE_ZONES = "no_heart_rate_zones"  # no max HR (or LTHR): intensity by RPE only


@dataclass(frozen=True)
class GenerationWarning:
    """Something the plan could not do for this athlete, said rather than hidden."""

    code: WarningCode
    message: str
    detail: str | None = None  # the pattern or muscle concerned


class Generator(Protocol):
    """Both steps of a generation. Implementations must be deterministic for the
    same request where they can be (the rule-based one is)."""

    info: GenerationInfo

    async def outline(self, request: GenerationRequest) -> ProgramOutline: ...

    async def breakdown(
        self, request: GenerationRequest, outline: ProgramOutline, index: int, first_week_number: int
    ) -> MesocyclePlan:
        """Weeks and workouts of `outline.mesocycles[index]`; its first week is
        program week `first_week_number` (1-based)."""
        ...


class GenerationFailed(ServiceError):
    """The generator could not produce a valid program (after its retries)."""
