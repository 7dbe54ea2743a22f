"""The LLM generator: both generation steps through any OpenAI-compatible server.

Each step sends a versioned prompt (`prompts/<step>.<version>.md`) and a JSON
schema built from the reply models below. The reply is parsed, checked against
the request and turned into plans whose dates come from `calendar` and whose ids
are assigned when stored: nothing of the kind is taken from the model. An invalid
reply is answered with the list of its problems and asked again, up to
`max_attempts` calls in all; then `GenerationFailed`.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template
from typing import Any, TypeVar

import openai
from openai import AsyncOpenAI
from pydantic import BaseModel, ValidationError

from trainforge.config import Settings
from trainforge.models.programs import MesocyclePhase, WorkoutType
from trainforge.services.exercises import (
    ALIASES,
    EquipmentCatalog,
    Exercise,
    ExerciseLibrary,
    MovementPattern,
    default_catalog,
    default_library,
    level_rank,
)
from trainforge.services.generation import calendar
from trainforge.services.generation.curation import level_of, owned_loads, screen_reason
from trainforge.services.generation.review import Athlete, mesocycle_problems
from trainforge.services.generation.rules_dosage import LOADABLE
from trainforge.services.generation.rules_outline import ends_with_test
from trainforge.services.generation.rules_templates import Role
from trainforge.services.generation.types import (
    GenerationFailed,
    GenerationInfo,
    GenerationRequest,
    GeneratorKind,
    ProgramOutline,
)
from trainforge.services.generation.llm_replies import (
    MAX_MESOCYCLE_WEEKS,
    MIN_MESOCYCLE_WEEKS,
    BreakdownReply,
    ExercisePicker,
    OutlineReply,
    ReplyInvalid,
    check_breakdown,
    check_outline,
    strip_fences,
    validation_problems,
)
from trainforge.services.program_tree import MesocyclePlan

PROMPT_FILES = {"outline": "outline.v2.md", "breakdown": "breakdown.v2.md"}
_VERSIONS = {step: name.split(".")[-2] for step, name in PROMPT_FILES.items()}
# One version when every step's file has it, else each step's ("outline.v2+breakdown.v1").
PROMPT_VERSION = (
    next(iter(_VERSIONS.values()))
    if len(set(_VERSIONS.values())) == 1
    else "+".join(f"{step}.{version}" for step, version in _VERSIONS.items())
)

EXERCISES_IN_PROMPT = 120  # names listed in the breakdown prompt, over all patterns
_STAPLES = frozenset(ALIASES.values())  # the lifts coaches name most
MAX_PROBLEMS_FED_BACK = 30
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- Prompts


@dataclass(frozen=True)
class PromptTemplate:
    system: Template
    user: Template

    def messages(self, **values: object) -> list[dict[str, str]]:
        # substitute (not safe_substitute): a placeholder left unfilled is a bug.
        return [
            {"role": "system", "content": self.system.substitute(values).strip()},
            {"role": "user", "content": self.user.substitute(values).strip()},
        ]


@cache
def load_prompt(step: str) -> PromptTemplate:
    """The system and user templates of a step, from `prompts/` (package data)."""
    text = (resources.files(__package__) / "prompts" / PROMPT_FILES[step]).read_text("utf-8")
    parts = re.split(r"^=== (SYSTEM|USER) ===$", text, flags=re.MULTILINE)
    if parts[1::2] != ["SYSTEM", "USER"]:
        raise RuntimeError(f"{PROMPT_FILES[step]} must hold a '=== SYSTEM ===' then a '=== USER ===' section")
    return PromptTemplate(Template(parts[2]), Template(parts[4]))


def _schema(reply_type: type[BaseModel]) -> dict[str, Any]:
    return reply_type.model_json_schema()


def _response_format(name: str, reply_type: type[BaseModel]) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": _schema(reply_type)}}


def _request_values(request: GenerationRequest) -> dict[str, object]:
    equipment = sorted(request.equipment)
    shown = ", ".join(equipment[:40]) + (f" and {len(equipment) - 40} more" if len(equipment) > 40 else "")
    return {
        "goal": request.goal.value.replace("_", " "),
        "experience": request.experience.value,
        "total_weeks": request.total_weeks,
        "start_date": request.start_date.isoformat(),
        "days_per_week": request.days_per_week,
        "weekdays": ", ".join(_WEEKDAY_NAMES[int(d)] for d in request.weekdays),
        "session_minutes": request.session_minutes,
        "model": request.model.value,
        "event": f"{request.event_date.isoformat()}, in the last week" if request.event_date else "none",
        "equipment": shown or "none (body weight only)",
        "athlete": _athlete(request),
    }


def _event_day_rule(request: GenerationRequest, first_week: int, weeks: int) -> str:
    """The event's own day index, when it falls in this mesocycle on a day that is not a training day."""
    for number in range(first_week, first_week + weeks):
        days = calendar.workout_days(request, number)
        if request.event_date in days and request.event_date not in calendar.training_days(request, number):
            return (f"In program week {number} the event ({request.event_date.isoformat()}, a "
                    f"{_WEEKDAY_NAMES[request.event_date.weekday()]}) is a day of its own: that week's `day` "
                    f"indexes are 0 to {len(days) - 1}, in date order, the event day among them.")
    return ""


