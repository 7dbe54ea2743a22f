"""Reading a generated plan as a coach would: what breaks the rules (problems) and what the
athlete's equipment or time did not allow (warnings).

The same review runs on every generator's output: the rule-based generator's property
tests assert it finds no problems, and the LLM generator feeds the problems of a reply
back to the model like schema errors. Everything here is pure: plans in, findings out.
Messages are short and name the week, the exercise or the muscle: a model reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from trainforge.models.program_content import PrescribedExercise
from trainforge.models.programs import MesocyclePhase, ProgramGoal, WorkoutType
from trainforge.services.exercises import (
    EquipmentCatalog,
    Exercise,
    ExerciseLibrary,
    MovementPattern,
    default_catalog,
    default_library,
)
from trainforge.services.generation.curation import (
    SUBSTITUTES,
    Owned,
    load_steps,
    owned_loads,
    screen_reason,
    within_level,
)
from trainforge.services.generation.review_endurance import endurance_mesocycle_problems, endurance_problems
from trainforge.services.generation.rules_dosage import LOADABLE
from trainforge.services.generation.rules_outline import ends_with_test
from trainforge.services.generation.rules_strength import MAX_LEVEL
from trainforge.services.generation.rules_templates import Role
from trainforge.services.generation.rules_volume import (
    FAMILIES,
    HYPERTROPHY_SETS,
    MAJOR_GROUPS,
    NOT_HARD_SETS,
    PUSH_PULL_MAX,
    builds_muscle,
    muscle_sets,
    push_pull_sets,
)
from trainforge.services.generation.types import GenerationRequest, GenerationWarning, ProgramOutline, WarningCode
from trainforge.services.program_tree import MesocyclePlan, MicrocyclePlan

KEY_FAMILIES = ("squat", "hinge", "push", "pull")
WARNED_PATTERNS = (MovementPattern.SQUAT, MovementPattern.HINGE, MovementPattern.HORIZONTAL_PUSH,
                   MovementPattern.VERTICAL_PUSH, MovementPattern.HORIZONTAL_PULL, MovementPattern.VERTICAL_PULL,
                   MovementPattern.CARRY)
LIFTING_TYPES = frozenset({WorkoutType.STRENGTH, WorkoutType.HYPERTROPHY, WorkoutType.POWER})


@dataclass
class Review:
    problems: list[str] = field(default_factory=list)
    warnings: list[GenerationWarning] = field(default_factory=list)


@dataclass(frozen=True)
class Athlete:
    """What the review needs to know of the athlete, resolved once."""

    request: GenerationRequest
    library: ExerciseLibrary
    kinds: frozenset[str]
    level: str | None
    owned: Owned  # loads the athlete's own implements allow

    @classmethod
    def of(cls, request: GenerationRequest, library: ExerciseLibrary | None = None,
           catalog: EquipmentCatalog | None = None) -> Athlete:
        catalog = catalog or default_catalog()
        return cls(request, library or default_library(), catalog.kinds_for(request.equipment),
                   MAX_LEVEL[request.experience], owned_loads(request.equipment))

    def suits(self, exercise: Exercise) -> bool:
        return (exercise.equipment <= self.kinds and within_level(exercise, self.level)
                and screen_reason(exercise, Role.MAIN) is None)

    def available_pattern(self, pattern: MovementPattern) -> bool:
        return any(ex.pattern is pattern and self.suits(ex) for ex in self.library.all())

    def available(self, family: str, loaded: bool = False) -> bool:
        """Whether anything of the family (with external load, if asked) suits the athlete."""
        return any(FAMILIES.get(ex.pattern) == family and (not loaded or bool(ex.equipment & LOADABLE))
                   and self.suits(ex) for ex in self.library.all())


def review_program(request: GenerationRequest, outline: ProgramOutline, plans: list[MesocyclePlan],
                   library: ExerciseLibrary | None = None, catalog: EquipmentCatalog | None = None) -> Review:
    athlete = Athlete.of(request, library, catalog)
    found = Review(warnings=situation_warnings(athlete))
    for plan in plans:
        found.problems.extend(_strength_problems(athlete, plan))
    if request.goal is ProgramGoal.ENDURANCE:  # running volume has its own rule: it never falls block to block
        found.problems.extend(endurance_problems(request, outline, plans))
    else:
        found.problems.extend(_repeated_blocks(plans))
    if ends_with_test(request) and plans:
        last = plans[-1].microcycles[-1]
        if last.is_deload or not any(w.workout_type is WorkoutType.TEST for w in last.workouts):
            found.problems.append(f"week {last.week_number}: a strength program ends with a test week, not a deload")
    found.warnings.extend(_volume_warnings(athlete, plans))
    return found


def situation_warnings(athlete: Athlete) -> list[GenerationWarning]:
    """What the athlete's equipment and inputs leave out, whatever the plan."""
    request, warnings = athlete.request, []
    if request.goal is not ProgramGoal.ENDURANCE:
        for pattern in WARNED_PATTERNS:
            if athlete.available_pattern(pattern):
                continue
            substitute = SUBSTITUTES.get(pattern)
            instead = (f"; {substitute.value.replace('_', ' ')} work fills its place"
                       if substitute is not None and athlete.available_pattern(substitute) else "")
            warnings.append(GenerationWarning(
                WarningCode.PATTERN_UNAVAILABLE,
                f"no {pattern.value.replace('_', ' ')} exercise suits the equipment and level given{instead}",
                pattern.value))
    baseline = request.baseline
    if request.goal is ProgramGoal.ENDURANCE and baseline.max_hr is None and baseline.lactate_threshold_hr is None:
        warnings.append(GenerationWarning(
            WarningCode.NO_HEART_RATE_ZONES,
            "no max heart rate (profile) or lactate threshold HR: endurance sessions are set by RPE and pace only"))
    return warnings


