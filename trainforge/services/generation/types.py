"""What a generation asks for and what generators return, as plain values."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
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


@dataclass
class GeneratedMesocycle:
    outline: MesocycleOutline
    plan: MesocyclePlan


@dataclass
class GeneratedProgram:
    outline: ProgramOutline
    mesocycles: list[GeneratedMesocycle] = field(default_factory=list)
    info: GenerationInfo = field(default_factory=lambda: GenerationInfo(GeneratorKind.RULES))


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
