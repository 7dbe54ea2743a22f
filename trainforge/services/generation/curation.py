"""What a coach curates in the exercise library before programming from it.

- A screen: behind-the-neck pressing and pulling (Bradford presses pass the bar behind the
  head), moves that need a partner's hands, and stretches anywhere but a mobility slot.
  Behind-the-neck work puts the shoulder in abduction with external rotation under load;
  NSCA's *Essentials* (4th ed.) and most coaching texts program the front variations.
- Levels of the main lifts as coaches teach them, not as the source tags them: a beginner
  learns the barbell squat and deadlift from the first week (Rippetoe, *Starting
  Strength*, 3rd ed.; NSCA *Essentials*, ch. 15), while unassisted pull-ups, pistols and
  Nordic/glute-ham raises wait until the athlete is stronger.
- Body-weight progressions, easiest first, so that a pattern is filled at the athlete's
  level and a repeated block can move one step up the chain.
- What loads an implement allows, so a load in kg can be lifted as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from trainforge.services.exercises import Exercise, MovementPattern, level_rank
from trainforge.services.generation.rules_templates import Role

M = MovementPattern

BEHIND_THE_NECK = ("behind the neck", "behind neck", "bradford")
NEEDS_A_PARTNER = ("manual", "partner")
# Mobility slots take stretches; strength and conditioning slots never do.
STRETCH_CATEGORIES = frozenset({"stretching"})

# Levels that differ from the source's tags (see the module docstring).
CURATED_LEVELS: dict[str, str] = {
    "Barbell Deadlift": "beginner",
    "Romanian Deadlift": "beginner",
    "Barbell Full Squat": "beginner",
    "Barbell Squat": "beginner",
    "Trap Bar Deadlift": "beginner",
    "Dumbbell Shoulder Press": "beginner",
    "Stiff-Legged Barbell Deadlift": "beginner",
    "Pullups": "intermediate",
    "Chin-Up": "intermediate",
    "Weighted Pull Ups": "intermediate",
    "Natural Glute Ham Raise": "expert",
    "Handstand Push-Ups": "expert",
    "Single-Arm Push-Up": "expert",
}

# Body-weight chains, easiest first.
BODY_WEIGHT_CHAINS: dict[MovementPattern, tuple[str, ...]] = {
    M.SQUAT: ("Bodyweight Squat", "Pistol Squat to a Box", "Pistol Squat"),
    M.HINGE: ("Butt Lift (Bridge)", "Single Leg Glute Bridge", "Single-Leg Romanian Deadlift (Body Weight)",
              "Single-Leg Hip Thrust"),
    M.HORIZONTAL_PUSH: ("Hands-Elevated Push-Up", "Pushups", "Feet-Elevated Push-Up", "Single-Arm Push-Up"),
    M.VERTICAL_PUSH: ("Pike Push-Up", "Feet-Elevated Pike Push-Up", "Handstand Push-Ups"),
    M.HORIZONTAL_PULL: ("Table Row", "Towel Row", "Feet-Elevated Table Row"),
    M.VERTICAL_PULL: ("Band Lat Pulldown", "Negative Pull-Up", "Band Assisted Pull-Up", "Pullups", "Weighted Pull Ups"),
    M.LUNGE: ("Bodyweight Split Squat", "Bodyweight Walking Lunge", "Rear-Foot-Elevated Split Squat"),
}
# A pattern nothing fills is replaced by its nearest relative (and the plan warns).
SUBSTITUTES: dict[MovementPattern, MovementPattern] = {
    M.VERTICAL_PULL: M.HORIZONTAL_PULL,
    M.HORIZONTAL_PULL: M.VERTICAL_PULL,
    M.VERTICAL_PUSH: M.HORIZONTAL_PUSH,
    M.HORIZONTAL_PUSH: M.VERTICAL_PUSH,
    M.LUNGE: M.SQUAT,
}


# Unassisted pulling of the whole body weight, and other moves that need a strength base.
_NEEDS_A_BASE = re.compile(r"pull-?ups?\b|chin-?ups?\b|muscle.?up|glute.?ham|pistol|one-arm push|handstand")
_ASSISTED = re.compile(r"assist|band|negative|scapular|inverted|machine")


def level_of(exercise: Exercise) -> str:
    if exercise.name in CURATED_LEVELS:
        return CURATED_LEVELS[exercise.name]
    name = exercise.name.lower()
    if exercise.level == "beginner" and _NEEDS_A_BASE.search(name) and not _ASSISTED.search(name):
        return "intermediate"
    return exercise.level


def within_level(exercise: Exercise, max_level: str | None) -> bool:
    return max_level is None or level_rank(level_of(exercise)) <= level_rank(max_level)


def screen_reason(exercise: Exercise, role: Role | None = None) -> str | None:
    """Why the exercise is kept out of a slot of this role (None: it may be used)."""
    name = exercise.name.lower()
    if any(words in name for words in BEHIND_THE_NECK):
        return "behind-the-neck variation"
    if any(words in name for words in NEEDS_A_PARTNER):
        return "needs a partner"
    if exercise.category in STRETCH_CATEGORIES and role is not Role.MOBILITY:
        return "a stretch outside a mobility slot"
    return None


# ---------------------------------------------------------------- loads an implement allows

BAR_KG = {"barbell": 20.0, "trap bar": 25.0, "ez bar": 10.0, "axle bar": 15.0, "smith machine": 15.0, "landmine": 10.0}
PLATE_STEP_KG = 2.5  # the lightest common pair of plates (2 x 1.25 kg)
DUMBBELL_STEP_KG = 2.5  # metric dumbbell racks and adjustable dumbbells: 2.5 kg steps
STACK_STEP_KG = 5.0  # cable and machine stacks
KETTLEBELLS_KG = (4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 32, 36, 40, 44, 48)
# Catalog items that fix what an implement weighs: "Dumbbell pair 17.5 kg", "Kettlebell rack (8-32 kg)",
# "Women's Olympic barbell (15 kg)".
_ONE_WEIGHT = re.compile(r"(\d+(?:\.\d+)?) kg\)?$")
_RANGE = re.compile(r"\((\d+(?:\.\d+)?)-(\d+(?:\.\d+)?) kg\)")


@dataclass(frozen=True)
class LoadSteps:
    """The loads an implement allows: `lightest + n x step`, or a fixed set of sizes."""

    lightest: float = 0.0
    step: float = 0.0
    sizes: tuple[float, ...] = ()

    def nearest(self, kg: float) -> float:
        """The allowed load nearest to `kg` (the lighter one on a tie; at least the lightest)."""
        if self.sizes:
            return float(min(self.sizes, key=lambda size: (abs(size - kg), size)))
        steps = math.floor((kg - self.lightest) / self.step + 0.5 - 1e-9)
        return max(self.lightest, self.lightest + steps * self.step)

    def allows(self, kg: float) -> bool:
        if self.sizes:
            return any(abs(kg - size) < 1e-6 for size in self.sizes)
        units = (kg - self.lightest) / self.step
        return kg >= self.lightest and abs(units - round(units)) < 1e-6


Owned = Mapping[str, LoadSteps]  # what the athlete's own implements allow, by equipment kind


@lru_cache(maxsize=64)
def owned_loads(item_names: frozenset[str]) -> Owned:
    """What the athlete's catalog items allow where it differs from a gym's: fixed dumbbell
    pairs and single kettlebells only in their weights, racks within their range, a 15 kg
    bar. Kinds not listed here load as `load_steps` says. Cached: every workout of a plan
    asks for the same athlete's (parsing ~200 item names each time cost most of a 52-week plan)."""
    dumbbells: set[float] = set()
    bells: set[float] = set()
    owned: dict[str, LoadSteps] = {}
    adjustable_dumbbells = adjustable_bells = False
    for name in item_names:
        weight, span = _ONE_WEIGHT.search(name), _RANGE.search(name)
        lowered = name.lower()
        if "dumbbell" in lowered:
            if "adjustable" in lowered or span is None and weight is None:
                adjustable_dumbbells = True
            elif span is not None:
                low, high = float(span.group(1)), float(span.group(2))
                step = 1.0 if high <= 10 else DUMBBELL_STEP_KG
                dumbbells |= {low} | {x * step for x in range(1, int(high / step) + 1) if low <= x * step <= high}
            elif weight is not None:
                dumbbells.add(float(weight.group(1)))
        elif "kettlebell" in lowered:
            if span is not None:
                bells |= {float(k) for k in KETTLEBELLS_KG if float(span.group(1)) <= k <= float(span.group(2))}
            elif weight is not None and "adjustable" not in lowered:
                bells.add(float(weight.group(1)))
            else:
                adjustable_bells = True
        elif "barbell" in lowered and weight is not None and "fixed" not in lowered:
            owned["barbell"] = LoadSteps(float(weight.group(1)), PLATE_STEP_KG)
    if dumbbells and not adjustable_dumbbells:
        owned["dumbbell"] = LoadSteps(sizes=tuple(sorted(dumbbells)))
    if bells and not adjustable_bells:
        owned["kettlebell"] = LoadSteps(sizes=tuple(sorted(bells)))
    return MappingProxyType(owned)  # shared by the cache: read-only


def load_steps(equipment: frozenset[str], owned: Owned | None = None) -> LoadSteps | None:
    """The loads of the exercise's implement (as the athlete owns it, when `owned` says); None
    when its load is not set in kg (body weight, bands, strongman implements)."""
    for kind, steps in (owned or {}).items():
        if kind in equipment:
            return steps
    for bar, weight in BAR_KG.items():
        if bar in equipment:
            return LoadSteps(weight, PLATE_STEP_KG)
    if "dumbbell" in equipment:
        return LoadSteps(DUMBBELL_STEP_KG, DUMBBELL_STEP_KG)
    if "kettlebell" in equipment:
        return LoadSteps(sizes=KETTLEBELLS_KG)
    if equipment & {"cable", "machine"}:
        return LoadSteps(STACK_STEP_KG, STACK_STEP_KG)
    if "leg press" in equipment:
        return LoadSteps(0.0, 2 * PLATE_STEP_KG)  # plates go on both sides of the sled
    return None
