"""Weekly volume of the rule-based generator: hard sets per muscle group, push:pull
balance, and fitting each session into its time.

- Hard sets per muscle group are counted from the library's muscles: a set counts 1 for
  a group among the exercise's primary muscles and 0.5 for one among its secondary
  muscles only (fractional counting; Pelland et al. 2024, "The resistance training
  dose-response", SportRxiv). Hypertrophy blocks aim at 10-20 weekly sets for each major
  group (Schoenfeld, Ogborn & Krieger 2017, J Sports Sci 35:1073, dose-response of
  weekly sets; Baz-Valle et al. 2022, J Hum Kinet 81:199) and ramp up across the block.
- Pulling at least matches pushing, up to 1.5 times (push:pull 1:1 to 1:1.5): common
  practice for shoulder health (Kolber et al. 2009, J Strength Cond Res 23:148, on
  pressing-dominant imbalances in lifters).
- A session over its time is fitted by, in order: pairing assistance exercises as
  supersets, shorter rests, fewer assistance sets, fewer main sets, pairing the main
  lifts; only then are low-priority exercises dropped, never the week's first squat,
  hinge, push, pull, core or carry.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from trainforge.models.programs import MesocyclePhase, ProgramGoal
from trainforge.services.exercises import Exercise, MovementPattern as M
from trainforge.services.generation.rules_dosage import DayType
from trainforge.services.generation.rules_templates import Role, Slot

GROUP_OF_MUSCLE = {
    "chest": "chest", "lats": "back", "middle back": "back", "shoulders": "shoulders", "quadriceps": "quadriceps",
    "hamstrings": "hamstrings", "glutes": "glutes", "biceps": "biceps", "triceps": "triceps", "calves": "calves",
    "abdominals": "core", "traps": "traps", "lower back": "lower back", "forearms": "forearms",
    "adductors": "hips", "abductors": "hips", "neck": "neck",
}
MAJOR_GROUPS = ("chest", "back", "shoulders", "quadriceps", "hamstrings", "glutes")
HYPERTROPHY_SETS = (10, 20)
PUSH = frozenset({M.HORIZONTAL_PUSH, M.VERTICAL_PUSH})
PULL = frozenset({M.HORIZONTAL_PULL, M.VERTICAL_PULL})
PUSH_PULL_MAX = 1.5
NOT_HARD_SETS = frozenset({M.CONDITIONING, M.MOBILITY, M.PLYOMETRIC})
# The families a strength week keeps whatever the time: the first of each is protected.
FAMILIES = {M.SQUAT: "squat", M.HINGE: "hinge", M.HORIZONTAL_PUSH: "push", M.VERTICAL_PUSH: "push",
            M.HORIZONTAL_PULL: "pull", M.VERTICAL_PULL: "pull", M.CORE: "core", M.CARRY: "carry"}
MAX_SETS = 5
# The slot that adds direct work for a major group short of sets.
GROUP_SLOTS = {
    "chest": Slot(M.UPPER_ISOLATION, Role.ACCESSORY, ("chest",)),
    "back": Slot(M.HORIZONTAL_PULL),
    "shoulders": Slot(M.UPPER_ISOLATION, Role.ACCESSORY, ("shoulders",)),
    "quadriceps": Slot(M.LOWER_ISOLATION, Role.ACCESSORY, ("quadriceps",)),
    "hamstrings": Slot(M.LOWER_ISOLATION, Role.ACCESSORY, ("hamstrings",)),
    "glutes": Slot(M.HINGE),
}
MIN_ACCESSORY_SETS, MIN_MAIN_SETS = 2, 2
SHORT_REST = {Role.MAIN: 120, Role.ACCESSORY: 60}
WORK_SECONDS = 40  # one set's work
SETUP_MINUTES = 1.0  # per exercise (or per superset pair)


def builds_muscle(goal: ProgramGoal, phase: MesocyclePhase) -> bool:
    """Hypertrophy blocks, and the volume blocks of a hypertrophy program, aim at 10-20 sets per muscle."""
    return phase is MesocyclePhase.HYPERTROPHY or (goal is ProgramGoal.HYPERTROPHY and phase is MesocyclePhase.ACCUMULATION)


@dataclass(eq=False)  # compared by identity: a session may hold two equal items
class Item:
    """One exercise of a session this week, with its dose before prescription."""

    slot: Slot
    exercise: Exercise
    sets: int
    rest: int
    day_type: DayType | None = None
    superset: str | None = None
    protected: bool = False
    test: bool = False  # test week: this is the lift's test (the first time it comes in the week)

    @property
    def main(self) -> bool:
        return self.slot.role is Role.MAIN


def credits(exercise: Exercise) -> dict[str, float]:
    """What one set gives each muscle group: 1 as a primary mover, 0.5 as a secondary one.
    (Cached by name, unique in a library: balancing a week asks it thousands of times, and
    hashing the whole exercise costs more than the answer; callers must not mutate it.)"""
    given = _CREDITS.get(exercise.name)
    if given is None:
        given = {}
        if exercise.pattern not in NOT_HARD_SETS:
            for muscle in exercise.secondary_muscles:
                given[GROUP_OF_MUSCLE.get(muscle, muscle)] = 0.5
            for muscle in exercise.primary_muscles:
                given[GROUP_OF_MUSCLE.get(muscle, muscle)] = 1.0
        _CREDITS[exercise.name] = given
    return given


_CREDITS: dict[str, dict[str, float]] = {}


def muscle_sets(doses: Iterable[tuple[Exercise, int]]) -> Counter[str]:
    """Weekly hard sets per muscle group of (exercise, sets) pairs. (Balancing a hypertrophy week
    recounts it thousands of times per plan: summed in a plain dict, the cache read inline.)"""
    total: dict[str, float] = {}
    add = total.get
    for exercise, sets in doses:
        given = _CREDITS.get(exercise.name) or credits(exercise)
        for group, share in given.items():
            total[group] = add(group, 0.0) + share * sets
    return Counter(total)


def push_pull_sets(doses: Iterable[tuple[Exercise, int]]) -> tuple[int, int]:
    push = pull = 0
    for exercise, sets in doses:
        push += sets if exercise.pattern in PUSH else 0
        pull += sets if exercise.pattern in PULL else 0
    return push, pull


def hard_sets(week: list[list[Item]]) -> int:
    return sum(item.sets for items in week for item in items if item.exercise.pattern not in NOT_HARD_SETS)


def _doses(week: list[list[Item]]) -> list[tuple[Exercise, int]]:
    return [(item.exercise, item.sets) for session in week for item in session]


# ---------------------------------------------------------------- time


def item_minutes(item: Item) -> float:
    return item.sets * (WORK_SECONDS + item.rest) / 60 + SETUP_MINUTES


def session_minutes(items: list[Item]) -> float:
    """Supersets alternate: a pair takes its longer exercise's sets, both works and one rest."""
    minutes, pairs = 0.0, {}
    for item in items:
        if item.superset is None:
            minutes += item_minutes(item)
        else:
            pairs.setdefault(item.superset, []).append(item)
    for pair in pairs.values():
        sets, rest = max(i.sets for i in pair), max(i.rest for i in pair)
        minutes += sets * (WORK_SECONDS * len(pair) + rest) / 60 + SETUP_MINUTES * 1.5
    return minutes


