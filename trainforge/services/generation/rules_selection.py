"""Exercise selection of the rule-based generator: which library exercise fills a
slot, given the athlete's equipment kinds and level.

Main lifts: the lift the athlete gave a max for, else the first of a preference list
(the most specific, best-studied variation available, with external load when the
athlete has some), at the curated level (see curation.py). One main lift per pattern
for the whole mesocycle, so it may come back several times a week (undulating across
those days) and progresses week to week. Without any load, the pattern's body-weight
chain gives the step that suits the athlete and the block (`progression`).

Assistance work is drawn, with the mesocycle's seeded RNG, among the best-rated
candidates of the slot's pattern (staples first, the slot's muscles first). A week does
not repeat an assistance exercise while an alternative exists. Screened exercises
(curation.screen_reason) are never chosen. A pattern nothing fills falls back to its
substitute (a row for a pull-up without a bar).
"""

from __future__ import annotations

import functools
import random

from trainforge.services.exercises import Exercise, ExerciseLibrary, MovementPattern
from trainforge.services.generation.curation import BODY_WEIGHT_CHAINS, SUBSTITUTES, screen_reason, within_level
from trainforge.services.generation.rules_dosage import LOADABLE
from trainforge.services.generation.rules_templates import INTERVAL_MODALITIES, MAIN_LIFTS, STAPLES, Role, Slot

LEVEL_STEPS = {"beginner": 0, "intermediate": 1, None: 2}
LOADED_WHEN_POSSIBLE = frozenset({MovementPattern.SQUAT, MovementPattern.HINGE, MovementPattern.HORIZONTAL_PUSH,
                                  MovementPattern.VERTICAL_PUSH, MovementPattern.HORIZONTAL_PULL,
                                  MovementPattern.VERTICAL_PULL})


class Picker:
    """Chooses exercises for one mesocycle; avoids repeating assistance work within the week."""

    def __init__(self, library: ExerciseLibrary, kinds: frozenset[str], level: str | None, rng: random.Random,
                 vary_mains: bool, baseline_lifts: tuple[str, ...] = (), progression: int = 0) -> None:
        self.library, self.kinds, self.level, self.rng, self.vary_mains = library, kinds, level, rng, vary_mains
        self.baseline_lifts = baseline_lifts  # library names the athlete gave a max for
        self.progression = progression  # steps up the body-weight chains (repeated blocks)
        self.used: set[str] = set()
        self.mains: dict[MovementPattern, Exercise] = {}

    def candidates(self, pattern: MovementPattern, role: Role) -> list[Exercise]:
        return list(_usable(self.library, pattern, self.kinds, self.level, role is Role.MOBILITY))

    def pick(self, slot: Slot) -> Exercise | None:
        choice = self._pick(slot, slot.pattern)
        if choice is None and slot.pattern in SUBSTITUTES:
            choice = self._pick(slot, SUBSTITUTES[slot.pattern])
        if choice is not None:
            self.used.add(choice.name)
        return choice

    def _pick(self, slot: Slot, pattern: MovementPattern) -> Exercise | None:
        if slot.role is Role.MAIN:
            if pattern not in self.mains:
                main = self._main(pattern)
                if main is None:
                    return None
                self.mains[pattern] = main
            return self.mains[pattern]
        candidates = self.candidates(pattern, slot.role)
        fresh = [ex for ex in candidates if ex.name not in self.used] or candidates
        if not fresh:
            return None
        if slot.role is Role.POWER:
            return self._preferred(pattern, fresh, variety=True)
        if slot.role is Role.FINISHER:
            return first_named(INTERVAL_MODALITIES, fresh) or self.rng.choice(fresh)
        if pattern in LOADED_WHEN_POSSIBLE:  # a loaded squat, hinge, press or pull whenever there is one
            fresh = [ex for ex in fresh if ex.equipment & LOADABLE] or fresh
        return self.rng.choice(self._best(_narrowed(fresh, slot.muscles)))

    def _main(self, pattern: MovementPattern) -> Exercise | None:
        pool = self.candidates(pattern, Role.MAIN)
        given = [ex for ex in pool if ex.name in self.baseline_lifts]
        if given:  # specificity: the lift the athlete's numbers are for
            return given[0]
        loaded = [ex for ex in pool if ex.equipment & LOADABLE]
        substitute = SUBSTITUTES.get(pattern)
        if not loaded and substitute is not None and self.kinds & LOADABLE:
            # A loaded press (or row) of the other plane beats a body-weight one of this plane.
            loaded_substitutes = [ex for ex in self.candidates(substitute, Role.MAIN) if ex.equipment & LOADABLE]
            if loaded_substitutes:
                return self._preferred(substitute, loaded_substitutes, variety=self.vary_mains)
        if not loaded and pattern in BODY_WEIGHT_CHAINS:
            chain = [ex for name in BODY_WEIGHT_CHAINS[pattern] for ex in pool if ex.name == name]
            if chain:
                step = min(len(chain) - 1, LEVEL_STEPS[self.level] + self.progression)
                return chain[step]
        return self._preferred(pattern, pool, variety=self.vary_mains) if pool else None

    def _preferred(self, pattern: MovementPattern, pool: list[Exercise], variety: bool) -> Exercise:
        by_name = {ex.name: ex for ex in pool}
        ranked = [by_name[name] for name in MAIN_LIFTS.get(pattern, ()) if name in by_name]
        if any(ex.equipment & LOADABLE for ex in pool):  # external load when there is some: it progresses
            ranked = [ex for ex in ranked if ex.equipment & LOADABLE]
        if not ranked:  # no classic lift fits: any multi-joint one, loaded if possible
            compound = [ex for ex in pool if ex.mechanic == "compound"] or pool
            if self.kinds & LOADABLE:
                compound = [ex for ex in compound if ex.equipment & LOADABLE] or compound
            return self.rng.choice(self._best(compound))
        return self.rng.choice(ranked[:2]) if variety else ranked[0]

    def _best(self, pool: list[Exercise]) -> list[Exercise]:
        """The best-rated of a pool (the seeded choice is made among equals)."""
        loaded = bool(self.kinds & LOADABLE)
        scores = [_quality(ex, loaded) for ex in pool]
        top = max(scores)
        return [ex for ex, score in zip(pool, scores, strict=True) if score == top]


