"""Day templates of the rule-based generator: which sessions a week holds, and which
movement-pattern slots each session fills, most important first.

Splits follow common practice for the weekly frequency (NSCA Essentials, 4th ed.,
ch. 17: full body for 1-3 days, upper/lower for 4, push/pull/legs for 5-6), so that
each muscle group is trained about twice a week (Schoenfeld, Ogborn & Krieger 2016,
Sports Med 46:1689). Exercise order inside a session: power first, then the main
multi-joint lifts, then assistance and isolation work.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from trainforge.models.programs import MesocyclePhase, ProgramGoal
from trainforge.services.exercises import MovementPattern as M


class Role(str, enum.Enum):
    POWER = "power"  # explosive, low reps, full rest, done fresh
    MAIN = "main"  # multi-joint lift loaded by % 1RM
    ACCESSORY = "accessory"  # loaded by RPE
    FINISHER = "finisher"  # short conditioning intervals
    MOBILITY = "mobility"  # held or flowing, by time


class SessionKind(str, enum.Enum):
    STRENGTH = "strength"
    CONDITIONING = "conditioning"  # general fitness: intervals, core, carries
    EASY = "easy"  # endurance, Z1-Z2
    LONG = "long"  # endurance, the week's longest Z2 session
    TEMPO = "tempo"  # endurance, Z3 blocks
    INTERVALS = "intervals"  # endurance, Z4-Z5 repeats
    RECOVERY = "recovery"


@dataclass(frozen=True)
class Slot:
    pattern: M
    role: Role = Role.ACCESSORY
    muscles: tuple[str, ...] = ()  # preferred primary muscles (isolation slots)


@dataclass(frozen=True)
class DayTemplate:
    name: str
    kind: SessionKind
    slots: tuple[Slot, ...] = ()


def _main(pattern: M) -> Slot:
    return Slot(pattern, Role.MAIN)


def _iso(pattern: M, *muscles: str) -> Slot:
    return Slot(pattern, Role.ACCESSORY, muscles)


S = SessionKind
FULL_A = DayTemplate("Full Body A", S.STRENGTH, (
    _main(M.SQUAT), _main(M.HORIZONTAL_PUSH), Slot(M.HORIZONTAL_PULL), Slot(M.HINGE), Slot(M.VERTICAL_PULL),
    Slot(M.CORE), _iso(M.UPPER_ISOLATION, "biceps", "triceps"), _iso(M.LOWER_ISOLATION, "calves", "hamstrings")))
FULL_B = DayTemplate("Full Body B", S.STRENGTH, (
    _main(M.HINGE), _main(M.VERTICAL_PUSH), Slot(M.VERTICAL_PULL), Slot(M.LUNGE), Slot(M.HORIZONTAL_PUSH),
    Slot(M.CORE), _iso(M.UPPER_ISOLATION, "shoulders"), Slot(M.CARRY)))
FULL_C = DayTemplate("Full Body C", S.STRENGTH, (
    _main(M.SQUAT), _main(M.HORIZONTAL_PUSH), Slot(M.HORIZONTAL_PULL), Slot(M.LUNGE), Slot(M.VERTICAL_PUSH),
    Slot(M.CORE), _iso(M.LOWER_ISOLATION, "hamstrings", "glutes"), _iso(M.UPPER_ISOLATION, "biceps")))
UPPER_A = DayTemplate("Upper A", S.STRENGTH, (
    _main(M.HORIZONTAL_PUSH), _main(M.HORIZONTAL_PULL), Slot(M.VERTICAL_PUSH), Slot(M.VERTICAL_PULL),
    _iso(M.UPPER_ISOLATION, "triceps"), _iso(M.UPPER_ISOLATION, "biceps"), Slot(M.CORE)))
LOWER_A = DayTemplate("Lower A", S.STRENGTH, (
    _main(M.SQUAT), _main(M.HINGE), Slot(M.LUNGE), _iso(M.LOWER_ISOLATION, "hamstrings"),
    _iso(M.LOWER_ISOLATION, "calves"), Slot(M.CORE)))
UPPER_B = DayTemplate("Upper B", S.STRENGTH, (
    _main(M.VERTICAL_PUSH), _main(M.VERTICAL_PULL), Slot(M.HORIZONTAL_PUSH), Slot(M.HORIZONTAL_PULL),
    _iso(M.UPPER_ISOLATION, "shoulders"), _iso(M.UPPER_ISOLATION, "biceps", "triceps"), Slot(M.CORE)))
LOWER_B = DayTemplate("Lower B", S.STRENGTH, (
    _main(M.HINGE), _main(M.SQUAT), Slot(M.LUNGE), _iso(M.LOWER_ISOLATION, "quadriceps", "glutes"),
    Slot(M.CARRY), Slot(M.CORE)))
PUSH = DayTemplate("Push", S.STRENGTH, (
    _main(M.HORIZONTAL_PUSH), _main(M.VERTICAL_PUSH), _iso(M.UPPER_ISOLATION, "chest"),
    _iso(M.UPPER_ISOLATION, "shoulders"), _iso(M.UPPER_ISOLATION, "triceps"), Slot(M.CORE)))
PULL = DayTemplate("Pull", S.STRENGTH, (
    _main(M.VERTICAL_PULL), _main(M.HORIZONTAL_PULL), Slot(M.HINGE), _iso(M.UPPER_ISOLATION, "biceps"),
    _iso(M.UPPER_ISOLATION, "shoulders", "traps"), Slot(M.CARRY), Slot(M.CORE)))
LEGS = DayTemplate("Legs", S.STRENGTH, (
    _main(M.SQUAT), _main(M.HINGE), Slot(M.LUNGE), _iso(M.LOWER_ISOLATION, "quadriceps"),
    _iso(M.LOWER_ISOLATION, "hamstrings"), _iso(M.LOWER_ISOLATION, "calves"), Slot(M.CORE)))
PUSH_B = DayTemplate("Push B", S.STRENGTH, (
    _main(M.VERTICAL_PUSH), _main(M.HORIZONTAL_PUSH), _iso(M.UPPER_ISOLATION, "shoulders"),
    _iso(M.UPPER_ISOLATION, "triceps"), _iso(M.UPPER_ISOLATION, "chest"), Slot(M.CORE)))
PULL_B = DayTemplate("Pull B", S.STRENGTH, (
    _main(M.HORIZONTAL_PULL), _main(M.VERTICAL_PULL), Slot(M.HINGE), _iso(M.UPPER_ISOLATION, "biceps"),
    _iso(M.UPPER_ISOLATION, "traps", "shoulders"), Slot(M.CORE)))
LEGS_B = DayTemplate("Legs B", S.STRENGTH, (
    _main(M.HINGE), _main(M.SQUAT), Slot(M.LUNGE), _iso(M.LOWER_ISOLATION, "hamstrings", "glutes"),
    _iso(M.LOWER_ISOLATION, "quadriceps"), Slot(M.CARRY), Slot(M.CORE)))

CONDITIONING_DAY = DayTemplate("Conditioning", S.CONDITIONING, (
    Slot(M.CONDITIONING, Role.FINISHER), Slot(M.PLYOMETRIC, Role.POWER), Slot(M.CARRY), Slot(M.CORE),
    Slot(M.LUNGE), Slot(M.MOBILITY, Role.MOBILITY)))
RECOVERY_DAY = DayTemplate("Recovery", S.RECOVERY, (
    Slot(M.CONDITIONING, Role.MOBILITY), Slot(M.MOBILITY, Role.MOBILITY), Slot(M.MOBILITY, Role.MOBILITY),
    Slot(M.MOBILITY, Role.MOBILITY)))

# Endurance: heavy strength plus plyometrics improves economy (Ronnestad & Mujika 2014).
ENDURANCE_STRENGTH = DayTemplate("Strength", S.STRENGTH, (
    Slot(M.PLYOMETRIC, Role.POWER), _main(M.SQUAT), _main(M.HINGE), Slot(M.LUNGE), Slot(M.HORIZONTAL_PULL),
    Slot(M.CORE), _iso(M.LOWER_ISOLATION, "calves")))
EASY = DayTemplate("Easy", S.EASY, (Slot(M.CONDITIONING),))
LONG = DayTemplate("Long", S.LONG, (Slot(M.CONDITIONING),))
TEMPO = DayTemplate("Tempo", S.TEMPO, (Slot(M.CONDITIONING),))
INTERVALS = DayTemplate("Intervals", S.INTERVALS, (Slot(M.CONDITIONING),))

_STRENGTH_WEEKS: dict[int, tuple[DayTemplate, ...]] = {
    1: (FULL_A,),
    2: (FULL_A, FULL_B),
    3: (FULL_A, FULL_B, FULL_C),
    4: (UPPER_A, LOWER_A, UPPER_B, LOWER_B),
    5: (PUSH, PULL, LEGS, UPPER_B, LOWER_B),
    6: (PUSH, PULL, LEGS, PUSH_B, PULL_B, LEGS_B),
    7: (PUSH, PULL, LEGS, PUSH_B, PULL_B, LEGS_B, RECOVERY_DAY),
}
# Hard sessions apart, the long one last (usually the weekend); ~80 % of the time easy
# (Seiler 2010, Int J Sports Physiol Perform 5:276).
_ENDURANCE_WEEKS: dict[int, tuple[DayTemplate, ...]] = {
    1: (LONG,),
    2: (INTERVALS, LONG),
    3: (INTERVALS, ENDURANCE_STRENGTH, LONG),
    4: (INTERVALS, ENDURANCE_STRENGTH, TEMPO, LONG),
    5: (EASY, INTERVALS, ENDURANCE_STRENGTH, TEMPO, LONG),
    6: (EASY, INTERVALS, ENDURANCE_STRENGTH, EASY, TEMPO, LONG),
    7: (EASY, INTERVALS, ENDURANCE_STRENGTH, EASY, TEMPO, LONG, RECOVERY_DAY),
}
_POWER_FIRST = Slot(M.PLYOMETRIC, Role.POWER)
_FINISHER = Slot(M.CONDITIONING, Role.FINISHER)


def week_templates(goal: ProgramGoal, days: int) -> tuple[DayTemplate, ...]:
    """The sessions of a training week, in weekday order."""
    if goal is ProgramGoal.ENDURANCE:
        return _ENDURANCE_WEEKS[days]
    week = _STRENGTH_WEEKS[days]
    if goal is ProgramGoal.COMPETITION:  # athletes: jumps and throws first, fresh
        return tuple(_with(t, first=_POWER_FIRST) if t.kind is S.STRENGTH else t for t in week)
    if goal is ProgramGoal.GENERAL_FITNESS:
        week = tuple(_with(t, last=_FINISHER) if t.kind is S.STRENGTH else t for t in week)
        if days >= 4:  # one session a week for conditioning instead of a fourth lifting day
            week = week[:2] + (CONDITIONING_DAY,) + week[3:]
    return week


def _with(template: DayTemplate, first: Slot | None = None, last: Slot | None = None) -> DayTemplate:
    slots = ((first,) if first else ()) + template.slots
    if last:  # keep the finisher inside the session's time budget: it replaces the last slot
        slots = slots[:-1] + (last,)
    return DayTemplate(template.name, template.kind, slots)


# Main lifts: the most specific, best-studied variation available wins (specificity).
MAIN_LIFTS: dict[M, tuple[str, ...]] = {
    M.SQUAT: ("Barbell Full Squat", "Barbell Squat", "Front Barbell Squat", "Smith Machine Squat", "Leg Press",
              "Hack Squat", "Goblet Squat", "Front Squats With Two Kettlebells", "Dumbbell Squat", "Squats - With Bands",
              "Bodyweight Squat"),
    M.HINGE: ("Barbell Deadlift", "Romanian Deadlift", "Trap Bar Deadlift", "Sumo Deadlift", "Stiff-Legged Barbell Deadlift",
              "Barbell Hip Thrust", "Smith Machine Stiff-Legged Deadlift", "Stiff-Legged Dumbbell Deadlift",
              "Kettlebell One-Legged Deadlift", "One-Arm Kettlebell Swings", "Cable Deadlifts", "Pull Through",
              "Band Good Morning", "Hyperextensions (Back Extensions)", "Single Leg Glute Bridge", "Butt Lift (Bridge)"),
    M.HORIZONTAL_PUSH: ("Barbell Bench Press - Medium Grip", "Barbell Incline Bench Press - Medium Grip",
                        "Dumbbell Bench Press",
                        "Incline Dumbbell Press", "Smith Machine Bench Press", "Leverage Chest Press", "Machine Bench Press",
                        "Cable Chest Press", "Dumbbell Floor Press", "Floor Press", "Dips - Chest Version",
                        "Push-Ups With Feet Elevated", "Pushups", "Incline Push-Up"),
    M.VERTICAL_PUSH: ("Standing Military Press", "Barbell Shoulder Press", "Seated Barbell Military Press",
                      "Dumbbell Shoulder Press", "Seated Dumbbell Press", "Standing Dumbbell Press",
                      "Smith Machine Overhead Shoulder Press", "Machine Shoulder (Military) Press",
                      "Leverage Shoulder Press",
                      "Two-Arm Kettlebell Military Press", "Alternating Kettlebell Press", "Cable Shoulder Press",
                      "Shoulder Press - With Bands", "Handstand Push-Ups"),
    M.HORIZONTAL_PULL: ("Bent Over Barbell Row", "T-Bar Row with Handle", "Seated Cable Rows", "One-Arm Dumbbell Row",
                        "Bent Over Two-Dumbbell Row", "Leverage Iso Row", "Smith Machine Bent Over Row",
                        "One-Arm Kettlebell Row", "Inverted Row", "Inverted Row with Straps", "Suspended Row"),
    M.VERTICAL_PULL: ("Pullups", "Weighted Pull Ups", "Chin-Up", "Wide-Grip Lat Pulldown", "Close-Grip Front Lat Pulldown",
                      "V-Bar Pulldown", "Band Assisted Pull-Up"),
    M.LUNGE: ("Split Squat with Dumbbells", "Dumbbell Lunges", "Barbell Lunge", "Dumbbell Step Ups", "Dumbbell Rear Lunge",
              "Barbell Walking Lunge", "Bodyweight Walking Lunge"),
    M.PLYOMETRIC: ("Front Box Jump", "Box Jump (Multiple Response)", "Standing Long Jump", "Medicine Ball Chest Pass",
                   "Overhead Slam", "Knee Tuck Jump", "Split Jump", "Star Jump"),
    M.CARRY: ("Farmer's Walk",),
}

# Well-known assistance exercises, preferred over odd variations when available.
STAPLES = frozenset({
    "Farmer's Walk", "Plank", "Side Bridge", "Dead Bug", "Hanging Leg Raise", "Ab Roller", "Cable Crunch", "Pallof Press",
    "Face Pull", "Band Pull Apart", "Side Lateral Raise", "Reverse Flyes", "Triceps Pushdown", "EZ-Bar Skullcrusher",
    "Dips - Triceps Version", "Dumbbell Bicep Curl", "Hammer Curls", "EZ-Bar Curl", "Barbell Curl", "Lying Leg Curls",
    "Seated Leg Curl", "Leg Extensions", "Standing Calf Raises", "Standing Dumbbell Calf Raise", "Barbell Hip Thrust",
    "Romanian Deadlift", "Stiff-Legged Dumbbell Deadlift", "Hyperextensions (Back Extensions)", "Single Leg Glute Bridge",
    "Dumbbell Lunges", "Split Squat with Dumbbells", "Dumbbell Step Ups", "Bodyweight Walking Lunge", "Goblet Squat",
    "Leg Press", "Seated Cable Rows", "One-Arm Dumbbell Row", "Inverted Row", "Dumbbell Bench Press",
    "Incline Dumbbell Press", "Pushups", "Pullups", "Chin-Up", "Wide-Grip Lat Pulldown", "Seated Dumbbell Press",
    "Dumbbell Shoulder Press", "Cable Crossover", "Dumbbell Flyes", "Front Box Jump", "Standing Long Jump",
})
# At most this many assistance exercises a session: peaking blocks keep fatigue low,
# and block periodization concentrates later blocks on the main lifts (Issurin 2010).
ACCESSORY_CAP = {MesocyclePhase.PEAK: 3, MesocyclePhase.TAPER: 3}
BLOCK_ACCESSORY_CAP = {MesocyclePhase.INTENSIFICATION: 4, MesocyclePhase.REALIZATION: 3, MesocyclePhase.PEAK: 2,
                       MesocyclePhase.TAPER: 2}

# Aerobic modalities for endurance sessions, in order of preference: running is
# assumed to be the event; the low-impact ones serve easy days and recovery.
RUNNING = ("Trail Running/Walking", "Running, Treadmill", "Jogging, Treadmill")
LOW_IMPACT = ("Bicycling, Stationary", "Bicycling", "Recumbent Bike", "Elliptical Trainer", "Rowing, Stationary",
              "Stairmaster", "Step Mill", "Walking, Treadmill")
# Short hard intervals for finishers and conditioning days.
INTERVAL_MODALITIES = ("Rowing, Stationary", "Bicycling, Stationary", "Prowler Sprint", "Sled Push", "Battling Ropes",
                       "Rope Jumping", "Stairmaster", "Running, Treadmill", "Trail Running/Walking")

# Body-weight patterns used when nothing in a session's template fits.
FALLBACK = DayTemplate("Body weight", S.STRENGTH, (
    _main(M.SQUAT), _main(M.HORIZONTAL_PUSH), Slot(M.LUNGE), Slot(M.HINGE), Slot(M.CORE), Slot(M.PLYOMETRIC)))