def protect_families(week: list[list[Item]]) -> None:
    """Mark what time cuts never drop: the main lifts, the first item of each family in the
    week, and in every session that presses, its first pull."""
    seen: set[str] = set()
    for session in week:
        for item in session:
            family = FAMILIES.get(item.exercise.pattern)
            if item.main or (family is not None and family not in seen):
                item.protected = True
            if family is not None:
                seen.add(family)
        if any(_pushing(item) for item in session):
            first_pull = next((item for item in session if _pulling(item)), None)
            if first_pull is not None:
                first_pull.protected = True


def _pair(items: list[Item], mains: bool) -> None:
    """Supersets of consecutive unpaired items of one kind (mains or assistance)."""
    open_items = [i for i in items if i.superset is None and i.main == mains and i.slot.role in SHORT_REST]
    label = chr(ord("A") + len({i.superset for i in items if i.superset}))
    for first, second in zip(open_items[::2], open_items[1::2]):
        first.superset = second.superset = label
        label = chr(ord(label) + 1)


def fit(items: list[Item], budget: float) -> list[Item]:
    """The session within `budget` minutes, by the cheapest measures first (module docstring)."""
    if session_minutes(items) <= budget:
        return items
    _pair(items, mains=False)
    if session_minutes(items) <= budget:
        return items
    for item in items:
        if item.slot.role in SHORT_REST:
            item.rest = min(item.rest, SHORT_REST[item.slot.role])
    for floor, mains in ((MIN_ACCESSORY_SETS, False), (3, True), (MIN_MAIN_SETS, True)):
        while session_minutes(items) > budget:
            candidates = [i for i in items if i.main == mains and i.sets > floor and i.slot.role in SHORT_REST]
            if not candidates:
                break
            max(candidates, key=lambda i: i.sets).sets -= 1
    if session_minutes(items) > budget:
        _pair(items, mains=True)
    while session_minutes(items) > budget:
        droppable = [i for i in items if not i.protected]
        if not droppable:
            break
        items.remove(droppable[-1])
    return items


