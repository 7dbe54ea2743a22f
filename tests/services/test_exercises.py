"""The shipped exercise library and equipment catalog (no database needed)."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

import pytest

from trainforge.services.exercises import (
    EquipmentCatalog,
    EquipmentItem,
    MovementPattern,
    default_catalog,
    default_library,
)


@pytest.fixture(scope="module")
def library():
    return default_library()


@pytest.fixture(scope="module")
def catalog():
    return default_catalog()


def test_library_loads_every_exercise_with_a_pattern(library):
    exercises = library.all()
    assert len(exercises) > 800
    patterns = Counter(ex.pattern for ex in exercises)
    # every movement pattern is represented, none swallows the library
    assert set(patterns) == set(MovementPattern)
    assert max(patterns.values()) < len(exercises) / 3
    assert len({ex.name.casefold() for ex in exercises}) == len(exercises)


def test_shipped_file_names_its_source_and_leaves_out_instructions_and_images():
    data = json.loads((resources.files("trainforge") / "data" / "exercises.json").read_text(encoding="utf-8"))
    assert "Unlicense" in data["source"]["licence"]
    assert "free-exercise-db" in data["source"]["url"]
    row = data["exercises"][0]
    assert "instructions" not in row and "images" not in row
    assert {"id", "name", "pattern", "equipment", "primary_muscles"} <= set(row)


@pytest.mark.parametrize(
    ("name", "pattern", "equipment"),
    [
        ("Barbell Bench Press - Medium Grip", MovementPattern.HORIZONTAL_PUSH, {"barbell", "bench"}),
        ("Barbell Full Squat", MovementPattern.SQUAT, {"barbell", "rack"}),
        ("Barbell Deadlift", MovementPattern.HINGE, {"barbell"}),
        ("Pullups", MovementPattern.VERTICAL_PULL, {"pull-up bar"}),
        ("Chin-Up", MovementPattern.VERTICAL_PULL, {"pull-up bar"}),
        ("Bent Over Barbell Row", MovementPattern.HORIZONTAL_PULL, {"barbell"}),
        ("Standing Military Press", MovementPattern.VERTICAL_PUSH, {"barbell"}),
        ("Leg Press", MovementPattern.SQUAT, {"leg press"}),
        ("Smith Machine Squat", MovementPattern.SQUAT, {"smith machine"}),
        ("Front Box Jump", MovementPattern.PLYOMETRIC, {"box"}),
        ("Dumbbell Lunges", MovementPattern.LUNGE, {"dumbbell"}),
        ("Farmer's Walk", MovementPattern.CARRY, {"dumbbell"}),
        ("Plank", MovementPattern.CORE, set()),
        ("Pushups", MovementPattern.HORIZONTAL_PUSH, set()),
        ("Rowing, Stationary", MovementPattern.CONDITIONING, {"rower"}),
        ("Running, Treadmill", MovementPattern.CONDITIONING, {"treadmill"}),
        ("Power Clean", MovementPattern.OLYMPIC, {"barbell"}),
        ("EZ-Bar Curl", MovementPattern.UPPER_ISOLATION, {"ez bar"}),
        ("Lying Leg Curls", MovementPattern.LOWER_ISOLATION, {"machine"}),
        ("Hamstring Stretch", MovementPattern.MOBILITY, set()),
        ("Seated Cable Rows", MovementPattern.HORIZONTAL_PULL, {"cable"}),
    ],
)
def test_derived_pattern_and_equipment(library, name, pattern, equipment):
    ex = library.get(name)
    assert ex is not None
    assert ex.pattern is pattern
    assert ex.equipment == frozenset(equipment)


def test_get_is_case_insensitive(library):
    assert library.get("barbell deadlift") is library.get("Barbell Deadlift")
    assert library.get("no such exercise") is None


def test_catalog_has_200_unique_items_across_locations(catalog):
    items = catalog.items()
    assert len(items) >= 200
    assert len(catalog.names()) == len(items)
    assert {item.location for item in items} == {"home", "gym", "outdoor"}
    assert all(item.provides for item in items)
    for name in ("Olympic barbell", "Adjustable dumbbells", "Flat bench", "Power rack", "Pull-up bar",
                 "Resistance bands", "Kettlebell 16 kg", "Cable crossover", "Leg press machine", "Smith machine",
                 "Rowing machine", "Treadmill", "Park bench", "Outdoor pull-up bar", "Running track", "Stairs"):
        assert catalog.get(name) is not None, name


def test_every_needed_kind_is_provided_by_some_catalog_item(library, catalog):
    provided = catalog.kinds_for(catalog.names())
    needed = {kind for ex in library.all() for kind in ex.equipment}
    assert needed <= provided


def test_kinds_for_unions_what_items_provide(catalog):
    assert catalog.kinds_for([]) == frozenset()
    assert catalog.kinds_for(["Olympic barbell", "Flat bench"]) == {"barbell", "bench"}
    assert {"rack", "pull-up bar"} <= catalog.kinds_for(["Power rack"])
    assert catalog.kinds_for(["Treadmill", "no such item"]) == {"treadmill"}


def test_a_small_catalog_keeps_names_unique():
    with pytest.raises(ValueError):
        EquipmentCatalog([EquipmentItem("Box", "home", frozenset({"box"}))] * 2)


def test_available_respects_equipment(library, catalog):
    bodyweight = library.available(frozenset())
    assert bodyweight and all(not ex.equipment for ex in bodyweight)
    home = catalog.kinds_for(["Adjustable dumbbells", "Flat bench (home)", "Doorway pull-up bar"])
    at_home = library.available(home)
    assert set(bodyweight) < set(at_home)
    assert all(ex.equipment <= home for ex in at_home)
    names = {ex.name for ex in at_home}
    assert {"Dumbbell Bench Press", "Pullups", "Pushups"} <= names
    assert "Barbell Bench Press - Medium Grip" not in names
    everything = library.available(catalog.kinds_for(catalog.names()))
    assert len(everything) == len(library.all())


def test_for_pattern_filters_by_level_and_keeps_library_order(library):
    kinds = default_catalog().kinds_for(default_catalog().names())
    beginner = library.for_pattern(MovementPattern.SQUAT, kinds, "beginner")
    everyone = library.for_pattern(MovementPattern.SQUAT, kinds)
    assert beginner and all(ex.level == "beginner" for ex in beginner)
    assert all(ex.pattern is MovementPattern.SQUAT for ex in everyone)
    assert len(beginner) < len(everyone)
    order = [ex.name for ex in library.all()]
    assert [ex.name for ex in everyone] == sorted((ex.name for ex in everyone), key=order.index)
    assert library.for_pattern(MovementPattern.SQUAT, kinds, "advanced") == everyone


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("barbel squat", "Barbell Squat"),
        ("Barbell Back Squat", "Barbell Full Squat"),
        ("squat barbell", "Barbell Squat"),
        ("bench press", "Barbell Bench Press - Medium Grip"),
        ("PULL-UPS", "Pullups"),
        ("romanian dead lift", "Romanian Deadlift"),
        ("lat pull down", "Wide-Grip Lat Pulldown"),
        ("goblet squats", "Goblet Squat"),
        ("face pulls", "Face Pull"),
        ("dumbell curl", "Dumbbell Bicep Curl"),
        ("Russian twists", "Russian Twist"),
    ],
)
def test_closest_maps_typos_and_common_names(library, query, expected):
    assert library.closest(query).name == expected


def test_closest_of_a_typo_is_a_squat(library):
    assert library.closest("barbel squat").pattern is MovementPattern.SQUAT


@pytest.mark.parametrize("query", ["xyzzy qwerty", "quantum flux capacitor", "asdf", "", "!!!"])
def test_closest_returns_none_for_nonsense(library, query):
    assert library.closest(query) is None


def test_closest_stays_within_available_equipment(library):
    kinds = frozenset({"dumbbell", "bench"})
    match = library.closest("Barbell Bench Press", kinds)
    assert match is not None and match.equipment <= kinds
    assert match.pattern is MovementPattern.HORIZONTAL_PUSH
    for query in ("Barbell Deadlift", "barbel squat", "push ups"):
        match = library.closest(query, frozenset())
        assert match is None or not match.equipment