def _athlete(request: GenerationRequest) -> str:
    """The baseline as the prompt states it: what loads, paces and heart rates come from."""
    baseline, lines = request.baseline, []
    if baseline.body_weight_kg is not None:
        lines.append(f"- Body weight: {baseline.body_weight_kg:g} kg")
    for lift in baseline.lifts:
        lines.append(f"- {lift.exercise}: 1RM {lift.one_rep_max:.1f} kg (load it by % of this)")
    if baseline.race_distance_km is not None:
        lines.append(f"- Race distance: {baseline.race_distance_km:g} km")
    if baseline.weekly_running_km is not None:
        lines.append(f"- Running now: {baseline.weekly_running_km:g} km a week")
    if baseline.threshold_pace_seconds_per_km is not None:
        pace = baseline.threshold_pace_seconds_per_km
        lines.append(f"- Threshold pace: {pace // 60}:{pace % 60:02d} min/km")
    for label, value in (("Lactate threshold HR", baseline.lactate_threshold_hr), ("Max HR", baseline.max_hr),
                         ("Resting HR", baseline.resting_hr)):
        if value is not None:
            lines.append(f"- {label}: {value} bpm")
    for kind, steps in owned_loads(request.equipment).items():
        if steps.sizes:
            sizes = ", ".join(f"{size:g}" for size in steps.sizes)
            lines.append(f"- {kind.capitalize()}s owned: {sizes} kg only (`load_kg` of a {kind} lift is one of these)")
        else:
            lines.append(f"- {kind.capitalize()}: a {steps.lightest:g} kg bar, plates in {steps.step:g} kg steps")
    return "\n".join(lines) or "- Nothing measured: prescribe by RPE and reps in reserve."