# ---------------------------------------------------------------- weekly balance


# A volume block's last loading week aims at 16 sets per major group (room left under 20);
# earlier weeks step back from it by about 6 % of the hard sets each, so the block ramps up.
CAPACITY_TARGET = 16
RAMP_STEP = 0.06


def ramp_back(week: list[list[Item]], steps: int) -> None:
    """Take `steps` ramp steps of sets off a volume block's fullest week: from the
    exercises with most sets, keeping every major group at 10 or more and pull:push in
    1-1.5. The removals are the same sequence whatever `steps`, so weekly totals rise."""
    per_step = math.ceil(RAMP_STEP * hard_sets(week))
    for _ in range(steps * per_step):
        sets = muscle_sets(_doses(week))
        push, pull = push_pull_sets(_doses(week))

        def keeps_limits(item: Item) -> bool:
            given = credits(item.exercise)
            if any(sets[g] - share < HYPERTROPHY_SETS[0] for g, share in given.items() if g in MAJOR_GROUPS):
                return False
            p, q = push - _pushing(item), pull - _pulling(item)
            return not p or not q or p <= q <= PUSH_PULL_MAX * p

        options = [i for s in week for i in s if i.sets > (MIN_MAIN_SETS if i.main else 1)
                   and i.exercise.pattern not in NOT_HARD_SETS and keeps_limits(i)]
        if not options:
            return
        # Assistance over two sets first, then main lifts over two, then assistance to one set.
        max(options, key=lambda i: (i.sets > MIN_ACCESSORY_SETS, not i.main, i.sets)).sets -= 1


def grow_to(week: list[list[Item]], target: float, ceiling: float, budgets: list[float]) -> None:
    """Add sets (assistance first, then main lifts) to reach the target for each major group,
    while each session, paired and with short rests, still fits its budget and no other
    major group goes over the ceiling. Groups furthest below the target go first."""
    while True:
        sets = muscle_sets(_doses(week))
        short = sorted((sets[group], group) for group in MAJOR_GROUPS if sets[group] < target)
        if not short:
            return
        if not any(_add_set(week, budgets, lambda item, group=group: _feeds(item, group, sets, ceiling))
                   for _, group in short):
            # Out of time: assistance that builds no major group (core, arms, calves) gives a set back.
            if not _remove_set(week, _minor, floor=MIN_ACCESSORY_SETS):
                return


def _minor(item: Item) -> bool:
    return not item.main and not any(credits(item.exercise).get(group) == 1.0 for group in MAJOR_GROUPS)


def _feeds(item: Item, group: str, sets: Counter[str], ceiling: float) -> bool:
    given = credits(item.exercise)
    return given.get(group) == 1.0 and all(sets[other] + share <= ceiling for other, share in given.items()
                                            if other in MAJOR_GROUPS)


def trim_to(week: list[list[Item]], ceiling: float, floor: float, hard: bool = False) -> None:
    """Take sets off until no major group is above `ceiling`, never taking another major group
    below `floor`. Only work that builds the group (or whose own groups are all over the
    ceiling) is cut: a press is shoulder work too, but it is the chest's. When the ceiling is
    `hard` (the 20-set limit, not the ramp), whole unprotected exercises and main-lift sets go too."""
    sets = muscle_sets(_doses(week))  # kept current as sets come off (exact: halves and wholes)

    def take(item: Item, count: int) -> None:
        for muscle_group, share in credits(item.exercise).items():
            sets[muscle_group] -= share * count

    for group in (g for g in MAJOR_GROUPS if sets[g] > ceiling):
        while sets[group] > ceiling:

            def cuttable(item: Item, removed: int) -> bool:
                given = credits(item.exercise)
                own = [g for g, share in given.items() if share == 1.0 and g in MAJOR_GROUPS]
                if given.get(group) != 1.0 and not all(sets[g] > ceiling for g in own) and floor > 0:
                    return False
                return all(sets[other] - share * removed >= floor for other, share in given.items()
                           if other != group and other in MAJOR_GROUPS and sets[other] >= floor)

            hitting = [i for s in week for i in s if group in credits(i.exercise)]
            accessories = [i for i in hitting if not i.main and i.sets > 1 and cuttable(i, 1)]
            if accessories:
                cut = max(accessories, key=lambda i: (credits(i.exercise)[group], i.sets))
                cut.sets -= 1
                take(cut, 1)
                continue
            if not hard:
                break
            removable = [(s, i) for s in week for i in s if group in credits(i.exercise) and not i.main
                         and (not i.protected or floor == 0) and cuttable(i, i.sets)]
            if removable:
                session, item = removable[-1]
                session.remove(item)
                take(item, item.sets)
                continue
            mains = [i for i in hitting if i.main and i.sets > (MIN_MAIN_SETS if floor else 1) and cuttable(i, 1)]
            if not mains:
                break
            cut = max(mains, key=lambda i: i.sets)
            cut.sets -= 1
            take(cut, 1)


