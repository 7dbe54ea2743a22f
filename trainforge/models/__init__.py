"""SQLAlchemy tables, one module per domain. Importing this package registers them all."""

from trainforge.models.accounts import AthleteProfile, CoachAthlete, Role, Sex, Units, User
from trainforge.models.base import Base
from trainforge.models.programs import (
    FitnessProgram,
    Macrocycle,
    Mesocycle,
    MesocyclePhase,
    Microcycle,
    ProgramGoal,
    WorkoutInstance,
    WorkoutStatus,
    WorkoutType,
)
from trainforge.models.endurance import EnduranceTemplate
from trainforge.models.heart_rate import HeartRateBatch
from trainforge.models.live import AttemptStatus, ClientWrite, LoggedSet, SessionAttempt, SessionCursor, SessionProgress
from trainforge.models.routines import AssignmentStatus, Routine, RoutineAssignment, RoutineType, RoutineVersion
from trainforge.models.training import PlanSource, SessionKind, SessionStatus, TrainingSession
from trainforge.models.wearables import Wearable, WearableStatus, WearableType

__all__ = [
    "AssignmentStatus",
    "AttemptStatus",
    "ClientWrite",
    "EnduranceTemplate",
    "HeartRateBatch",
    "LoggedSet",
    "SessionAttempt",
    "SessionCursor",
    "SessionProgress",
    "AthleteProfile",
    "Base",
    "CoachAthlete",
    "FitnessProgram",
    "Macrocycle",
    "Mesocycle",
    "MesocyclePhase",
    "Microcycle",
    "PlanSource",
    "ProgramGoal",
    "Role",
    "Routine",
    "RoutineAssignment",
    "RoutineType",
    "RoutineVersion",
    "SessionKind",
    "SessionStatus",
    "Sex",
    "TrainingSession",
    "Units",
    "User",
    "Wearable",
    "WearableStatus",
    "WearableType",
    "WorkoutInstance",
    "WorkoutStatus",
    "WorkoutType",
]
