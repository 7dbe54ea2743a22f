"""What the LLM returns at each step, and checking it against the request.

Replies are parsed into the models below, then checked (weeks add up, days are
the training days, exercises exist and fit the equipment) and turned into plans
whose dates come from `calendar`: nothing of the kind is taken from the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trainforge.models.program_content import PrescribedExercise, WeeklyTargets, WorkoutPrescription
from trainforge.models.programs import MesocyclePhase, WorkoutType
from trainforge.services.exercises import ExerciseLibrary
from trainforge.services.generation import calendar
from trainforge.services.generation.types import GenerationRequest, MesocycleOutline, ProgramOutline
from trainforge.services.program_tree import MesocyclePlan, MicrocyclePlan, WorkoutPlan

MIN_MESOCYCLE_WEEKS, MAX_MESOCYCLE_WEEKS = 2, 12


# --- What the model returns. Unknown keys (a model's own "id" or "start_date") are
# ignored rather than refused: we compute those, and a retry over them would only
# waste a call.


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TargetsReply(_Reply):
    sessions: int = Field(description="Workouts per week: the number of training days")
    hard_sets: int | None = Field(default=None, description="Hard sets per week")
    intensity_low_pct: float | None = Field(default=None, description="Low end of the load, % of 1RM")
    intensity_high_pct: float | None = Field(default=None, description="High end of the load, % of 1RM")
    rpe: float | None = Field(default=None, description="Typical RPE, 1 to 10")


class MesocycleReply(_Reply):
    name: str = Field(min_length=1, max_length=200)
    phase: MesocyclePhase
    weeks: int = Field(description="Length in weeks, its last week a deload")
    emphasis: str = Field(max_length=200)
    weekly_targets: TargetsReply


class OutlineReply(_Reply):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(max_length=2000)
    mesocycles: list[MesocycleReply] = Field(min_length=1, max_length=26)


class ExerciseReply(_Reply):
    exercise: str = Field(description="A name from the exercise list")
    sets: int
    reps: int | None = None
    reps_max: int | None = Field(default=None, description="With reps, a rep range")
    duration_seconds: int | None = None
    distance_meters: float | None = None
    load_kg: float | None = Field(default=None, description="Only for lifts whose 1RM is given; loadable")
    percent_one_rm: float | None = Field(default=None, description="Load, % of one-repetition maximum")
    rpe: float | None = None
    reps_in_reserve: int | None = None
    zone: int | None = Field(default=None, description="Heart-rate zone 1-5")
    heart_rate_low_bpm: int | None = None
    heart_rate_high_bpm: int | None = None
    pace_fast_seconds_per_km: int | None = None
    pace_slow_seconds_per_km: int | None = None
    rest_seconds: int | None = None
    notes: str | None = None


class WorkoutReply(_Reply):
    day: int = Field(description="Index of the week's training day, from 0")
    name: str = Field(min_length=1, max_length=200)
    type: WorkoutType
    exercises: list[ExerciseReply] = Field(min_length=1, max_length=40)


class WeekReply(_Reply):
    focus: str = Field(max_length=200)
    is_deload: bool
    workouts: list[WorkoutReply]


class BreakdownReply(_Reply):
    weeks: list[WeekReply] = Field(min_length=1, max_length=MAX_MESOCYCLE_WEEKS)


# --- Checking replies


class ReplyInvalid(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _path(prefix: str, loc: Iterable[int | str]) -> str:
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "reply"


def validation_problems(exc: ValidationError, prefix: str = "") -> list[str]:
    problems = []
    for error in exc.errors(include_url=False):
        if error["type"] == "json_invalid":
            problems.append(f"reply: not valid JSON ({error['msg']}); send only the JSON object")
            continue
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{_path(prefix, error['loc'])}: {message}")
    return problems


def strip_fences(content: str) -> str:
    """Some servers wrap JSON in Markdown code fences despite the schema."""
    match = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", content, flags=re.DOTALL)
    return match.group(1) if match else content


def check_outline(request: GenerationRequest, reply: OutlineReply) -> ProgramOutline:
    problems: list[str] = []
    weeks = [m.weeks for m in reply.mesocycles]
    if sum(weeks) != request.total_weeks:
        problems.append(
            f"mesocycles: their weeks add up to {sum(weeks)} ({' + '.join(map(str, weeks))}); "
            f"they must add up to exactly {request.total_weeks}"
        )
    if request.total_weeks == 4 and len(weeks) != 1:
        problems.append(f"mesocycles: a 4-week program has exactly one mesocycle, not {len(weeks)}")
    targets: list[WeeklyTargets] = []
    for i, meso in enumerate(reply.mesocycles):
        shortest = 1 if meso.phase is MesocyclePhase.TAPER else MIN_MESOCYCLE_WEEKS  # a 1-week taper before a 10 km
        if not shortest <= meso.weeks <= min(MAX_MESOCYCLE_WEEKS, request.total_weeks):
            problems.append(
                f"mesocycles[{i}].weeks: {meso.weeks} is out of range; a {meso.phase.value} mesocycle lasts "
                f"{shortest} to {min(MAX_MESOCYCLE_WEEKS, request.total_weeks)} weeks"
            )
        if meso.weekly_targets.sessions != request.days_per_week:
            problems.append(
                f"mesocycles[{i}].weekly_targets.sessions: {meso.weekly_targets.sessions} given; "
                f"it must be {request.days_per_week}, one per training day"
            )
        try:
            targets.append(WeeklyTargets(**meso.weekly_targets.model_dump(), emphasis=meso.emphasis or None))
        except ValidationError as exc:
            problems += validation_problems(exc, f"mesocycles[{i}].weekly_targets")
    last = reply.mesocycles[-1].phase
    if request.event_date is not None and last not in (MesocyclePhase.TAPER, MesocyclePhase.PEAK):
        problems.append(
            f"mesocycles[{len(weeks) - 1}].phase: the program ends on an event day, so the last "
            f"mesocycle must be taper or peak, not {last.value}"
        )
    if problems:
        raise ReplyInvalid(problems)
    spans = calendar.mesocycle_spans(request, weeks)
    return ProgramOutline(
        name=reply.name,
        description=reply.description,
        model=request.model,
        mesocycles=tuple(
            MesocycleOutline(meso.name, meso.phase, meso.weeks, start, end, target, meso.emphasis)
            for meso, (start, end, _first), target in zip(reply.mesocycles, spans, targets, strict=True)
        ),
    )


class ExercisePicker:
    """Library names for the model's: exact (case-insensitive) among the available
    exercises, else the closest available one, else None."""

    def __init__(self, library: ExerciseLibrary, kinds: frozenset[str]) -> None:
        self._library, self._kinds = library, kinds
        self._known: dict[str, str | None] = {e.name.casefold(): e.name for e in library.available(kinds)}

    def __call__(self, name: str) -> str | None:
        key = name.strip().casefold()
        if key not in self._known:
            match = self._library.closest(name.strip(), self._kinds)
            self._known[key] = match.name if match is not None else None
        return self._known[key]

    def why_not(self, name: str) -> str:
        """Why a name could not be mapped, for the model to fix it."""
        exercise = self._library.get(name.strip()) or self._library.closest(name)
        missing = ", ".join(sorted(exercise.equipment - self._kinds)) if exercise is not None else ""
        if missing:
            return f"{name!r} needs equipment the athlete does not have ({missing}); choose one from the list"
        return f"{name!r} is not in the exercise list and nothing available is close to it; use a name from the list"


def check_breakdown(
    request: GenerationRequest,
    mesocycle: MesocycleOutline,
    first_week_number: int,
    reply: BreakdownReply,
    pick: ExercisePicker,
    test_week: bool = False,
) -> MesocyclePlan:
    """The reply as a plan; `test_week`: its last week is the program's test week, not a deload."""
    problems: list[str] = []
    count, days = len(reply.weeks), request.days_per_week
    if count != mesocycle.weeks:
        problems.append(f"weeks: {count} weeks given; this mesocycle has exactly {mesocycle.weeks}")
    if test_week and (reply.weeks[-1].is_deload or all(w.type is not WorkoutType.TEST for w in reply.weeks[-1].workouts)):
        problems.append(f"weeks[{count - 1}]: the program ends with a test week: is_deload false, workouts of type test")
    elif not test_week and not reply.weeks[-1].is_deload:
        problems.append(f"weeks[{count - 1}].is_deload: the last week must be a deload week (true)")
    microcycles: list[MicrocyclePlan] = []
    for w, week in enumerate(reply.weeks):
        number = first_week_number + w
        dates = calendar.workout_days(request, number)  # the event day is a day of its own
        days = len(dates)
        indexes = [workout.day for workout in week.workouts]
        if sorted(indexes) != list(range(days)):
            problems.append(
                f"weeks[{w}].workouts: day indexes {indexes} given; there must be exactly one workout "
                f"for each day index 0 to {days - 1}"
            )
        workouts: list[WorkoutPlan] = []
        for k, workout in enumerate(week.workouts):
            path = f"weeks[{w}].workouts[{k}]"
            if not 0 <= workout.day < days:
                problems.append(f"{path}.day: {workout.day} is not a training day index (0 to {days - 1})")
            prescribed: list[PrescribedExercise] = []
            for e, item in enumerate(workout.exercises):
                name = pick(item.exercise)
                if name is None:
                    problems.append(f"{path}.exercises[{e}].exercise: {pick.why_not(item.exercise)}")
                    continue
                try:
                    prescribed.append(PrescribedExercise(**{**item.model_dump(), "exercise": name}))
                except ValidationError as exc:
                    problems += validation_problems(exc, f"{path}.exercises[{e}]")
            if not problems:
                workouts.append(
                    WorkoutPlan(
                        scheduled_date=dates[workout.day],
                        name=workout.name,
                        workout_type=workout.type,
                        prescription=WorkoutPrescription(exercises=prescribed),
                        duration_minutes=_duration(prescribed, request.session_minutes),
                    )
                )
        workouts.sort(key=lambda plan: plan.scheduled_date)
        microcycles.append(
            MicrocyclePlan(
                week_number=number,
                start_date=calendar.week_start(request, number),
                end_date=calendar.week_end(request, number),
                workouts=workouts,
                is_deload=week.is_deload,
                focus=week.focus or None,
            )
        )
    if problems:
        raise ReplyInvalid(problems)
    return MesocyclePlan(
        name=mesocycle.name,
        phase=mesocycle.phase,
        start_date=mesocycle.start_date,
        end_date=mesocycle.end_date,
        microcycles=microcycles,
        weekly_targets=mesocycle.weekly_targets,
    )


def _duration(prescribed: list[PrescribedExercise], session_minutes: int) -> int:
    """A timed session (a run, a ride) lasts what its steps add up to; a lifting one, the session."""
    if not prescribed or any(p.duration_seconds is None for p in prescribed):
        return session_minutes
    seconds = sum(p.sets * p.duration_seconds + (p.sets - 1) * (p.rest_seconds or 0) for p in prescribed)
    return max(1, min(600, -(-seconds // 60)))


# --- The generator