def balance_push_pull(week: list[list[Item]], budgets: list[float], ceiling: float | None = None,
                      fitted: bool = True) -> None:
    """Pull sets between 1 and 1.5 times the push sets, where there is any pulling. Pulling
    is added while the session's time allows (as fitted, or at best before fitting), else
    pushing is cut; a last set of pulling may run a session a few minutes over rather than
    leave the shoulders unbalanced."""
    over = [budget * 1.15 for budget in budgets]
    sets: Counter[str] = Counter()

    def room(item: Item) -> bool:  # one more set keeps every major group under the ceiling
        return ceiling is None or all(sets[group] + share <= ceiling for group, share in credits(item.exercise).items()
                                      if group in MAJOR_GROUPS)

    def pulling(item: Item) -> bool:
        return _pulling(item) and room(item)

    def pushing(item: Item) -> bool:
        return _pushing(item) and room(item)

    for _ in range(60):
        if ceiling is not None:
            sets = muscle_sets(_doses(week))  # once per step: `room` reads it for every candidate
        push, pull = push_pull_sets(_doses(week))
        if pull == 0 or push == 0:
            return
        if pull < push:
            if not (_add_set(week, budgets, pulling, fitted) or _remove_set(week, _pushing)
                    or _add_set(week, over, pulling, fitted) or _drop_item(week, _pushing)):
                return
        elif pull > PUSH_PULL_MAX * push:
            if not (_remove_set(week, _pulling) or _add_set(week, budgets, pushing, fitted)
                    or _add_set(week, over, pushing, fitted) or _drop_item(week, _pulling)):
                return
        else:
            return


def settle(week: list[list[Item]], budgets: list[float], volume_block: bool) -> None:
    """The week's hard limits, after fitting: at most 20 sets per major group in a volume
    block, and pull:push within 1-1.5 (each repair may upset the other: a few rounds)."""
    ceiling = HYPERTROPHY_SETS[1] if volume_block else None
    for _ in range(4):
        if volume_block:
            trim_to(week, HYPERTROPHY_SETS[1], HYPERTROPHY_SETS[0], hard=True)
            trim_to(week, HYPERTROPHY_SETS[1], 0, hard=True)
        balance_push_pull(week, budgets, ceiling)
        push, pull = push_pull_sets(_doses(week))
        over = volume_block and max(muscle_sets(_doses(week))[g] for g in MAJOR_GROUPS) > HYPERTROPHY_SETS[1]
        if not over and (not push or not pull or push <= pull <= PUSH_PULL_MAX * push):
            return


def _pulling(item: Item) -> bool:
    return item.exercise.pattern in PULL


def _pushing(item: Item) -> bool:
    return item.exercise.pattern in PUSH


def _add_set(week: list[list[Item]], budgets: list[float], wanted, fitted: bool = False) -> bool:
    """One more set on the least-dosed wanted item whose session still fits (as it stands
    when `fitted`, else at best: paired, short rests); False if none."""
    options = [(item.main, item.sets, n, item) for n, session in enumerate(week) for item in session
               if wanted(item) and item.sets < MAX_SETS]
    minutes = session_minutes if fitted else _best_case_minutes
    for _, _, n, item in sorted(options, key=lambda o: o[:3]):
        item.sets += 1
        if minutes(week[n]) <= budgets[n]:
            return True
        item.sets -= 1
    return False


def _remove_set(week: list[list[Item]], wanted, floor: int = 1) -> bool:
    options = [item for session in week for item in session if wanted(item)
               and item.sets > (MIN_MAIN_SETS if item.main else floor)]
    if not options:
        return False
    max(options, key=lambda item: (not item.main, item.sets)).sets -= 1
    return True


def _drop_item(week: list[list[Item]], wanted) -> bool:
    """Remove the last unprotected wanted exercise of the week."""
    for session in reversed(week):
        for item in reversed(session):
            if wanted(item) and not item.protected:
                session.remove(item)
                return True
    return False


def _best_case_minutes(items: list[Item]) -> float:
    """The session's time with assistance paired and rests short: what `fit` can reach
    without cutting sets."""
    trial = [Item(i.slot, i.exercise, i.sets, min(i.rest, SHORT_REST.get(i.slot.role, i.rest)), i.day_type,
                  i.superset) for i in items]
    _pair(trial, mains=False)
    return session_minutes(trial)
