"""The shipped exercise library and equipment catalog, as typed read-only values.

Both come from `trainforge/data/` (built by `trainforge.tools.build_exercise_library`
from the public-domain Free Exercise DB and the project's own catalog) and are loaded
once per process. An exercise needs a set of equipment *kinds* (empty: body weight);
a catalog item provides kinds; an athlete's item names map onto the kinds they have.
"""

from __future__ import annotations

import difflib
import enum
import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any


class MovementPattern(str, enum.Enum):
    SQUAT = "squat"
    HINGE = "hinge"
    LUNGE = "lunge"
    HORIZONTAL_PUSH = "horizontal_push"
    VERTICAL_PUSH = "vertical_push"
    HORIZONTAL_PULL = "horizontal_pull"
    VERTICAL_PULL = "vertical_pull"
    CARRY = "carry"
    CORE = "core"
    UPPER_ISOLATION = "upper_isolation"
    LOWER_ISOLATION = "lower_isolation"
    OLYMPIC = "olympic"
    PLYOMETRIC = "plyometric"
    CONDITIONING = "conditioning"
    MOBILITY = "mobility"


# The source's levels, easiest first; "advanced" is accepted for "expert".
LEVELS = ("beginner", "intermediate", "expert")
_LEVEL_RANK = {"beginner": 0, "intermediate": 1, "expert": 2, "advanced": 2}


def level_rank(level: str) -> int:
    try:
        return _LEVEL_RANK[level.lower()]
    except KeyError:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}") from None


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    pattern: MovementPattern
    category: str
    level: str
    mechanic: str | None
    force: str | None
    primary_muscles: tuple[str, ...]
    secondary_muscles: tuple[str, ...]
    equipment: frozenset[str]  # kinds needed; empty = body weight

    @property
    def bodyweight(self) -> bool:
        return not self.equipment


@dataclass(frozen=True)
class EquipmentItem:
    name: str
    location: str  # home | gym | outdoor
    provides: frozenset[str]


class EquipmentCatalog:
    """Catalog items by name; maps an athlete's item names onto equipment kinds."""

    def __init__(self, items: Iterable[EquipmentItem]) -> None:
        self._items = tuple(items)
        self._by_name = {item.name: item for item in self._items}
        if len(self._by_name) != len(self._items):
            raise ValueError("equipment names must be unique")

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> tuple[EquipmentItem, ...]:
        return self._items

    def names(self) -> frozenset[str]:
        return frozenset(self._by_name)

    def get(self, name: str) -> EquipmentItem | None:
        return self._by_name.get(name)

    def for_location(self, location: str) -> list[EquipmentItem]:
        return [item for item in self._items if item.location == location]

    def kinds_for(self, names: Iterable[str]) -> frozenset[str]:
        """Every kind the named items provide (names not in the catalog provide nothing)."""
        kinds: set[str] = set()
        for name in names:
            item = self._by_name.get(name)
            if item is not None:
                kinds |= item.provides
        return frozenset(kinds)