def mesocycle_problems(athlete: Athlete, outline: ProgramOutline, index: int, plan: MesocyclePlan) -> list[str]:
    """The checks that hold for one mesocycle read alone (an LLM's reply to one breakdown)."""
    problems = _strength_problems(athlete, plan)
    if athlete.request.goal is ProgramGoal.ENDURANCE:
        problems.extend(endurance_mesocycle_problems(athlete.request, outline, index, plan))
    return problems


def _strength_problems(athlete: Athlete, plan: MesocyclePlan) -> list[str]:
    """Exercises, loads, balance and volume, week by week."""
    problems: list[str] = []
    loading_weeks = []
    for week in plan.microcycles:
        for workout in week.workouts:
            for prescribed in workout.prescription.exercises:
                problems.extend(_exercise_problems(athlete, week, prescribed))
        if not week.is_deload and plan.phase is not MesocyclePhase.TAPER \
                and not any(w.workout_type is WorkoutType.TEST for w in week.workouts):
            loading_weeks.append(week)
    if athlete.request.goal is not ProgramGoal.ENDURANCE:
        for week in loading_weeks:
            problems.extend(_balance_problems(athlete, week, builds_muscle(athlete.request.goal, plan.phase)))
        if builds_muscle(athlete.request.goal, plan.phase):
            problems.extend(_ramp_problems(athlete, loading_weeks))
    return problems


def _exercise_problems(athlete: Athlete, week: MicrocyclePlan, prescribed: PrescribedExercise) -> list[str]:
    where = f"week {week.week_number}: {prescribed.exercise}"
    exercise = athlete.library.get(prescribed.exercise)
    if exercise is None:
        return [f"{where} is not in the exercise library"]
    problems = []
    mobility = prescribed.reps is None and (prescribed.rpe or 10) <= 4
    reason = screen_reason(exercise, Role.MOBILITY if mobility else None)
    if reason:
        problems.append(f"{where} is screened out ({reason})")
    if not exercise.equipment <= athlete.kinds:
        problems.append(f"{where} needs equipment the athlete does not have")
    if not within_level(exercise, athlete.level):
        problems.append(f"{where} is above the athlete's level")
    if prescribed.load_kg is not None:
        steps = load_steps(exercise.equipment, athlete.owned)
        if steps is None or not steps.allows(prescribed.load_kg):
            problems.append(f"{where}: {prescribed.load_kg:g} kg cannot be loaded on its implement")
    if prescribed.percent_one_rm is not None and prescribed.load_kg is None \
            and athlete.request.baseline.lift(exercise.name) is None:
        problems.append(f"{where}: % of 1RM on a lift without a known 1RM; prescribe RPE and reps in reserve")
    return problems


