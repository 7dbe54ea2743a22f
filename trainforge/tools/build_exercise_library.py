"""Build the shipped exercise library and equipment catalog.

    python -m trainforge.tools.build_exercise_library [--source ../shared/data/exercises.json]

Reads the public-domain Free Exercise DB file and writes `trainforge/data/exercises.json`
with its factual fields (no instructions, no images) plus two derived fields:

- `pattern`, the movement pattern. Rules, first match wins:
  1. category decides: stretching (and foam rolling "-SMR") -> mobility; cardio, sled
     drags/pushes, battling ropes -> conditioning; farmer's/yoke walks and carries -> carry;
     Olympic lifts and their clean/snatch/jerk derivatives -> olympic (their deadlift and
     squat variants go to hinge/squat); plyometrics and jumps -> plyometric.
  2. abdominals as a primary muscle, or a trunk keyword (plank, get-up) -> core.
  3. name keywords, most specific first: shrugs/raises/curls/flyes/extensions/... are
     isolation (lower or upper by the muscles); lunge/split squat/step-up -> lunge;
     deadlift/good morning/hip thrust/bridge/swing/back extension -> hinge; squat/leg press
     -> squat; pull-up/chin/pulldown -> vertical_pull; row -> horizontal_pull; bench press,
     push-up, dip, floor/chest press -> horizontal_push; overhead/shoulder/military press
     -> vertical_push.
  4. otherwise force, mechanic and primary muscles: lower-body isolation ->
     lower_isolation, lower-body pull -> hinge, lower-body push -> squat; chest/triceps
     push -> horizontal_push, shoulder push -> vertical_push, lats -> vertical_pull,
     middle back/traps -> horizontal_pull; the rest -> upper_isolation.
- `equipment`, the equipment kinds needed: the coarse source value made finer by the
  name ("bench" for bench presses and seated/lying/incline free-weight work, "pull-up bar"
  for pull-ups and chin-ups, "rack" for barbell squats, "box" for box jumps and step-ups,
  "smith machine", "leg press", cardio machines by type, strongman implements...), and
  empty for body-weight exercises.

It also writes `trainforge/data/equipment.json` from the hand-written catalog in
`trainforge.tools.equipment_catalog`.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from trainforge.tools.equipment_catalog import catalog_items

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = PACKAGE_DIR.parent
DEFAULT_SOURCE = REPO_DIR.parent / "shared" / "data" / "exercises.json"
DATA_DIR = PACKAGE_DIR / "data"

SOURCE_NOTE = {
    "name": "Free Exercise DB",
    "url": "https://github.com/yuhonas/free-exercise-db",
    "file": "dist/exercises.json",
    "licence": "Unlicense (public domain)",
    "note": "Factual fields imported as published; pattern and equipment kinds derived by "
    "trainforge.tools.build_exercise_library; instructions and images left out.",
}

LOWER_BODY = frozenset({"quadriceps", "hamstrings", "glutes", "calves", "adductors", "abductors"})


def _has(name: str, words: Iterable[str]) -> bool:
    return any(word in name for word in words)


def _word(name: str, pattern: str) -> bool:
    return re.search(pattern, name) is not None


# ---------------------------------------------------------------- movement pattern

CONDITIONING_WORDS = (
    "sled push", "sled drag", "backward drag", "forward drag", "prowler", "battling ropes", "rope jumping",
)
CARRY_WORDS = ("farmer", "yoke", "carry", "conan")
OLYMPIC_WORDS = ("clean", "snatch", "jerk", "sumo high pull", "rack delivery")
JUMP = re.compile(r"jump|\bhops?\b|\bbound\b")
CORE_WORDS = ("plank", "get-up", "crunch", "sit-up", "pirate ship", "windmill", "flutter kick", "balance")
ALWAYS_UPPER_ISOLATION = ("shrug", "upright", "straight-arm", "pull apart")
LOWER_ISOLATION_WORDS = (
    "leg curl", "hamstring curl", "leg extension", "calf", "adduct", "abduct", "thigh", "glute ham",
    "glute-ham", "hamstring slides", "monster walk", "hip flexion", "leg lift", "leg raise", "kickback",
)
LUNGE_WORDS = ("split squat", "lunge", "step up", "step-up", "step ups", "bulgarian")
HINGE_WORDS = (
    "deadlift", "good morning", "romanian", "stiff leg", "stiff-leg", "hip thrust", "bridge", "butt lift",
    "swing", "pull through", "hyperextension", "back extension", "rack pull", "hip lift", "hip extension",
    "keg load", "atlas stone", "sandbag load", "tire flip", "power stairs",
)
SQUAT_WORDS = ("squat", "leg press", "thruster")
VERTICAL_PULL_WORDS = ("pull-up", "pullup", "pull up", "pulldown", "muscle up", "rope climb", "london bridges")
CHIN_UP = re.compile(r"\bchin(-?ups?|s)\b|grip chin|chin/")
HORIZONTAL_PUSH_WORDS = (
    "bench press", "push-up", "pushup", "push up", "floor press", "chest press", "board press", "pin press",
    "jm press", "svend press", "chain press", "guillotine", "neck press", "smith press", "decline press",
    "incline dumbbell press", "chest push",
)
VERTICAL_PUSH_WORDS = (
    "shoulder press", "military press", "overhead press", "push press", "arnold", "handstand", "log lift",
    "circus bell", "jammer", "bradford", "cuban press", "see-saw press", "seesaw press", "para press",
    "kettlebell press", "bent press", "anti-gravity press", "dumbbell press", "behind neck",
)
UPPER_ISOLATION_WORDS = (
    "curl", "raise", "fly", "flye", "extension", "pushdown", "skull", "crossover", "butterfly", "pullover",
    "rotation", "rear delt", "wrist", "pinch", "plate", "iron cross", "around the worlds", "car drivers",
    "finger", "crucifix", "squeeze", "kickback",
)


def derive_pattern(ex: dict[str, Any]) -> str:
    name = ex["name"].lower()
    category, force, mechanic = ex["category"], ex.get("force"), ex.get("mechanic")
    primary = set(ex.get("primaryMuscles") or ())
    lower = bool(primary & LOWER_BODY)

    # 1. The category (or an unmistakable name) decides.
    if category == "stretching" or name.endswith("-smr"):
        return "mobility"
    if category == "cardio" or _has(name, CONDITIONING_WORDS):
        return "conditioning"
    if _has(name, CARRY_WORDS):
        return "carry"
    if category == "olympic weightlifting" or _has(name, OLYMPIC_WORDS):
        if _has(name, ("deadlift", "stiff leg")):
            return "hinge"  # clean/snatch deadlifts, RDL from deficit: pulls without the catch
        if "squat" in name and not _has(name, ("jerk", "jump")):
            return "squat"  # overhead, Olympic, Frankenstein squats
        return "olympic"
    if category == "plyometrics" or JUMP.search(name):
        return "upper_isolation" if force == "static" else "plyometric"
    # 2. Trunk work.
    if "abdominals" in primary or _has(name, CORE_WORDS):
        return "core"
    # 3. Name keywords, most specific first.
    if _has(name, ALWAYS_UPPER_ISOLATION) or "neck" in primary:
        return "upper_isolation"
    if _has(name, LOWER_ISOLATION_WORDS) and lower:
        return "lower_isolation"
    if _has(name, LUNGE_WORDS):
        return "lunge"
    if _has(name, HINGE_WORDS):
        return "hinge"
    if _has(name, SQUAT_WORDS):
        return "squat"
    if _has(name, VERTICAL_PULL_WORDS) or CHIN_UP.search(name):
        return "vertical_pull"
    if _word(name, r"\brows?\b") or "face pull" in name:
        return "horizontal_pull"
    if "handstand" in name:
        return "vertical_push"
    if _has(name, HORIZONTAL_PUSH_WORDS) or _word(name, r"\bdips?\b"):
        return "horizontal_push"
    if _has(name, VERTICAL_PUSH_WORDS):
        return "vertical_push"
    if _has(name, UPPER_ISOLATION_WORDS) and not lower:
        return "upper_isolation"
    # 4. Force, mechanic and muscles.
    if lower:
        if mechanic == "isolation":
            return "lower_isolation"
        return "hinge" if force == "pull" else "squat"
    if "lower back" in primary:
        return "hinge"
    if mechanic == "isolation":
        return "upper_isolation"
    if force == "push" and primary & {"chest", "triceps"}:
        return "horizontal_push"
    if force == "push" and "shoulders" in primary:
        return "vertical_push"
    if "lats" in primary:
        return "vertical_pull"
    if primary & {"middle back", "traps"}:
        return "horizontal_pull"
    return "upper_isolation"


# ---------------------------------------------------------------- equipment kinds

SOURCE_KINDS = {
    "barbell": "barbell",
    "dumbbell": "dumbbell",
    "kettlebells": "kettlebell",
    "cable": "cable",
    "bands": "bands",
    "medicine ball": "medicine ball",
    "exercise ball": "exercise ball",
    "foam roll": "foam roller",
    "e-z curl bar": "ez bar",
}
FREE_WEIGHTS = frozenset({"barbell", "dumbbell", "ez bar", "kettlebell"})
# name fragment -> kinds it adds, whatever the source value
NAME_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("landmine", ("landmine", "barbell")),
    ("jammer", ("landmine", "barbell")),
    ("trap bar", ("trap bar",)),
    ("axle", ("axle bar",)),
    ("chains", ("chains",)),
    ("sledgehammer", ("sledgehammer", "tire")),
    ("prowler", ("sled",)),
    ("backward drag", ("sled",)),
    ("forward drag", ("sled",)),
    ("farmer", ("dumbbell",)),  # farmer's handles are rare; dumbbells do the job
    ("chain", ("chains",)),
    ("atlas stone", ("atlas stone",)),
    ("keg", ("keg",)),
    ("log lift", ("log",)),
    ("yoke", ("yoke",)),
    ("tire flip", ("tire",)),
    ("sandbag", ("sandbag",)),
    ("circus bell", ("strongman implement",)),
    ("conan", ("strongman implement",)),
    ("rickshaw", ("strongman implement",)),
    ("car deadlift", ("strongman implement",)),
    ("power stairs", ("strongman implement",)),
    ("battling ropes", ("battle ropes",)),
    ("rope climb", ("climbing rope",)),
    ("london bridges", ("climbing rope",)),
    ("rope jumping", ("jump rope",)),
    ("suspended", ("suspension trainer",)),
    ("with straps", ("suspension trainer",)),
    ("ring dip", ("rings",)),
    ("ab roller", ("ab wheel",)),
    ("cone", ("cones",)),
    ("hurdle", ("cones",)),
    ("heavy bag", ("heavy bag",)),
    ("hyperextensions (back", ("roman chair",)),
    ("head harness", ("neck harness",)),
    ("wrist roller", ("wrist roller",)),
    ("balance board", ("balance board",)),
    ("hamstring slides", ("sliders",)),
    ("skating", ("skates",)),
    ("bicycling", ("bike",)),
    ("bosu", ("bosu",)),
    ("exercise ball", ("exercise ball",)),
    ("plate", ("plate",)),
    ("svend press", ("plate",)),
    ("otis", ("plate",)),
    ("weighted bench dip", ("plate",)),
    ("bodyweight mid row", ("low bar",)),
    ("parallel bar", ("dip bars",)),
    ("box", ("box",)),
    ("step up", ("box",)),
    ("step-up", ("box",)),
    ("step ups", ("box",)),
    ("depth jump", ("box",)),
    ("drop push", ("box",)),
    ("donkey calf", ("box",)),
)
MACHINE_KINDS = (
    ("smith", "smith machine"),
    ("leg press", "leg press"),
    ("treadmill", "treadmill"),
    ("bicycling", "bike"),
    ("bike", "bike"),
    ("elliptical", "elliptical"),
    ("rowing", "rower"),
    ("stairmaster", "stair climber"),
    ("step mill", "stair climber"),
    ("glute ham", "glute-ham developer"),
)
BENCH_FOR_FREE_WEIGHTS = (
    "incline", "decline", "lying", "seated", "preacher", "prone", "flye", "flyes", "pullover", "skull",
    "tate press", "jm press", "concentration", "spider", "incline bench pull",
)
# body-weight exercises done with hands or feet up on a bench
ELEVATED_BODY_WEIGHT = ("incline push", "decline push", "decline crunch", "decline reverse", "decline oblique", "feet elevated")
PULL_UP_BAR = re.compile(
    r"pull[- ]?ups?|\bchin(-?ups?|s)\b|grip chin|chin/|muscle up|hanging (leg|pike)|scapular pull|one handed hang"
)
BARBELL_SQUAT_WITHOUT_RACK = ("jump", "zercher", "hack", "plate movers", "kneeling jump")


def derive_equipment(ex: dict[str, Any]) -> list[str]:
    name = ex["name"].lower()
    source = ex.get("equipment")
    stretching = ex["category"] == "stretching"
    kinds: set[str] = set()

    if source == "machine":
        kinds.add(next((kind for word, kind in MACHINE_KINDS if word in name), "machine"))
    elif source in SOURCE_KINDS:
        kinds.add(SOURCE_KINDS[source])
    if "ez" in re.findall(r"\b[a-z]+\b", name.replace("e-z", "ez").replace("ez-", "ez ")):
        kinds.discard("barbell")
        kinds.add("ez bar")
    if "smith" in name:
        kinds.discard("barbell")
        kinds.add("smith machine")
    for word, kind in (("dumbbell", "dumbbell"), ("kettlebell", "kettlebell"), ("cable", "cable")):
        if word in name and source not in ("machine",):
            kinds.add(kind)
    if "barbell" in name and not kinds & {"ez bar", "smith machine"}:
        kinds.add("barbell")

    for word, extra in NAME_KINDS:
        if word in name and not (stretching and word not in ("plate",)):
            kinds.update(extra)
    if re.search(r"\bsled\b", name):
        kinds.add("sled")
    if name == "inverted row":
        kinds.add("low bar")  # a bar at hip height: rack, Smith machine or an outdoor low bar
    if name.endswith("-smr"):
        kinds.add("foam roller")
    if "band" in re.findall(r"\bbands?\b", name) or re.search(r"\bbands?\b", name):
        if "it band" not in name:
            kinds.add("bands")

    if not stretching and PULL_UP_BAR.search(name) and source not in ("cable", "machine"):
        if "hang clean" not in name and "hang snatch" not in name:
            kinds.add("pull-up bar")
    if re.search(r"\bdips?\b", name) and not _has(name, ("jerk dip", "dip machine", "bench dip", "ring dip")):
        kinds.add("dip bars")
    if "bench" in name and "no hyperextension bench" not in name and source != "machine":
        kinds.add("bench")
    if kinds & FREE_WEIGHTS and _has(name, BENCH_FOR_FREE_WEIGHTS):
        kinds.add("bench")
    if not stretching and source not in ("machine", "cable") and _has(name, ELEVATED_BODY_WEIGHT):
        kinds.add("bench")
    if "barbell" in kinds and "squat" in name and not _has(name, BARBELL_SQUAT_WITHOUT_RACK):
        kinds.add("rack")  # back/front/box squats start from a rack
    if _has(name, ("rack pull", "pin press", "off pins")):
        kinds.add("rack")
    if "weighted squat" in name:
        kinds.add("machine")  # belt squat
    return sorted(kinds)


# ---------------------------------------------------------------- build


def build_exercises(source: list[dict[str, Any]]) -> list[dict[str, Any]]:
    exercises = []
    for ex in source:
        exercises.append(
            {
                "id": ex["id"],
                "name": ex["name"],
                "force": ex.get("force"),
                "level": ex["level"],
                "mechanic": ex.get("mechanic"),
                "category": ex["category"],
                "primary_muscles": list(ex.get("primaryMuscles") or ()),
                "secondary_muscles": list(ex.get("secondaryMuscles") or ()),
                "pattern": derive_pattern(ex),
                "equipment": derive_equipment(ex),
                "source_equipment": ex.get("equipment"),
            }
        )
    return exercises


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="Free Exercise DB exercises.json")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default: the package's data/)")
    args = parser.parse_args(argv)

    source = json.loads(args.source.read_text(encoding="utf-8"))
    exercises = build_exercises(source)
    exercises_path = args.out / "exercises.json"
    _write_json(exercises_path, {"source": SOURCE_NOTE, "count": len(exercises), "exercises": exercises})
    patterns = Counter(ex["pattern"] for ex in exercises)
    print(f"wrote {exercises_path}: {len(exercises)} exercises from {args.source}")
    print("  patterns: " + ", ".join(f"{p} {n}" for p, n in sorted(patterns.items())))
    kinds = Counter(kind for ex in exercises for kind in ex["equipment"])
    bodyweight = sum(1 for ex in exercises if not ex["equipment"])
    print(f"  equipment kinds: {len(kinds)} (body weight only: {bodyweight})")

    items = catalog_items()
    equipment_path = args.out / "equipment.json"
    catalog = {"note": "trainforge equipment catalog (project data)", "count": len(items), "items": items}
    _write_json(equipment_path, catalog)
    locations = Counter(str(item["location"]) for item in items)
    per_location = ", ".join(f"{k} {v}" for k, v in sorted(locations.items()))
    print(f"wrote {equipment_path}: {len(items)} items ({per_location})")
    missing = sorted(set(kinds) - {kind for item in items for kind in item["provides"]})  # type: ignore[union-attr]
    if missing:
        print(f"  warning: kinds no catalog item provides: {missing}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
