"""Exercise selection of the rule-based generator: which library exercise fills a
slot, given the athlete's equipment kinds and level.

Main lifts come from a preference list (the most specific, best-studied variation
available; with external load when the athlete has some, so it can progress by
% 1RM). Assistance work is drawn, with the mesocycle's seeded RNG, among the
best-rated candidates of the slot's pattern (staples first, the slot's muscles
first, no behind-the-neck variations). A week does not repeat an exercise while
an alternative exists.
"""

from __future__ import annotations

import random

from trainforge.services.exercises import Exercise, ExerciseLibrary, MovementPattern
from trainforge.services.generation.rules_dosage import LOADABLE
from trainforge.services.generation.rules_templates import INTERVAL_MODALITIES, MAIN_LIFTS, STAPLES, Role, Slot


class Picker:
    """Chooses exercises for one mesocycle; avoids repeats within the week."""

    def __init__(self, library: ExerciseLibrary, kinds: frozenset[str], level: str | None, rng: random.Random,
                 vary_mains: bool) -> None:
        self.library, self.kinds, self.level, self.rng, self.vary_mains = library, kinds, level, rng, vary_mains
        self.used: set[str] = set()

    def pick(self, slot: Slot) -> Exercise | None:
        candidates = self.library.for_pattern(slot.pattern, self.kinds, self.level)
        fresh = [ex for ex in candidates if ex.name not in self.used] or candidates
        if not fresh:
            return None
        if slot.role in (Role.MAIN, Role.POWER):
            choice = self._preferred(slot.pattern, fresh, variety=self.vary_mains or slot.role is Role.POWER)
        elif slot.role is Role.FINISHER:
            choice = first_named(INTERVAL_MODALITIES, fresh) or self.rng.choice(fresh)
        else:
            choice = self.rng.choice(self._best(_narrowed(fresh, slot.muscles)))
        self.used.add(choice.name)
        return choice

    def _preferred(self, pattern: MovementPattern, pool: list[Exercise], variety: bool) -> Exercise:
        by_name = {ex.name: ex for ex in pool}
        ranked = [by_name[name] for name in MAIN_LIFTS.get(pattern, ()) if name in by_name]
        if self.kinds & LOADABLE:  # external load when there is some: it can progress by % 1RM
            ranked = [ex for ex in ranked if ex.equipment & LOADABLE] or ranked
        if not ranked:  # no classic lift fits: any multi-joint one
            return self.rng.choice(self._best([ex for ex in pool if ex.mechanic == "compound"] or pool))
        return self.rng.choice(ranked[:2]) if variety else ranked[0]

    def _best(self, pool: list[Exercise]) -> list[Exercise]:
        """The best-rated of a pool (the seeded choice is made among equals)."""
        loaded = bool(self.kinds & LOADABLE)
        scores = [_quality(ex, loaded) for ex in pool]
        top = max(scores)
        return [ex for ex, score in zip(pool, scores, strict=True) if score == top]


def _quality(ex: Exercise, loaded_available: bool) -> int:
    """Gym staples over odd variations: standard categories, external load when the
    athlete has it, no behind-the-neck pressing or pulling (shoulder stress)."""
    base = _BASE_QUALITY.get(ex.name)
    if base is None:
        base = {"strength": 2, "powerlifting": 2, "strongman": -2}.get(ex.category, 0)
        base -= 5 if "behind the neck" in ex.name.lower() or "behind neck" in ex.name.lower() else 0
        base += 2 if ex.name in STAPLES else 0
        _BASE_QUALITY[ex.name] = base
    return base + (1 if loaded_available and ex.equipment & LOADABLE else 0)


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