def normalize_name(name: str) -> str:
    """Lower case, punctuation to spaces, single spaces: "Pull-Ups!" -> "pull ups"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())


# Common names (as coaches or a language model write them) for the library's entries.
ALIASES = {
    "back squat": "Barbell Full Squat",
    "squat": "Barbell Full Squat",
    "front squat": "Front Barbell Squat",
    "deadlift": "Barbell Deadlift",
    "conventional deadlift": "Barbell Deadlift",
    "rdl": "Romanian Deadlift",
    "bench press": "Barbell Bench Press - Medium Grip",
    "incline bench press": "Barbell Incline Bench Press - Medium Grip",
    "overhead press": "Standing Military Press",
    "ohp": "Standing Military Press",
    "military press": "Standing Military Press",
    "pull up": "Pullups",
    "pull ups": "Pullups",
    "chin ups": "Chin-Up",
    "push up": "Pushups",
    "push ups": "Pushups",
    "barbell row": "Bent Over Barbell Row",
    "bent over row": "Bent Over Barbell Row",
    "dumbbell row": "One-Arm Dumbbell Row",
    "lat pulldown": "Wide-Grip Lat Pulldown",
    "hip thrust": "Barbell Hip Thrust",
    "dips": "Dips - Triceps Version",
    "bulgarian split squat": "Split Squat with Dumbbells",
    "farmers carry": "Farmer's Walk",
    "farmer s carry": "Farmer's Walk",
    "kettlebell swing": "One-Arm Kettlebell Swings",
    "running": "Trail Running/Walking",
    "rowing": "Rowing, Stationary",
    "cycling": "Bicycling, Stationary",
    "barbell back squat": "Barbell Full Squat",
    "incline dumbbell bench press": "Incline Dumbbell Press",
    "lateral raise": "Side Lateral Raise",
    "dumbbell lateral raise": "Side Lateral Raise",
    "leg curl": "Lying Leg Curls",
    "leg extension": "Leg Extensions",
    "calf raise": "Standing Calf Raises",
    "chest fly": "Dumbbell Flyes",
    "skull crusher": "EZ-Bar Skullcrusher",
    "seated row": "Seated Cable Rows",
    "cable row": "Seated Cable Rows",
    "split squat": "Split Squat with Dumbbells",
    "step up": "Dumbbell Step Ups",
    "glute bridge": "Butt Lift (Bridge)",
    "jump rope": "Rope Jumping",
    "treadmill": "Running, Treadmill",
}
CLOSE_CUTOFF = 0.8  # below this similarity a name is "nothing close"
TOKEN_CUTOFF = 0.75  # a misspelt word still counts as that word ("dumbell" ~ "dumbbell")
STOP_WORDS = frozenset({"a", "an", "the", "with", "on", "of", "and", "exercise", "hold"})


def _stem(token: str) -> str:
    """Plural to singular, crudely: "lunges" -> "lunge", "crunches" -> "crunch"."""
    if len(token) > 4 and token.endswith(("ches", "shes")):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _tokens(name: str) -> tuple[str, ...]:
    return tuple(_stem(t) for t in normalize_name(name).split() if t not in STOP_WORDS)


@dataclass(frozen=True)
class _Key:
    """What fuzzy matching compares of one name."""

    tokens: frozenset[str]
    joined: str  # stemmed words, in order, space-separated
    compact: str  # the same without spaces: "lat pull down" ~ "lat pulldown"

    @classmethod
    def of(cls, name: str) -> _Key:
        tokens = _tokens(name)
        return cls(frozenset(tokens), " ".join(tokens), "".join(tokens))


_ALIASES_BY_KEY = {_Key.of(alias).compact: name for alias, name in ALIASES.items()}


class _NameIndex:
    """Fuzzy lookup of library names: candidates come from an index of (misspelt)
    words and of compact substrings, so only a few names are compared in full."""

    def __init__(self, exercises: tuple[Exercise, ...]) -> None:
        self._entries = [(ex, _Key.of(ex.name)) for ex in exercises]
        self._by_token: dict[str, list[int]] = {}
        for i, (_, key) in enumerate(self._entries):
            for token in key.tokens:
                self._by_token.setdefault(token, []).append(i)
        self._vocabulary = sorted(self._by_token)
        self._similar_words = functools.lru_cache(maxsize=4096)(self._similar_words_uncached)

    def _similar_words_uncached(self, token: str) -> dict[str, float]:
        if token in self._by_token:
            return {token: 1.0}
        matches = difflib.get_close_matches(token, self._vocabulary, n=5, cutoff=TOKEN_CUTOFF)
        return {m: difflib.SequenceMatcher(None, token, m).ratio() for m in matches}

    def best(self, name: str, allowed: Callable[[Exercise], bool]) -> Exercise | None:
        query = _Key.of(name)
        if not query.tokens:
            return None
        similar = {token: self._similar_words(token) for token in query.tokens}
        candidates = {i for words in similar.values() for word in words for i in self._by_token[word]}
        if len(query.compact) >= 6:
            candidates |= {i for i, (_, key) in enumerate(self._entries) if query.compact in key.compact}
        best, best_score = None, CLOSE_CUTOFF
        for i in sorted(candidates):
            ex, key = self._entries[i]
            if allowed(ex):
                score = self._score(query, key, similar)
                if score > best_score:
                    best, best_score = ex, score
        return best

    @staticmethod
    def _score(query: _Key, key: _Key, similar: dict[str, dict[str, float]]) -> float:
        """Best of: character similarity; every query word (or a misspelling of it) in
        the name; the compact query inside the compact name. The last two are discounted
        by the name's extra words, so the most specific name wins."""
        score = difflib.SequenceMatcher(None, query.joined, key.joined, autojunk=False).ratio()
        word_scores = [max((s for w, s in similar[t].items() if w in key.tokens), default=0.0) for t in query.tokens]
        if all(word_scores):
            coverage = sum(word_scores) / len(word_scores)
            score = max(score, 0.75 + 0.25 * coverage * len(query.tokens) / max(len(key.tokens), len(query.tokens)))
        if query.compact in key.compact:
            score = max(score, 0.8 + 0.2 * len(query.compact) / len(key.compact))
        return score


