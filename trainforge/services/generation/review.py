"""Reading a generated plan as a coach would: what breaks the rules (problems) and what the
athlete's equipment or time did not allow (warnings).

The same review runs on every generator's output: the rule-based generator's property
tests assert no problems, and the LLM generator feeds problems back to the model like
schema errors. Everything here is pure: plans in, findings out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trainforge.models.programs import ProgramGoal
from trainforge.services.exercises import EquipmentCatalog, ExerciseLibrary, default_catalog, default_library
from trainforge.services.generation.types import GenerationRequest, GenerationWarning, ProgramOutline, WarningCode
from trainforge.services.program_tree import MesocyclePlan


@dataclass
class Review:
    problems: list[str] = field(default_factory=list)
    warnings: list[GenerationWarning] = field(default_factory=list)


def review_program(request: GenerationRequest, outline: ProgramOutline, plans: list[MesocyclePlan],
                   library: ExerciseLibrary | None = None, catalog: EquipmentCatalog | None = None) -> Review:
    library, catalog = library or default_library(), catalog or default_catalog()
    found = Review()
    found.warnings.extend(situation_warnings(request))
    return found


def situation_warnings(request: GenerationRequest) -> list[GenerationWarning]:
    """What the athlete's inputs leave out, whatever the plan."""
    warnings = []
    baseline = request.baseline
    if request.goal is ProgramGoal.ENDURANCE and baseline.max_hr is None and baseline.lactate_threshold_hr is None:
        warnings.append(GenerationWarning(
            WarningCode.NO_HEART_RATE_ZONES,
            "no max heart rate (profile) or lactate threshold HR: endurance sessions are set by RPE and pace only"))
    return warnings
