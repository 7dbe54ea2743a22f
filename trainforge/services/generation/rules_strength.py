"""Strength weeks of the rule-based generator: what a mesocycle's lifting draws on (its
block: phase, repeats, 1RMs), the exercises of each weekday's session, and each week's
doses, ramped, balanced and fitted into the session's time (rules_volume).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace

from trainforge.models.programs import MesocyclePhase, ProgramGoal
from trainforge.services.exercises import EquipmentCatalog, Exercise, ExerciseLibrary, MovementPattern
from trainforge.services.generation.curation import owned_loads
from trainforge.services.generation.rules_dosage import (
    DUP_ROTATION,
    Context,
    DayType,
    Week,
    base_sets,
    rest_seconds,
    week_sets,
)
from trainforge.services.generation.rules_endurance import ENDURANCE_KINDS
from trainforge.services.generation.rules_outline import PhaseProfile, profile_for
from trainforge.services.generation.rules_selection import Picker
from trainforge.services.generation.rules_templates import (
    ACCESSORY_CAP,
    BLOCK_ACCESSORY_CAP,
    FALLBACK,
    DayTemplate,
    Role,
    SessionKind,
    Slot,
    week_templates,
)
from trainforge.services.generation.rules_volume import (
    CAPACITY_TARGET,
    GROUP_SLOTS,
    HYPERTROPHY_SETS,
    MAJOR_GROUPS,
    MAX_SETS,
    Item,
    builds_muscle,
    credits,
    fit,
    grow_to,
    protect_families,
    ramp_back,
    settle,
)
from trainforge.services.generation.types import (
    ExperienceLevel,
    GenerationRequest,
    PeriodizationModel,
    ProgramOutline,
)

MAX_LEVEL = {ExperienceLevel.BEGINNER: "beginner", ExperienceLevel.INTERMEDIATE: "intermediate",
             ExperienceLevel.ADVANCED: None}
WARM_UP_MINUTES = 8
# The main lifts of a competition are the most specific: no variety there.
SPECIFIC_PHASES = frozenset({MesocyclePhase.INTENSIFICATION, MesocyclePhase.REALIZATION, MesocyclePhase.PEAK,
                             MesocyclePhase.TAPER, MesocyclePhase.STRENGTH})
LIFTING_KINDS = frozenset({SessionKind.STRENGTH, SessionKind.CONDITIONING})
# Training maxes between blocks: +5 kg for lower-body lifts, +2.5 kg for upper-body ones
# (Wendler, *5/3/1*, 2nd ed.).
LOWER_BODY_STEP_KG, UPPER_BODY_STEP_KG = 5.0, 2.5
UPPER_BODY = frozenset({MovementPattern.HORIZONTAL_PUSH, MovementPattern.VERTICAL_PUSH,
                        MovementPattern.HORIZONTAL_PULL, MovementPattern.VERTICAL_PULL})


@dataclass(frozen=True)
class Session:
    """One weekday's session of a mesocycle: its template and exercises (none on endurance days)."""

    template: DayTemplate
    picks: tuple[tuple[Slot, Exercise], ...]


@dataclass(frozen=True)
class Block:
    """What a mesocycle's breakdown draws on: its phase, how many times that phase came
    before, the 1RMs it loads from (kg by lift), and its seeded RNG."""

    phase: MesocyclePhase
    profile: PhaseProfile
    cycle: int
    one_rep_maxes: dict[str, float]
    rng: random.Random
    index: int  # of the mesocycle in the outline


