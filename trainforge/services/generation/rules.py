"""The rule-based generator: periodized programs from sports-science rules, no model call.

Outline: mesocycle phases by goal and their lengths (rules_outline). Breakdown: each
mesocycle's weeks, with the sessions of a week from day templates (rules_templates),
exercises picked from the shipped library for the athlete's equipment and level, and
dosed per week by the periodization model (rules_dosage):

- LINEAR: main-lift load +2.5 % 1RM each loading week, reps falling or holding.
- UNDULATING (DUP): each main lift rotates heavy / moderate / light across the days
  it comes back in a week, shifting a step each week; +1.25 % a week.
- BLOCK: one emphasis per mesocycle; load rising inside the block, accumulation
  blocks also adding sets, later blocks concentrating on the main lifts.

Each week's sets are then ramped and balanced (hard sets per muscle group, push:pull)
and fitted into the session's time (rules_volume). A repeated block starts above the
one before it (load, sets, a harder body-weight variation), and the 1RMs loads are
set from rise between blocks. Strength programs end with a test week.

Deterministic: every choice comes from `random.Random` seeded with the request's seed
and the mesocycle's index, so breaking one mesocycle down again gives the same plan.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
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
from trainforge.services.generation.curation import owned_loads
from trainforge.services.generation.rules_dosage import (
    TAPER_VOLUME,
    Context,
    DayType,
    Week,
    main_load,
    meet_session,
    prescribe,
)
from trainforge.services.generation.rules_endurance import EnduranceWeek, modalities, plan_week, race_session
from trainforge.services.generation.rules_outline import (
    PhaseProfile,
    builds_to_event,
    ends_with_test,
    plan_phases,
    profile_for,
)
from trainforge.services.generation.rules_selection import Picker
from trainforge.services.generation.rules_strength import MAX_LEVEL, Block, Session, StrengthPlanner
from trainforge.services.generation.rules_templates import (
    RECOVERY_DAY,
    DayTemplate,
    Role,
    SessionKind,
    Slot,
    week_templates,
)
from trainforge.services.generation.rules_volume import Item
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

_ARTICLE = {ExperienceLevel.BEGINNER: "a beginner", ExperienceLevel.INTERMEDIATE: "an intermediate",
            ExperienceLevel.ADVANCED: "an advanced"}
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class RuleBasedGenerator:
    """The default generator (`GeneratorKind.RULES`): no key, no network."""

    info = GenerationInfo(GeneratorKind.RULES)

    def __init__(self, library: ExerciseLibrary | None = None, catalog: EquipmentCatalog | None = None) -> None:
        self.library = library or default_library()
        self.catalog = catalog or default_catalog()
        self.strength = StrengthPlanner(self.library, self.catalog)

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
                weekly_targets=self._targets(request, mesocycles, phase, profile, weeks), emphasis=profile.emphasis))
        blocks = " → ".join(f"{m.name} ({m.weeks} wk)" for m in mesocycles)
        days = ", ".join(WEEKDAY_NAMES[int(d)] for d in request.weekdays)
        goal = request.goal.value.replace("_", " ")
        event = f" Event on {request.event_date.isoformat()}, in the taper's last week." if request.event_date else ""
        length = (f"strength sessions of {request.session_minutes} min and runs as long as the plan needs"
                  if request.goal is ProgramGoal.ENDURANCE else f"{request.session_minutes} min each")
        return ProgramOutline(
            name=f"{request.total_weeks}-week {goal} program",
            description=(f"{request.model.value.capitalize()} periodization for {_ARTICLE[request.experience]} athlete: "
                         f"{request.days_per_week} sessions a week ({days}), {length}. "
                         f"Blocks: {blocks}. Each block ends with a deload (or taper) week"
                         f"{', the last with a test week' if ends_with_test(request) else ''}.{event}"),
            model=request.model,
            mesocycles=tuple(mesocycles),
        )

    def _targets(self, request: GenerationRequest, outline_so_far: list[MesocycleOutline], phase: MesocyclePhase,
                 profile: PhaseProfile, weeks: int) -> WeeklyTargets:
        """A normal week: sessions, hard sets of the strength sessions (its first week as
        broken down), main-lift load range."""
        index = len(outline_so_far)
        partial = ProgramOutline("", "", request.model, tuple(outline_so_far) + (
            MesocycleOutline("", phase, weeks, request.start_date, request.end_date, WeeklyTargets(sessions=1), ""),))
        block = self.strength.block(request, partial, index)
        doses = self.strength.doses(request, block, self.strength.sessions(request, block), Week(0))
        hard_sets = sum(item.sets for items in doses for item in items if item.slot.role is not Role.MOBILITY)
        templates = week_templates(request.goal, request.days_per_week)
        dup = request.model is PeriodizationModel.UNDULATING
        lifting = any(t.kind is SessionKind.STRENGTH for t in templates)
        low = main_load(self.strength.context(request, block, Week(0), DayType.LIGHT if dup else None))[0]
        last_loading = Week(max(0, weeks - 2), taper=phase is MesocyclePhase.TAPER)
        high = main_load(self.strength.context(request, block, last_loading, DayType.HEAVY if dup else None))[0]
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
        block = self.strength.block(request, outline, index)
        sessions = self.strength.sessions(request, block)
        modes = modalities(self.library, self.catalog.kinds_for(request.equipment), MAX_LEVEL[request.experience],
                           request.seed)
        final_block = index == len(outline.mesocycles) - 1
        microcycles = []
        for i in range(meso.weeks):
            week_number, last = first_week_number + i, i == meso.weeks - 1
            week, focus = self._week(request, meso, block.profile, i, final_block)
            dates = calendar.training_days(request, week_number)
            doses = self.strength.doses(request, block, sessions, week, meso.weeks - 1)
            if request.goal is ProgramGoal.ENDURANCE:
                planned = plan_week(self._endurance_week(request, outline, block, sessions, doses, final_block and
                                                         builds_to_event(request), i, week_number, dates, week, modes))
                workouts, focus = planned.workouts, planned.focus or focus
            else:
                event_day = self._event_day(request, dates) if final_block and last and builds_to_event(request) \
                    else None
                if event_day is not None:
                    focus = f"Event week: taper, then the event on {event_day.isoformat()}"
                workouts = [
                    self._workout(request, block, session, dose, week, week_number, day, event_day, modes[0])
                    for day, session, dose in zip(dates, sessions, doses, strict=True)
                ]
                if event_day is not None and event_day not in dates:  # the event is on its date, whatever the day
                    event = self._event_workout(request, block, week, week_number, event_day, modes[0])
                    workouts = sorted(workouts + [event], key=lambda w: w.scheduled_date)
            microcycles.append(MicrocyclePlan(
                week_number=week_number,
                start_date=calendar.week_start(request, week_number),
                end_date=calendar.week_end(request, week_number),
                workouts=workouts,
                is_deload=last and not week.test,
                focus=focus[:200],
            ))
        return MesocyclePlan(
            name=meso.name, phase=meso.phase,
            start_date=calendar.week_start(request, first_week_number),
            end_date=calendar.week_end(request, first_week_number + meso.weeks - 1),
            microcycles=microcycles, weekly_targets=meso.weekly_targets,
        )

    def _week(self, request: GenerationRequest, meso: MesocycleOutline, profile: PhaseProfile, i: int,
              final_block: bool) -> tuple[Week, str]:
        last = i == meso.weeks - 1
        if meso.phase is MesocyclePhase.TAPER:
            volume = ((1.0,) * meso.weeks + TAPER_VOLUME)[-meso.weeks:][i]
            return Week(0, taper=True, volume=volume), f"Taper: {round(volume * 100)} % of normal volume, intensity kept"
        if last and final_block and ends_with_test(request):
            return Week(0, test=True), "Test week: a 1RM (or AMRAP) on each main lift, little else"
        if last:
            return Week(0, deload=True), "Deload: ~50 % of the sets, -10 % 1RM, RPE ≤ 6"
        return Week(i), f"{meso.name} week {i + 1} of {meso.weeks - 1}: {profile.emphasis}"

    @staticmethod
    def _event_day(request: GenerationRequest, dates: list[date]) -> date | None:
        """The event date, or for a peaking program without one, the last session: a time trial."""
        if request.event_date is not None:
            return request.event_date
        return dates[-1] if dates else None

    def _endurance_week(self, request: GenerationRequest, outline: ProgramOutline, block: Block,
                        sessions: list[Session], doses: list[list[Item]], final_block: bool, week_index: int,
                        week_number: int, dates: list[date], week: Week,
                        modes: tuple[Exercise, Exercise]) -> EnduranceWeek:
        by_date = {day: (session, dose) for day, session, dose in zip(dates, sessions, doses, strict=True)}

        def strength(day: date) -> WorkoutPlan:
            session, dose = by_date[day]
            return self._workout(request, block, session, dose, week, week_number, day, None, modes[0])

        def recovery(day: date, title: str) -> WorkoutPlan:
            return self._recovery(request, block, week, day, title, "Easy movement only.")

        return EnduranceWeek(
            request=request, meso=outline.mesocycles[block.index], outline=outline, final_block=final_block, week_index=week_index, week_number=week_number,
            dates=dates, kinds=[s.template.kind for s in sessions], ctx=self.strength.context(request, block, week),
            modalities=modes, strength=strength, recovery=recovery,
        )

    def _workout(self, request: GenerationRequest, block: Block, session: Session, dose: list[Item], week: Week,
                 week_number: int, day: date, event_day: date | None, modality: Exercise) -> WorkoutPlan:
        template, ctx = session.template, self.strength.context(request, block, week)
        if event_day is not None and day == event_day:
            return self._event_workout(request, block, week, week_number, day, modality)
        if event_day is not None and day > event_day:
            return self._recovery(request, block, week, day, f"Recovery (W{week_number})",
                                  "After the event: easy movement only.")
        # The two days before an event are light: the athlete arrives fresh.
        light = event_day is not None and 0 < (event_day - day).days <= 2
        exercises = []
        for item in dose:
            item_ctx = replace(ctx, day_type=item.day_type) if item.day_type else ctx
            if light or (week.test and not item.test):  # each main lift is tested once; the rest is light
                item_ctx = replace(item_ctx, week=Week(0, deload=True))
            exercises.append(prescribe(item.exercise, item.slot.role, item_ctx, item.sets, item.rest, item.superset))
        label = ("Deload" if week.deload else "Test" if week.test else "Light, before the event" if light else
                 next((i.day_type.value for i in dose if i.day_type), block.profile.title))
        workout_type = WorkoutType.TEST if week.test else self._workout_type(template, block.phase, ctx)
        notes = ("Deload: leave at least 4 reps in reserve." if week.deload else
                 "Test the main lifts fresh: a long warm-up, then the test sets." if week.test else
                 "Main lifts: the kg load governs where given (RPE a ceiling), else the reps in reserve. "
                 "Ramp up over 2-3 warm-up sets.")
        return self._plan(day, f"{template.name} — {label} (W{week_number})", workout_type, exercises, request, notes)

    def _event_workout(self, request: GenerationRequest, block: Block, week: Week, week_number: int, day: date,
                       modality: Exercise) -> WorkoutPlan:
        """The event itself: a meet's attempts on the main lifts, a race, or (a physique show,
        say) nothing to lift that day."""
        if request.goal is ProgramGoal.HYPERTROPHY:
            return self._recovery(request, block, week, day, f"Event day (W{week_number})",
                                  "Event day: light movement only.", WorkoutType.TEST)
        mains = self._meet_lifts(request)
        if request.goal is ProgramGoal.GENERAL_FITNESS or not mains:  # endurance races come from plan_week
            exercises, minutes = race_session(request, modality)
            label = "Race day" if request.event_date else "Time trial"
            return self._plan(day, f"{label} (W{week_number})", WorkoutType.TEST, exercises, request, None, minutes)
        exercises = meet_session(mains, block.one_rep_maxes, owned_loads(request.equipment))
        return self._plan(day, f"Competition day (W{week_number})", WorkoutType.TEST, exercises, request, None)

    def _recovery(self, request: GenerationRequest, block: Block, week: Week, day: date, title: str, notes: str,
                  workout_type: WorkoutType = WorkoutType.RECOVERY) -> WorkoutPlan:
        ctx = self.strength.context(request, block, week)
        exercises = [prescribe(ex, slot.role, ctx) for slot, ex in self._recovery_picks(request)]
        return self._plan(day, title, workout_type, exercises, request, notes)

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
              request: GenerationRequest, notes: str | None, minutes: int | None = None) -> WorkoutPlan:
        return WorkoutPlan(
            scheduled_date=day, name=name[:200], workout_type=workout_type,
            prescription=WorkoutPrescription(exercises=exercises[:40]),
            duration_minutes=minutes or request.session_minutes, notes=notes,
        )
