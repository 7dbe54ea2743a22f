"""The rule-based generator: periodized programs from sports-science rules, no model call.

Outline: mesocycle phases by goal and their lengths (rules_outline). Breakdown: each
mesocycle's weeks, with the sessions of a week from day templates (rules_templates),
exercises picked from the shipped library for the athlete's equipment and level, and
dosed per week by the periodization model (rules_dosage):

- LINEAR: main-lift load +2.5 % 1RM each loading week, reps falling or holding.
- UNDULATING (DUP): strength days rotate heavy / moderate / light, +1.25 % a week.
- BLOCK: one emphasis per mesocycle; load rising inside the block, accumulation
  blocks also adding sets, later blocks concentrating on the main lifts.

Deterministic: every choice comes from `random.Random` seeded with the request's seed
and the mesocycle's index, so breaking one mesocycle down again gives the same plan.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from trainforge.models.program_content import PrescribedExercise, WeeklyTargets, WorkoutPrescription
from trainforge.models.programs import MesocyclePhase, ProgramGoal, WorkoutType
from trainforge.services.exercises import (
    EquipmentCatalog,
    Exercise,
    ExerciseLibrary,
    MovementPattern,
    default_catalog,
    default_library,
)
from trainforge.services.generation import calendar
from trainforge.services.generation.rules_dosage import (
    DUP_ROTATION,
    TAPER_VOLUME,
    Context,
    DayType,
    Week,
    main_load,
    meet_session,
    prescribe,
    slot_minutes,
)
from trainforge.services.generation.rules_endurance import (
    ENDURANCE_KINDS,
    EnduranceWeek,
    modalities,
    plan_week,
    race_session,
)
from trainforge.services.generation.rules_outline import PhaseProfile, builds_to_event, plan_phases, profile_for
from trainforge.services.generation.rules_selection import Picker
from trainforge.services.generation.rules_templates import (
    ACCESSORY_CAP,
    BLOCK_ACCESSORY_CAP,
    FALLBACK,
    RECOVERY_DAY,
    DayTemplate,
    Role,
    SessionKind,
    Slot,
    week_templates,
)
from trainforge.services.generation.types import (
    ExperienceLevel,
    GenerationInfo,
    GenerationRequest,
    GeneratorKind,
    MesocycleOutline,
    PeriodizationModel,
    ProgramOutline,
)
from trainforge.services.program_tree import MesocyclePlan, MicrocyclePlan, WorkoutPlan

MAX_LEVEL = {ExperienceLevel.BEGINNER: "beginner", ExperienceLevel.INTERMEDIATE: "intermediate",
             ExperienceLevel.ADVANCED: None}
WARM_UP_MINUTES = 8
# The main lifts of a competition are the most specific: no variety there.
SPECIFIC_PHASES = frozenset({MesocyclePhase.INTENSIFICATION, MesocyclePhase.REALIZATION, MesocyclePhase.PEAK,
                             MesocyclePhase.TAPER, MesocyclePhase.STRENGTH})
_ARTICLE = {ExperienceLevel.BEGINNER: "a beginner", ExperienceLevel.INTERMEDIATE: "an intermediate",
            ExperienceLevel.ADVANCED: "an advanced"}
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Session:
    """One weekday's session of a mesocycle: template, exercises, DUP day type."""

    template: DayTemplate
    picks: tuple[tuple[Slot, Exercise], ...]
    day_type: DayType | None