class StrengthPlanner:
    """The lifting side of a breakdown, for one library and equipment catalog."""

    def __init__(self, library: ExerciseLibrary, catalog: EquipmentCatalog) -> None:
        self.library, self.catalog = library, catalog

    def block(self, request: GenerationRequest, outline: ProgramOutline, index: int) -> Block:
        """What a mesocycle's dosage depends on beyond its phase: how often the phase came
        before (a repeated block starts higher) and the 1RMs it loads from, raised after
        every earlier block (training maxes move up between blocks)."""
        meso = outline.mesocycles[index]
        earlier = outline.mesocycles[:index]
        cycle = sum(1 for m in earlier if m.phase is meso.phase)
        loading_blocks = sum(1 for m in earlier if m.phase not in (MesocyclePhase.TAPER, MesocyclePhase.TRANSITION))
        maxes = {}
        for lift in request.baseline.lifts:
            exercise = self.library.get(lift.exercise)
            step = UPPER_BODY_STEP_KG if exercise is not None and exercise.pattern in UPPER_BODY else LOWER_BODY_STEP_KG
            maxes[lift.exercise] = round(lift.one_rep_max + step * loading_blocks, 1)
        return Block(meso.phase, profile_for(request.goal, meso.phase), cycle, maxes,
                     random.Random(f"{request.seed}:{index}"), index)

    def context(self, request: GenerationRequest, block: Block, week: Week, day_type: DayType | None = None) -> Context:
        return Context(phase=block.phase, profile=block.profile, model=request.model, week=week, day_type=day_type,
                       endurance=request.goal is ProgramGoal.ENDURANCE, minutes=request.session_minutes,
                       cycle=block.cycle, one_rep_maxes=block.one_rep_maxes,
                       novice=request.experience is ExperienceLevel.BEGINNER, owned=owned_loads(request.equipment),
                       volume_block=builds_muscle(request.goal, block.phase))

    def sessions(self, request: GenerationRequest, block: Block) -> list[Session]:
        """The exercises of each weekday's session, the same every week of the block."""
        kinds = self.catalog.kinds_for(request.equipment)
        level = MAX_LEVEL[request.experience]
        # Beginners practise the basic lifts all year; others vary them outside specific phases.
        vary = not (request.goal in (ProgramGoal.STRENGTH, ProgramGoal.COMPETITION) and block.phase in SPECIFIC_PHASES
                    or request.experience is ExperienceLevel.BEGINNER)
        picker = Picker(self.library, kinds, level, block.rng, vary,
                        baseline_lifts=tuple(lift.exercise for lift in request.baseline.lifts),
                        progression=block.cycle + (block.phase in SPECIFIC_PHASES))
        sessions = []
        for template in week_templates(request.goal, request.days_per_week):
            if template.kind in ENDURANCE_KINDS:
                sessions.append(Session(template, ()))
                continue
            picks = [(slot, ex) for slot in self._capped(template.slots, block.phase, request.model)
                     if (ex := picker.pick(slot)) is not None]
            if not picks:  # nothing fits at all: body-weight basics, any level if need be
                for fallback in (Picker(self.library, frozenset(), level, block.rng, True),
                                 Picker(self.library, frozenset(), None, block.rng, True)):
                    picks = picks or [(slot, ex) for slot in FALLBACK.slots if (ex := fallback.pick(slot)) is not None]
            sessions.append(Session(template, tuple(picks)))
        if builds_muscle(request.goal, block.phase):
            self._add_volume_slots(sessions, picker)
        return sessions

    @staticmethod
    def _add_volume_slots(sessions: list[Session], picker: Picker) -> None:
        """Extra assistance exercises for a major group the week's exercises cannot give its
        sets to (at most MAX_SETS each), on the sessions with fewest exercises. Time cuts
        drop them first (they are never protected)."""
        lifting = [n for n, s in enumerate(sessions) if s.template.kind in LIFTING_KINDS]
        for group in MAJOR_GROUPS:
            for _ in range(2):
                primaries = sum(1 for s in sessions for _, ex in s.picks if credits(ex).get(group) == 1.0)
                if not lifting or primaries * MAX_SETS >= CAPACITY_TARGET:
                    break
                n = min(lifting, key=lambda i: len(sessions[i].picks))
                slot = GROUP_SLOTS[group]
                exercise = picker.pick(slot)
                if exercise is None or credits(exercise).get(group) != 1.0:
                    break
                sessions[n] = Session(sessions[n].template, sessions[n].picks + ((slot, exercise),))

    def doses(self, request: GenerationRequest, block: Block, sessions: list[Session], week: Week,
               loading_weeks: int = 1) -> list[list[Item]]:
        """The week's sets, rests and supersets of every session (rules_volume): balanced per
        muscle group and push:pull and fitted into the session's time. A volume block is
        built at its fullest, then each earlier loading week steps back from it (a ramp)."""
        ctx = self.context(request, block, week)
        normal = replace(ctx, week=Week(week.loading_index))
        doses = [[Item(slot, ex, base_sets(slot.role, normal), rest_seconds(slot.role, normal))
                  for slot, ex in session.picks] for session in sessions]
        budgets = [self._budget(request) if s.template.kind in LIFTING_KINDS else 0.0 for s in sessions]
        protect_families(doses)
        loading = not (week.deload or week.taper or week.test)
        if ctx.volume_block:
            grow_to(doses, CAPACITY_TARGET, HYPERTROPHY_SETS[1], budgets)
        for items, budget in zip(doses, budgets, strict=True):
            if budget:
                fit(items, budget)
        settle(doses, budgets, ctx.volume_block)
        if loading and ctx.volume_block:
            ramp_back(doses, max(0, loading_weeks - 1 - week.loading_index))
        for items in doses:
            for item in items:
                item.sets = week_sets(item.sets, ctx)
        self._mark_days(request, doses, week)
        return doses

    @staticmethod
    def _mark_days(request: GenerationRequest, doses: list[list[Item]], week: Week) -> None:
        """Undulating: each main lift rotates heavy / moderate / light across its days of the
        week, shifting a step each week. Test week: each main lift is tested on its first day."""
        occurrences: Counter[str] = Counter()
        for item in (item for items in doses for item in items if item.main):
            name = item.exercise.name
            item.day_type = None
            if request.model is PeriodizationModel.UNDULATING:
                item.day_type = DUP_ROTATION[(occurrences[name] + week.loading_index) % len(DUP_ROTATION)]
            item.test = week.test and occurrences[name] == 0
            occurrences[name] += 1

    @staticmethod
    def _budget(request: GenerationRequest) -> float:
        return request.session_minutes - min(WARM_UP_MINUTES, 0.15 * request.session_minutes)

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
