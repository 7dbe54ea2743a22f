"""Users (athletes and coaches), athlete profiles and coach-athlete links."""

from __future__ import annotations

import enum
import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from trainforge.models.base import Base, Timestamps, UUIDPrimaryKey, text_enum


class Role(str, enum.Enum):
    ATHLETE = "athlete"
    COACH = "coach"


class Sex(str, enum.Enum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class Units(str, enum.Enum):
    METRIC = "metric"
    IMPERIAL = "imperial"


class User(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "users"
    # Emails are normalised (trimmed, lower-cased) by the service before they get here.
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[Role] = mapped_column(text_enum(Role, "user_role"), nullable=False)
    display_name: Mapped[str] = mapped_column(String(120), nullable=False)


class AthleteProfile(Timestamps, Base):
    __tablename__ = "athlete_profiles"
    __table_args__ = (
        CheckConstraint("max_hr IS NULL OR max_hr BETWEEN 100 AND 250", name="max_hr_range"),
        CheckConstraint("resting_hr IS NULL OR resting_hr BETWEEN 25 AND 120", name="resting_hr_range"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[Sex | None] = mapped_column(text_enum(Sex, "sex"))
    # Measured maximum heart rate; when absent the estimate 220 - age is used.
    max_hr: Mapped[int | None] = mapped_column(SmallInteger)
    resting_hr: Mapped[int | None] = mapped_column(SmallInteger)
    units: Mapped[Units] = mapped_column(
        text_enum(Units, "units"), nullable=False, default=Units.METRIC, server_default=Units.METRIC.value
    )


class CoachAthlete(Timestamps, Base):
    """A link granting a coach read and planning access to an athlete's data."""

    __tablename__ = "coach_athletes"

    coach_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # The primary key covers coach_id lookups; athlete_id needs its own index.
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