@functools.lru_cache(maxsize=4096)
def _usable(library: ExerciseLibrary, pattern: MovementPattern, kinds: frozenset[str], level: str | None,
            mobility: bool) -> tuple[Exercise, ...]:
    """The pattern's exercises the athlete can do at their (curated) level, the screen applied."""
    role = Role.MOBILITY if mobility else None
    return tuple(ex for ex in library.for_pattern(pattern, kinds, None)
                 if within_level(ex, level) and screen_reason(ex, role) is None)


def _quality(ex: Exercise, loaded_available: bool) -> int:
    """Gym staples over odd variations: standard categories, external load when the
    athlete has it, above all for the big patterns (a loaded hinge over a glute bridge);
    the screen has removed what must never be chosen."""
    base = _BASE_QUALITY.get(ex.name)
    if base is None:
        base = {"strength": 2, "powerlifting": 2, "strongman": -2}.get(ex.category, 0)
        base += 2 if ex.name in STAPLES else 0
        _BASE_QUALITY[ex.name] = base
    if loaded_available and ex.equipment & LOADABLE:
        return base + (3 if ex.pattern in COMPOUND_PATTERNS else 1)
    return base


COMPOUND_PATTERNS = frozenset({MovementPattern.SQUAT, MovementPattern.HINGE, MovementPattern.LUNGE,
                               MovementPattern.HORIZONTAL_PUSH, MovementPattern.VERTICAL_PUSH,
                               MovementPattern.HORIZONTAL_PULL, MovementPattern.VERTICAL_PULL})


_BASE_QUALITY: dict[str, int] = {}  # by exercise name (names are unique in a library)


def first_named(names: tuple[str, ...], pool: list[Exercise]) -> Exercise | None:
    by_name = {ex.name: ex for ex in pool}
    return next((by_name[name] for name in names if name in by_name), None)


_NOT_BY_DEFAULT = frozenset({"neck", "forearms"})


def _narrowed(pool: list[Exercise], muscles: tuple[str, ...]) -> list[Exercise]:
    """Prefer the slot's muscles; keep neck and wrist work out of isolation slots."""
    general = [ex for ex in pool if ex.pattern is not MovementPattern.UPPER_ISOLATION
               or not any(m in _NOT_BY_DEFAULT for m in ex.primary_muscles)] or pool
    if muscles:
        wanted = [ex for ex in general if ex.primary_muscles and ex.primary_muscles[0] in muscles]
        return wanted or general
    return general
