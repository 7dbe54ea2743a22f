"""Demo data: a coach, two linked athletes and realistic periodized strength programs.

The programs follow a classic block sequence (accumulation -> intensification
-> realization), each mesocycle ending with a deload week, with intensity
rising week over week inside a block. Percentages and set/rep schemes follow
the usual %1RM zones for hypertrophy (65-75 %), strength (75-85 %) and
peaking (85-92.5 %); see Zatsiorsky & Kraemer, *Science and Practice of
Strength Training*, ch. 4.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.config import Settings
from trainforge.models.accounts import CoachAthlete, Role, Sex, Units, User
from trainforge.models.program_content import PrescribedExercise, WeeklyTargets, WorkoutPrescription
from trainforge.models.programs import MesocyclePhase, ProgramGoal, WorkoutType
from trainforge.services import accounts
from trainforge.services.program_tree import (
    MacrocyclePlan,
    MesocyclePlan,
    MicrocyclePlan,
    ProgramPlan,
    WorkoutPlan,
    store_programs,
)

DEMO_DOMAIN = "demo.trainforge.dev"
DEMO_PASSWORD = "trainforge-demo"
COACH_EMAIL = f"coach@{DEMO_DOMAIN}"
ATHLETES = (
    ("ana@" + DEMO_DOMAIN, "Ana Rivera", date(1994, 3, 12), Sex.FEMALE, 188, 52),
    ("ben@" + DEMO_DOMAIN, "Ben Okafor", date(1988, 9, 30), Sex.MALE, None, 58),
)


@dataclass(frozen=True)
class Block:
    name: str
    phase: MesocyclePhase
    sets: int
    reps: int
    start_pct: float  # week-1 intensity of the main lifts, % of 1RM
    rpe: float
    rest_seconds: int


BLOCKS = (
    Block("Accumulation", MesocyclePhase.ACCUMULATION, 4, 8, 67.5, 7.0, 120),
    Block("Intensification", MesocyclePhase.INTENSIFICATION, 5, 5, 75.0, 8.0, 180),
    Block("Realization", MesocyclePhase.REALIZATION, 4, 3, 85.0, 8.5, 240),
    Block("Peaking", MesocyclePhase.PEAK, 3, 2, 88.0, 9.0, 300),
)

# (day name, main lifts, accessories)
DAY_TEMPLATES = (
    ("Lower A", ("Back Squat", "Romanian Deadlift"), ("Bulgarian Split Squat", "Plank")),
    ("Upper A", ("Bench Press", "Barbell Row"), ("Overhead Press", "Pull-up")),
    ("Lower B", ("Deadlift", "Front Squat"), ("Hip Thrust", "Hanging Leg Raise")),
    ("Upper B", ("Incline Bench Press", "Weighted Pull-up"), ("Dumbbell Row", "Dips")),
    ("Full Body", ("Power Clean", "Push Press"), ("Goblet Squat", "Farmer's Carry")),
)
WEEKDAYS_BY_DAYS = {1: (0,), 2: (0, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 4, 5), 6: (0, 1, 2, 3, 4, 5)}
WEEK_STEP_PCT = 2.5  # intensity added each loading week of a block
DELOAD_SET_FACTOR = 0.6  # deload: ~40 % less volume ...
DELOAD_PCT_DROP = 10.0  # ... at 10 points lower intensity


def _week_prescription(block: Block, day: int, week_in_block: int, deload: bool, rng: random.Random) -> WorkoutPrescription:
    _, mains, accessories = DAY_TEMPLATES[day % len(DAY_TEMPLATES)]
    pct = block.start_pct + WEEK_STEP_PCT * week_in_block
    sets = block.sets
    rpe = block.rpe + 0.5 * week_in_block
    if deload:
        pct, sets, rpe = block.start_pct - DELOAD_PCT_DROP, max(2, round(block.sets * DELOAD_SET_FACTOR)), 6.0
    exercises = [
        PrescribedExercise(
            exercise=lift,
            sets=sets,
            reps=block.reps,
            percent_one_rm=round(pct - 5.0 * i, 1),
            rpe=min(rpe, 10.0),
            rest_seconds=block.rest_seconds,
        )
        for i, lift in enumerate(mains)
    ]
    exercises += [
        PrescribedExercise(
            exercise=name,
            sets=max(2, sets - 1),
            reps=rng.choice((8, 10, 12)) if "Plank" not in name and "Carry" not in name else None,
            duration_seconds=45 if "Plank" in name or "Carry" in name else None,
            rpe=7.0 if not deload else 6.0,
            rest_seconds=90,
        )
        for name in accessories
    ]
    return WorkoutPrescription(exercises=exercises, notes="Deload: leave 3-4 reps in reserve." if deload else None)


def build_program(
    athlete_id: uuid.UUID,
    coach_id: uuid.UUID | None,
    start: date,
    *,
    mesocycles: int = 3,
    weeks_per_mesocycle: int = 4,
    days_per_week: int = 3,
    seed: int = 0,
) -> ProgramPlan:
    """A block-periodized strength program; the last week of each block is a deload."""
    rng = random.Random(seed)
    start = start - timedelta(days=start.weekday())  # weeks are calendar weeks from a Monday
    weekdays = WEEKDAYS_BY_DAYS[days_per_week]
    meso_plans = []
    week_number = 0
    for m in range(mesocycles):
        block = BLOCKS[m % len(BLOCKS)]
        micro_plans = []
        for w in range(weeks_per_mesocycle):
            week_start = start + timedelta(weeks=week_number)
            week_number += 1
            deload = w == weeks_per_mesocycle - 1
            workouts = [
                WorkoutPlan(
                    scheduled_date=week_start + timedelta(days=weekday),
                    name=f"{DAY_TEMPLATES[d % len(DAY_TEMPLATES)][0]} - {block.name} W{w + 1}",
                    workout_type=WorkoutType.STRENGTH if block.reps <= 5 else WorkoutType.HYPERTROPHY,
                    prescription=_week_prescription(block, d, w, deload, rng),
                    duration_minutes=50 if deload else 60 + 5 * len(DAY_TEMPLATES[d % len(DAY_TEMPLATES)][1]),
                )
                for d, weekday in enumerate(weekdays)
            ]
            micro_plans.append(
                MicrocyclePlan(
                    week_number=week_number,
                    start_date=week_start,
                    end_date=week_start + timedelta(days=6),
                    workouts=workouts,
                    is_deload=deload,
                    focus="Deload" if deload else f"{block.name} week {w + 1}",
                )
            )
        meso_plans.append(
            MesocyclePlan(
                name=f"{block.name} block",
                phase=block.phase,
                start_date=micro_plans[0].start_date,
                end_date=micro_plans[-1].end_date,
                microcycles=micro_plans,
                weekly_targets=WeeklyTargets(
                    sessions=days_per_week,
                    hard_sets=days_per_week * 4 * block.sets,
                    intensity_low_pct=block.start_pct,
                    intensity_high_pct=block.start_pct + WEEK_STEP_PCT * max(0, weeks_per_mesocycle - 2),  # last loading week
                    rpe=block.rpe,
                    emphasis=block.phase.value,
                ),
            )
        )
    end = meso_plans[-1].end_date
    return ProgramPlan(
        athlete_id=athlete_id,
        created_by_id=coach_id,
        name=f"Strength cycle {start.isoformat()}",
        goal=ProgramGoal.STRENGTH,
        description=f"{mesocycles} blocks of {weeks_per_mesocycle} weeks, {days_per_week} sessions a week.",
        start_date=start,
        end_date=end,
        macrocycles=[
            MacrocyclePlan(name="Strength macrocycle", start_date=start, end_date=end, mesocycles=meso_plans,
                           goal="Raise 1RM on the main lifts")
        ],
    )


@dataclass
class DemoResult:
    coach_id: uuid.UUID
    athlete_ids: list[uuid.UUID]
    program_ids: list[uuid.UUID]


async def reset_demo_users(session: AsyncSession) -> None:
    """Remove earlier demo accounts (their programs go with them, by cascade)."""
    await session.execute(delete(User).where(User.email.like(f"%@{DEMO_DOMAIN}")))


async def create_demo(
    session: AsyncSession,
    settings: Settings,
    *,
    programs: int = 2,
    mesocycles: int = 3,
    weeks_per_mesocycle: int = 4,
    days_per_week: int = 4,
    start: date | None = None,
    batch_size: int = 50,
    on_progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Create the demo accounts and `programs` programs shared between the two athletes.

    Runs in the caller's transaction. Once it commits, the caller should run
    `statistics.analyze_stale` on the tables loaded (cmd_demo does): a bulk load
    into tables never analyzed otherwise leaves the planner guessing for a while."""
    await reset_demo_users(session)
    coach = await accounts.sign_up(
        session, settings, email=COACH_EMAIL, password=DEMO_PASSWORD, role=Role.COACH, display_name="Casey Coach"
    )
    athlete_ids = []
    for email, name, birth, sex, max_hr, resting in ATHLETES:
        athlete = await accounts.sign_up(
            session,
            settings,
            email=email,
            password=DEMO_PASSWORD,
            role=Role.ATHLETE,
            display_name=name,
            profile=accounts.ProfileFields(birth_date=birth, sex=sex, max_hr=max_hr, resting_hr=resting, units=Units.METRIC),
        )
        athlete_ids.append(athlete.id)
    await session.execute(insert(CoachAthlete), [{"coach_id": coach.id, "athlete_id": a} for a in athlete_ids])

    start = start or date.today()
    program_ids: list[uuid.UUID] = []
    for first in range(0, programs, batch_size):
        plans = [
            build_program(
                athlete_ids[i % len(athlete_ids)],
                coach.id,
                # Later programs start later, so a page of programs shows a history.
                start + timedelta(weeks=(i // len(athlete_ids)) * mesocycles * weeks_per_mesocycle),
                mesocycles=mesocycles,
                weeks_per_mesocycle=weeks_per_mesocycle,
                days_per_week=days_per_week,
                seed=i,
            )
            for i in range(first, min(first + batch_size, programs))
        ]
        program_ids += await store_programs(session, plans)
        if on_progress is not None:
            on_progress(len(plans))
    return DemoResult(coach_id=coach.id, athlete_ids=athlete_ids, program_ids=program_ids)