def _strength_doses(athlete: Athlete, week: MicrocyclePlan) -> list[tuple[Exercise, int]]:
    doses = []
    for workout in week.workouts:
        if workout.workout_type in (WorkoutType.ENDURANCE, WorkoutType.RECOVERY):
            continue
        for prescribed in workout.prescription.exercises:
            exercise = athlete.library.get(prescribed.exercise)
            if exercise is not None:
                doses.append((exercise, prescribed.sets))
    return doses


def _balance_problems(athlete: Athlete, week: MicrocyclePlan, volume_block: bool) -> list[str]:
    doses = _strength_doses(athlete, week)
    if not doses:
        return []
    problems = []
    present = {FAMILIES.get(ex.pattern) for ex, _ in doses}
    loaded = {FAMILIES.get(ex.pattern) for ex, _ in doses if ex.equipment & LOADABLE}
    for family in KEY_FAMILIES:
        if family not in present and athlete.available(family):
            problems.append(f"week {week.week_number}: no {family} exercise although the equipment allows one")
        elif family not in loaded and athlete.available(family, loaded=True):
            problems.append(f"week {week.week_number}: no loaded {family} exercise although the equipment allows one")
    push, pull = push_pull_sets(doses)
    if push and pull and not push <= pull <= PUSH_PULL_MAX * push:
        problems.append(f"week {week.week_number}: {push} pushing sets to {pull} pulling (pull 1-1.5 times push)")
    if volume_block:
        sets = muscle_sets(doses)
        for group in MAJOR_GROUPS:
            if sets[group] > HYPERTROPHY_SETS[1]:
                problems.append(f"week {week.week_number}: {sets[group]:g} hard sets for {group} "
                                f"(at most {HYPERTROPHY_SETS[1]})")
    return problems


def _ramp_problems(athlete: Athlete, loading_weeks: list[MicrocyclePlan]) -> list[str]:
    """Volume ramps up across a volume block, unless the sessions are too short to reach even
    the floor (then the plan warns, see _volume_warnings)."""
    doses = [_strength_doses(athlete, week) for week in loading_weeks]
    if any(muscle_sets(d)[group] < HYPERTROPHY_SETS[0] for d in doses for group in MAJOR_GROUPS):
        return []
    totals = [sum(sets for exercise, sets in d if exercise.pattern not in NOT_HARD_SETS) for d in doses]
    if any(later < earlier for earlier, later in zip(totals, totals[1:])):
        return [f"hard sets fall inside a volume block ({totals}); they ramp up week to week"]
    if len(totals) >= 3 and totals[-1] <= totals[0]:
        return [f"hard sets do not ramp up across the volume block ({totals})"]
    return []


def _volume_warnings(athlete: Athlete, plans: Iterable[MesocyclePlan]) -> list[GenerationWarning]:
    """Major muscle groups under 10 weekly sets in a volume block: the sessions were too short."""
    short: dict[str, float] = {}
    if athlete.request.goal is ProgramGoal.ENDURANCE:
        return []
    for plan in plans:
        if not builds_muscle(athlete.request.goal, plan.phase):
            continue
        for week in plan.microcycles[:-1]:
            sets = muscle_sets(_strength_doses(athlete, week))
            for group in MAJOR_GROUPS:
                if sets[group] < HYPERTROPHY_SETS[0]:
                    short[group] = min(short.get(group, HYPERTROPHY_SETS[0]), sets[group])
    return [GenerationWarning(WarningCode.VOLUME_BELOW_TARGET,
                              f"{group}: as few as {sets:g} hard sets a week in hypertrophy blocks (10-20 aimed at); "
                              "longer or more sessions would reach it", group)
            for group, sets in sorted(short.items())]


def _repeated_blocks(plans: list[MesocyclePlan]) -> list[str]:
    """A block repeated later starts above the earlier one: heavier, more sets, or a harder variation."""
    problems, first_weeks = [], {}
    for plan in plans:
        week = plan.microcycles[0]
        earlier = first_weeks.get(plan.phase)
        if earlier is not None and _prescriptions(earlier) == _prescriptions(week):
            problems.append(f"week {week.week_number} repeats week {earlier.week_number}: a repeated block must build "
                            "on the one before (load, sets or a harder variation)")
        first_weeks[plan.phase] = week
    return problems


def _prescriptions(week: MicrocyclePlan) -> list[tuple]:
    return [(e.exercise, e.sets, e.reps, e.load_kg, e.rpe, e.notes) for w in week.workouts
            for e in w.prescription.exercises]
