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

__all__ = [
    "AthleteProfile",
    "Base",
    "CoachAthlete",
    "FitnessProgram",
    "Macrocycle",
    "Mesocycle",
    "MesocyclePhase",
    "Microcycle",
    "ProgramGoal",
    "Role",
    "Sex",
    "Units",
    "User",
    "WorkoutInstance",
    "WorkoutStatus",
    "WorkoutType",
]