class RuleBasedGenerator:
    """The default generator (`GeneratorKind.RULES`): no key, no network."""

    info = GenerationInfo(GeneratorKind.RULES)

    def __init__(self, library: ExerciseLibrary | None = None, catalog: EquipmentCatalog | None = None) -> None:
        self.library = library or default_library()
        self.catalog = catalog or default_catalog()

    async def outline(self, request: GenerationRequest) -> ProgramOutline:
        return self.build_outline(request)

    async def breakdown(
        self, request: GenerationRequest, outline: ProgramOutline, index: int, first_week_number: int
    ) -> MesocyclePlan:
        return self.build_mesocycle(request, outline, index, first_week_number)

    # ------------------------------------------------------------ outline

    def build_outline(self, request: GenerationRequest) -> ProgramOutline:
        phases = plan_phases(request)
        spans = calendar.mesocycle_spans(request, [weeks for _, weeks in phases])
        repeats, seen = Counter(phase for phase, _ in phases), Counter[MesocyclePhase]()
        mesocycles = []
        for (phase, weeks), (start, end, _) in zip(phases, spans, strict=True):
            profile = profile_for(request.goal, phase)
            seen[phase] += 1
            name = profile.title + (f" {seen[phase]}" if repeats[phase] > 1 else "")
            mesocycles.append(MesocycleOutline(
                name=name, phase=phase, weeks=weeks, start_date=start, end_date=end,
                weekly_targets=self._targets(request, phase, profile, weeks), emphasis=profile.emphasis))
        blocks = " → ".join(f"{m.name} ({m.weeks} wk)" for m in mesocycles)
        days = ", ".join(WEEKDAY_NAMES[int(d)] for d in request.weekdays)
        goal = request.goal.value.replace("_", " ")
        event = f" Event on {request.event_date.isoformat()}, in the taper's last week." if request.event_date else ""
        return ProgramOutline(
            name=f"{request.total_weeks}-week {goal} program",
            description=(f"{request.model.value.capitalize()} periodization for {_ARTICLE[request.experience]} athlete: "
                         f"{request.days_per_week} sessions a week ({days}), {request.session_minutes} min each. "
                         f"Blocks: {blocks}. Each block ends with a deload (or taper) week.{event}"),
            model=request.model,
            mesocycles=tuple(mesocycles),
        )

    def _targets(self, request: GenerationRequest, phase: MesocyclePhase, profile: PhaseProfile,
                 weeks: int) -> WeeklyTargets:
        """A normal week: sessions, hard sets of the strength sessions, main-lift load range."""
        templates = week_templates(request.goal, request.days_per_week)
        dup = request.model is PeriodizationModel.UNDULATING
        ctx = self._context(request, phase, profile, Week(0), DayType.MODERATE if dup else None)
        hard_sets = 0
        for template in templates:
            if template.kind in (SessionKind.STRENGTH, SessionKind.CONDITIONING):
                for slot, _ in self._fill(self._capped(template.slots, phase, request.model), ctx, lambda _: _PLACEHOLDER):
                    hard_sets += 0 if slot.role is Role.MOBILITY else prescribe(_PLACEHOLDER, slot.role, ctx).sets
        lifting = any(t.kind is SessionKind.STRENGTH for t in templates)
        low = main_load(self._context(request, phase, profile, Week(0), DayType.LIGHT if dup else None))[0]
        last_loading = Week(max(0, weeks - 2), taper=phase is MesocyclePhase.TAPER)
        high = main_load(self._context(request, phase, profile, last_loading, DayType.HEAVY if dup else None))[0]
        return WeeklyTargets(
            sessions=request.days_per_week,
            hard_sets=min(200, hard_sets),
            intensity_low_pct=low if lifting else None,
            intensity_high_pct=high if lifting else None,
            rpe=profile.rpe,
            emphasis=profile.emphasis,
        )

    # ------------------------------------------------------------ breakdown

    def build_mesocycle(
        self, request: GenerationRequest, outline: ProgramOutline, index: int, first_week_number: int
    ) -> MesocyclePlan:
        meso = outline.mesocycles[index]
        profile = profile_for(request.goal, meso.phase)
        sessions = self._sessions(request, meso.phase, profile, random.Random(f"{request.seed}:{index}"))
        modes = modalities(self.library, self.catalog.kinds_for(request.equipment), MAX_LEVEL[request.experience],
                           request.seed)
        final_block = index == len(outline.mesocycles) - 1 and builds_to_event(request)
        taper = meso.phase is MesocyclePhase.TAPER
        microcycles = []
        for i in range(meso.weeks):
            week_number, last = first_week_number + i, i == meso.weeks - 1
            if taper:
                volume = ((1.0,) * meso.weeks + TAPER_VOLUME)[-meso.weeks:][i]
                week = Week(0, taper=True, volume=volume)
                focus = f"Taper: {round(volume * 100)} % of normal volume, intensity kept"
            else:
                week = Week(0 if last else i, deload=last)
                focus = ("Deload: ~50 % of the sets, -10 % 1RM, RPE ≤ 6" if last
                         else f"{meso.name} week {i + 1} of {meso.weeks - 1}: {profile.emphasis}")
            dates = calendar.training_days(request, week_number)
            if request.goal is ProgramGoal.ENDURANCE:
                planned = plan_week(self._endurance_week(request, meso, profile, sessions, final_block, i,
                                                         week_number, dates, week, modes))
                workouts, focus = planned.workouts, planned.focus or focus
            else:
                event_day = self._event_day(request, dates) if final_block and last else None
                if event_day is not None:
                    focus = f"Event week: taper, then the event on {event_day.isoformat()}"
                workouts = [
                    self._workout(request, meso.phase, profile, session, week, week_number, day, event_day, modes[0])
                    for day, session in zip(dates, sessions, strict=True)
                ]
            microcycles.append(MicrocyclePlan(
                week_number=week_number,
                start_date=calendar.week_start(request, week_number),
                end_date=calendar.week_end(request, week_number),
                workouts=workouts,
                is_deload=last,
                focus=focus[:200],
            ))
        return MesocyclePlan(
            name=meso.name, phase=meso.phase,
            start_date=calendar.week_start(request, first_week_number),
            end_date=calendar.week_end(request, first_week_number + meso.weeks - 1),
            microcycles=microcycles, weekly_targets=meso.weekly_targets,
        )

    def _context(self, request: GenerationRequest, phase: MesocyclePhase, profile: PhaseProfile, week: Week,
                 day_type: DayType | None) -> Context:
        return Context(phase=phase, profile=profile, model=request.model, week=week, day_type=day_type,
                       endurance=request.goal is ProgramGoal.ENDURANCE, minutes=request.session_minutes)

    def _sessions(self, request: GenerationRequest, phase: MesocyclePhase, profile: PhaseProfile,
                  rng: random.Random) -> list[Session]:
        kinds = self.catalog.kinds_for(request.equipment)
        level = MAX_LEVEL[request.experience]
        vary = not (request.goal in (ProgramGoal.STRENGTH, ProgramGoal.COMPETITION) and phase in SPECIFIC_PHASES)
        picker = Picker(self.library, kinds, level, rng, vary)
        sessions, strength_days = [], 0
        for template in week_templates(request.goal, request.days_per_week):
            day_type = None
            if request.model is PeriodizationModel.UNDULATING and template.kind is SessionKind.STRENGTH:
                day_type, strength_days = DUP_ROTATION[strength_days % len(DUP_ROTATION)], strength_days + 1
            if template.kind in ENDURANCE_KINDS:
                sessions.append(Session(template, (), day_type))
                continue
            ctx = self._context(request, phase, profile, Week(0), day_type)
            picks = self._fill(self._capped(template.slots, phase, request.model), ctx, picker.pick)
            if not picks:  # nothing fits at all: body-weight basics, any level if need be
                for fallback in (Picker(self.library, frozenset(), level, rng, True),
                                 Picker(self.library, frozenset(), None, rng, True)):
                    picks = picks or self._fill(FALLBACK.slots, ctx, fallback.pick)
            sessions.append(Session(template, tuple(picks), day_type))
        return sessions

    @staticmethod
    def _capped(slots: tuple[Slot, ...], phase: MesocyclePhase, model: PeriodizationModel) -> tuple[Slot, ...]:
        caps = BLOCK_ACCESSORY_CAP if model is PeriodizationModel.BLOCK else ACCESSORY_CAP
        cap, kept, accessories = caps.get(phase), [], 0
        for slot in slots:
            if slot.role is Role.ACCESSORY:
                accessories += 1
                if cap is not None and accessories > cap:
                    continue
            kept.append(slot)
        return tuple(kept)

    @staticmethod
    def _fill(slots: tuple[Slot, ...], ctx: Context,
              pick: Callable[[Slot], Exercise | None]) -> list[tuple[Slot, Exercise]]:
        """Exercises for the slots, in order, while the session's time lasts (at least two):
        the exercise count scales with the session length. A slot nothing fits is skipped."""
        budget, used, picks = ctx.minutes - WARM_UP_MINUTES, 0.0, []
        for slot in slots:
            cost = slot_minutes(slot.role, ctx)
            if len(picks) >= 2 and used + cost > budget:
                break
            exercise = pick(slot)
            if exercise is not None:
                picks.append((slot, exercise))
                used += cost
        return picks

    @staticmethod
    def _event_day(request: GenerationRequest, dates: list[date]) -> date | None:
        """The event date, or for a peaking program without one, the last session: a time trial."""
        if request.event_date is not None:
            return request.event_date
        return dates[-1] if dates else None

    def _endurance_week(self, request: GenerationRequest, meso: MesocycleOutline, profile: PhaseProfile,
                        sessions: list[Session], final_block: bool, week_index: int, week_number: int,
                        dates: list[date], week: Week, modes: tuple[Exercise, Exercise]) -> EnduranceWeek:
        by_date = dict(zip(dates, sessions, strict=True))

        def strength(day: date) -> WorkoutPlan:
            return self._workout(request, meso.phase, profile, by_date[day], week, week_number, day, None, modes[0])

        def recovery(day: date, title: str) -> WorkoutPlan:
            ctx = self._context(request, meso.phase, profile, week, None)
            exercises = [prescribe(ex, slot.role, ctx) for slot, ex in self._recovery_picks(request)]
            return self._plan(day, title, WorkoutType.RECOVERY, exercises, request, "Easy movement only.")

        return EnduranceWeek(
            request=request, meso=meso, final_block=final_block, week_index=week_index, week_number=week_number,
            dates=dates, kinds=[s.template.kind for s in sessions],
            ctx=self._context(request, meso.phase, profile, week, None), modalities=modes,
            strength=strength, recovery=recovery,
        )

    def _workout(self, request: GenerationRequest, phase: MesocyclePhase, profile: PhaseProfile, session: Session,
                 week: Week, week_number: int, day: date, event_day: date | None, modality: Exercise) -> WorkoutPlan:
        template, ctx = session.template, self._context(request, phase, profile, week, session.day_type)
        label = "Deload" if week.deload else session.day_type.value if session.day_type else profile.title
        notes = None
        if event_day is not None and day >= event_day:
            mains = self._meet_lifts(request)
            if day == event_day and request.goal is not ProgramGoal.HYPERTROPHY:
                race = request.goal in (ProgramGoal.ENDURANCE, ProgramGoal.GENERAL_FITNESS) or not mains
                exercises = race_session(modality, request.session_minutes) if race else meet_session(mains)
                label = "Time trial" if request.event_date is None else "Race day" if race else "Competition day"
                return self._plan(day, f"{label} (W{week_number})", WorkoutType.TEST, exercises, request, notes)
            exercises = [prescribe(ex, slot.role, ctx) for slot, ex in self._recovery_picks(request)]
            if day == event_day:  # a physique show, say: nothing to lift that day
                return self._plan(day, f"Event day (W{week_number})", WorkoutType.TEST, exercises, request,
                                  "Event day: light movement only.")
            return self._plan(day, f"Recovery (W{week_number})", WorkoutType.RECOVERY, exercises, request,
                              "After the event: easy movement only.")
        exercises = [prescribe(ex, slot.role, ctx) for slot, ex in session.picks]
        workout_type = self._workout_type(template, phase, ctx)
        notes = ("Deload: leave at least 4 reps in reserve." if week.deload
                 else "Main lifts at % of 1RM; RPE 8 = 2 reps in reserve. Ramp up over 2-3 warm-up sets.")
        return self._plan(day, f"{template.name} — {label} (W{week_number})", workout_type, exercises, request, notes)

    def _meet_lifts(self, request: GenerationRequest) -> list[Exercise]:
        """The competition lifts: the most specific squat, bench press and deadlift available."""
        picker = Picker(self.library, self.catalog.kinds_for(request.equipment), MAX_LEVEL[request.experience],
                        random.Random(request.seed), False)
        patterns = (MovementPattern.SQUAT, MovementPattern.HORIZONTAL_PUSH, MovementPattern.HINGE)
        return [ex for pattern in patterns if (ex := picker.pick(Slot(pattern, Role.MAIN))) is not None]

    def _recovery_picks(self, request: GenerationRequest) -> list[tuple[Slot, Exercise]]:
        picker = Picker(self.library, self.catalog.kinds_for(request.equipment), MAX_LEVEL[request.experience],
                         random.Random(f"{request.seed}:recovery"), True)
        return [(slot, ex) for slot in RECOVERY_DAY.slots if (ex := picker.pick(slot)) is not None]

    @staticmethod
    def _workout_type(template: DayTemplate, phase: MesocyclePhase, ctx: Context) -> WorkoutType:
        if template.kind is SessionKind.CONDITIONING:
            return WorkoutType.CONDITIONING
        if template.kind is SessionKind.RECOVERY:
            return WorkoutType.RECOVERY
        if phase is MesocyclePhase.POWER:
            return WorkoutType.POWER
        if ctx.endurance:
            return WorkoutType.STRENGTH
        return WorkoutType.STRENGTH if main_load(ctx)[0] >= 75 else WorkoutType.HYPERTROPHY

    @staticmethod
    def _plan(day: date, name: str, workout_type: WorkoutType, exercises: list[PrescribedExercise],
              request: GenerationRequest, notes: str | None) -> WorkoutPlan:
        return WorkoutPlan(
            scheduled_date=day, name=name[:200], workout_type=workout_type,
            prescription=WorkoutPrescription(exercises=exercises[:40]),
            duration_minutes=request.session_minutes, notes=notes,
        )


# Stands in for an exercise when only the dosage (set count) matters.
_PLACEHOLDER = Exercise(id="-", name="-", pattern=MovementPattern.CORE, category="strength", level="beginner",
                        mechanic=None, force=None, primary_muscles=(), secondary_muscles=(), equipment=frozenset())