def _exercise_menu(library: ExerciseLibrary, kinds: frozenset[str], experience: str) -> str:
    """Available exercise names by movement pattern, capped evenly across patterns:
    a long list costs tokens and dilutes the choice (a name outside it is still
    mapped to the closest). Screened exercises and those above the athlete's level (as
    curated) are left out. Loaded exercises first when the athlete has load, then staples,
    strongman events last, compound first, plain names (the shortest) before variants."""
    top = level_rank(experience)

    loaded = bool(kinds & LOADABLE)

    def rank(ex: Exercise) -> tuple[bool, bool, bool, bool, bool, int, str]:
        return (
            loaded and not ex.equipment & LOADABLE,  # external load first when there is some
            ex.name not in _STAPLES,
            level_rank(level_of(ex)) > top,
            ex.category == "strongman",
            ex.mechanic != "compound",
            len(ex.name),
            ex.name,
        )

    groups: dict[MovementPattern, list[str]] = {}
    usable = (ex for ex in library.available(kinds)
              if level_rank(level_of(ex)) <= top and screen_reason(ex, Role.MOBILITY) is None)
    for exercise in sorted(usable, key=rank):
        groups.setdefault(exercise.pattern, []).append(exercise.name)
    if not groups:
        return "(none available)"
    per_pattern = max(3, EXERCISES_IN_PROMPT // len(groups))
    lines = (f"- {p.value}: {'; '.join(groups[p][:per_pattern])}" for p in MovementPattern if p in groups)
    return "\n".join(lines)


_Result = TypeVar("_Result")
_ReplyT = TypeVar("_ReplyT", bound=BaseModel)


def _feedback(problems: list[str]) -> str:
    shown = problems[:MAX_PROBLEMS_FED_BACK]
    more = len(problems) - len(shown)
    return (
        "Your reply is not valid. Fix these problems and answer again with the complete JSON object "
        "(all of it, not only the corrected parts):\n"
        + "\n".join(f"- {problem}" for problem in shown)
        + (f"\n- ... and {more} more problems of the same kinds" if more > 0 else "")
    )


_STATUS_HINTS = {
    401: "check OPENAI_API_KEY",
    403: "check OPENAI_API_KEY",
    404: "check TRAINFORGE_LLM_MODEL and OPENAI_BASE_URL",
    429: "rate limited or out of quota",
}


def _server_problem(exc: openai.APIError) -> str:
    """What went wrong with the server, without echoing its message (it may quote a key)."""
    if isinstance(exc, openai.APITimeoutError):
        return "the LLM server did not answer in time"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect to the LLM server"
    if isinstance(exc, openai.APIStatusError):
        hint = _STATUS_HINTS.get(exc.status_code)
        code = f", {exc.code}" if exc.code else ""
        return f"the LLM server answered HTTP {exc.status_code}{code}" + (f" ({hint})" if hint else "")
    return "the LLM server's answer could not be read"


class LLMGenerator:
    """The `Generator` that asks a language model, validating every reply."""

    def __init__(
        self,
        client: AsyncOpenAI,
        model: str,
        *,
        library: ExerciseLibrary,
        catalog: EquipmentCatalog,
        max_attempts: int = 3,
        concurrency: int = 4,
    ) -> None:
        if max_attempts < 1 or concurrency < 1:
            raise ValueError("max_attempts and concurrency must be at least 1")
        self.client, self.model = client, model
        self.library, self.catalog = library, catalog
        self.max_attempts = max_attempts
        self.info = GenerationInfo(GeneratorKind.LLM, model=model, prompt_version=PROMPT_VERSION)
        self._slots = asyncio.Semaphore(concurrency)  # model calls in flight, across breakdowns

    async def aclose(self) -> None:
        await self.client.close()

    async def outline(self, request: GenerationRequest) -> ProgramOutline:
        messages = load_prompt("outline").messages(
            **_request_values(request),
            mesocycle_count_rule=(
                "A 4-week program has exactly one mesocycle."
                if request.total_weeks == 4
                else f"Each mesocycle lasts {MIN_MESOCYCLE_WEEKS} to {MAX_MESOCYCLE_WEEKS} weeks."
            ),
            event_rule=(
                "The program ends on the event day, so its last mesocycle is taper or peak."
                if request.event_date
                else ""
            ),
            phases=", ".join(p.value for p in MesocyclePhase),
            schema_name="program_outline",
            schema=json.dumps(_schema(OutlineReply)),
        )
        return await self._ask(
            "outline", "program_outline", messages, OutlineReply, lambda reply: check_outline(request, reply)
        )

    async def breakdown(
        self, request: GenerationRequest, outline: ProgramOutline, index: int, first_week_number: int
    ) -> MesocyclePlan:
        meso = outline.mesocycles[index]
        kinds = self.catalog.kinds_for(request.equipment)
        dates = calendar.training_days(request, first_week_number)
        test_week = index == len(outline.mesocycles) - 1 and ends_with_test(request)
        messages = load_prompt("breakdown").messages(
            **_request_values(request),
            program_name=outline.name,
            program_description=outline.description,
            mesocycles="\n".join(
                f"{i + 1}. {m.name}: {m.phase.value}, {m.weeks} weeks, {m.emphasis}"
                + ("  <- this one" if i == index else "")
                for i, m in enumerate(outline.mesocycles)
            ),
            mesocycle_name=meso.name,
            last_week_rule=(
                "The last one is the program's test week (`is_deload: false`, workouts of type `test`): a 1RM "
                "worked up to in singles on each main lift (an AMRAP set at about 85 % for beginners), little else."
                if test_week else
                "The last one has `is_deload: true` (cut volume by about 40 to 50 %, keep intensity moderate; "
                "before an event, this is the taper week)."
            ),
            phase=meso.phase.value,
            weeks=meso.weeks,
            first_week=first_week_number,
            last_week=first_week_number + meso.weeks - 1,
            emphasis=meso.emphasis,
            targets=meso.weekly_targets.model_dump_json(exclude_none=True, exclude={"emphasis"}),
            training_days=", ".join(f"{i} = {_WEEKDAY_NAMES[d.weekday()]}" for i, d in enumerate(dates)),
            day_indexes=", ".join(str(i) for i in range(request.days_per_week)),
            event_day_rule=_event_day_rule(request, first_week_number, meso.weeks),
            workout_types=", ".join(t.value for t in WorkoutType),
            exercises=_exercise_menu(self.library, kinds, request.experience.value),
            schema_name="mesocycle_breakdown",
            schema=json.dumps(_schema(BreakdownReply)),
        )
        pick = ExercisePicker(self.library, kinds)
        athlete = Athlete.of(request, self.library, self.catalog)

        def checked(reply: BreakdownReply) -> MesocyclePlan:
            # Structure first, then the coach's review: both kinds of problem go back to the model.
            plan = check_breakdown(request, meso, first_week_number, reply, pick, test_week)
            problems = mesocycle_problems(athlete, outline, index, plan)
            if problems:
                raise ReplyInvalid(problems)
            return plan

        return await self._ask(
            f"breakdown of mesocycle {index + 1} ({meso.name})", "mesocycle_breakdown", messages, BreakdownReply,
            checked,
        )

    async def _ask(
        self,
        step: str,
        schema_name: str,
        messages: list[dict[str, str]],
        reply_type: type[_ReplyT],
        check: Callable[[_ReplyT], _Result],
    ) -> _Result:
        """Call, parse, check; on a problem, show the model its reply and the
        problems and call again, `max_attempts` calls in all."""
        response_format = _response_format(schema_name, reply_type)
        problems: list[str] = []
        for _attempt in range(self.max_attempts):
            content = await self._complete(step, messages, response_format)
            try:
                if not content.strip():
                    raise ReplyInvalid(["reply: empty; answer with the JSON object"])
                return check(reply_type.model_validate_json(strip_fences(content)))
            except ValidationError as exc:
                problems = validation_problems(exc)
            except ReplyInvalid as exc:
                problems = exc.problems
            messages = [
                *messages,
                {"role": "assistant", "content": content},
                {"role": "user", "content": _feedback(problems)},
            ]
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise GenerationFailed(
            f"The LLM's {step} was still invalid after {self.max_attempts} attempts. Last problems: {shown}"
        )

    async def _complete(self, step: str, messages: Sequence[dict[str, str]], response_format: dict[str, Any]) -> str:
        async with self._slots:
            try:
                completion = await self.client.chat.completions.create(
                    model=self.model, messages=list(messages), response_format=response_format  # type: ignore[arg-type]
                )
            except openai.APIError as exc:
                raise GenerationFailed(f"The LLM's {step} failed: {_server_problem(exc)}.") from exc
        if not completion.choices:
            return ""
        message = completion.choices[0].message
        return message.content or ""


def llm_generator_from_settings(
    settings: Settings, library: ExerciseLibrary | None = None, catalog: EquipmentCatalog | None = None
) -> LLMGenerator:
    """An `LLMGenerator` on the configured server; the shipped library and catalog by default."""
    client = AsyncOpenAI(
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key or "not-needed",  # local servers (Ollama, vLLM) take any key
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_http_retries,
    )
    return LLMGenerator(
        client,
        settings.llm_model,
        library=library if library is not None else default_library(),
        catalog=catalog if catalog is not None else default_catalog(),
        max_attempts=settings.llm_max_attempts,
        concurrency=settings.llm_concurrency,
    )