class ExerciseLibrary:
    def __init__(self, exercises: Iterable[Exercise]) -> None:
        self._all = tuple(exercises)
        self._by_name = {ex.name.casefold(): ex for ex in self._all}
        self._by_normalized = {normalize_name(ex.name): ex for ex in self._all}
        self._index = _NameIndex(self._all)
        # Generators ask the same (pattern, kinds, level) questions many times over.
        self._for_pattern_cached = functools.lru_cache(maxsize=4096)(self._for_pattern)
        self._by_pattern: dict[MovementPattern, tuple[Exercise, ...]] = {
            pattern: tuple(ex for ex in self._all if ex.pattern is pattern) for pattern in MovementPattern
        }

    def __len__(self) -> int:
        return len(self._all)

    def all(self) -> tuple[Exercise, ...]:
        return self._all

    def get(self, name: str) -> Exercise | None:
        """The exercise with exactly this name, ignoring case."""
        return self._by_name.get(name.casefold())

    def available(self, kinds: frozenset[str]) -> list[Exercise]:
        """Exercises whose every needed kind is among `kinds` (body-weight ones always)."""
        return [ex for ex in self._all if ex.equipment <= kinds]

    def for_pattern(
        self, pattern: MovementPattern, kinds: frozenset[str], max_level: str | None = None
    ) -> list[Exercise]:
        """Available exercises of a pattern up to a level, in library (name) order."""
        return list(self._for_pattern_cached(pattern, frozenset(kinds), max_level))

    def _for_pattern(self, pattern: MovementPattern, kinds: frozenset[str], max_level: str | None) -> tuple[Exercise, ...]:
        top = level_rank(max_level) if max_level is not None else len(LEVELS)
        return tuple(ex for ex in self._by_pattern[pattern] if ex.equipment <= kinds and _LEVEL_RANK[ex.level] <= top)

    def closest(self, name: str, kinds: frozenset[str] | None = None) -> Exercise | None:
        """The library exercise a free-text name most likely means (typos, punctuation,
        word order, common names), among the available ones when `kinds` is given;
        None when nothing is close."""
        query = normalize_name(name)
        if not query:
            return None

        def allowed(ex: Exercise | None) -> bool:
            return ex is not None and (kinds is None or ex.equipment <= kinds)

        for exact in (
            self._by_normalized.get(query),
            self._by_name.get(_ALIASES_BY_KEY.get(_Key.of(name).compact, "").casefold()),
        ):
            if allowed(exact):
                return exact
        return self._index.best(name, allowed)


def _exercise(row: dict[str, Any]) -> Exercise:
    return Exercise(
        id=row["id"],
        name=row["name"],
        pattern=MovementPattern(row["pattern"]),
        category=row["category"],
        level=row["level"],
        mechanic=row.get("mechanic"),
        force=row.get("force"),
        primary_muscles=tuple(row.get("primary_muscles") or ()),
        secondary_muscles=tuple(row.get("secondary_muscles") or ()),
        equipment=frozenset(row.get("equipment") or ()),
    )


def _load(filename: str) -> Any:
    return json.loads((resources.files("trainforge") / "data" / filename).read_text(encoding="utf-8"))


@functools.cache
def default_library() -> ExerciseLibrary:
    """The Free Exercise DB import plus the progressions and regressions trainforge adds
    (`exercises_added.json`: table and towel rows, band pulls, pike push-ups, ...)."""
    rows = _load("exercises.json")["exercises"] + _load("exercises_added.json")["exercises"]
    return ExerciseLibrary(_exercise(row) for row in rows)


@functools.cache
def default_catalog() -> EquipmentCatalog:
    return EquipmentCatalog(
        EquipmentItem(name=row["name"], location=row["location"], provides=frozenset(row["provides"]))
        for row in _load("equipment.json")["items"]
    )
