"""Sign-up, login, profiles and coach-athlete links."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Row, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.config import Settings
from trainforge.db import Executor
from trainforge.models.accounts import AthleteProfile, CoachAthlete, Role, Sex, Units, User
from trainforge.services import auth
from trainforge.services.auth import Viewer
from trainforge.services.errors import Conflict, Forbidden, InvalidInput, NotFound, raise_problems
from trainforge.services.pagination import Page, PageRequest, paginate, to_page

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256

USER_COLUMNS = (User.id, User.email, User.role, User.display_name, User.created_at, User.updated_at)


@dataclass(frozen=True, slots=True)
class ProfileFields:
    """Profile values to set; `None` leaves a field as it is (use `clear` to empty one)."""

    birth_date: date | None = None
    sex: Sex | None = None
    max_hr: int | None = None
    resting_hr: int | None = None
    units: Units | None = None
    clear: frozenset[str] = frozenset()


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    if len(value) > 254 or not EMAIL_PATTERN.match(value):
        raise InvalidInput("not a valid email address", field="email")
    return value


def _check_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters", field="password"
        )


def _check_display_name(name: str) -> str:
    value = name.strip()
    if not 1 <= len(value) <= 120:
        raise InvalidInput("display name must have 1 to 120 characters", field="displayName")
    return value


def _check_profile(fields: ProfileFields, today: date) -> list[InvalidInput]:
    problems = []
    if fields.birth_date is not None and not 5 <= age_on(fields.birth_date, today) <= 120:
        problems.append(InvalidInput("birth date must make the athlete 5 to 120 years old", field="birthDate"))
    if fields.max_hr is not None and not 100 <= fields.max_hr <= 250:
        problems.append(InvalidInput("max HR must be between 100 and 250 bpm", field="maxHr"))
    if fields.resting_hr is not None and not 25 <= fields.resting_hr <= 120:
        problems.append(InvalidInput("resting HR must be between 25 and 120 bpm", field="restingHr"))
    if fields.max_hr is not None and fields.resting_hr is not None and fields.resting_hr >= fields.max_hr:
        problems.append(InvalidInput("resting HR must be below max HR", field="restingHr"))
    return problems


async def sign_up(
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    role: Role,
    display_name: str,
    profile: ProfileFields | None = None,
    today: date | None = None,
) -> Row:
    problems: list[InvalidInput] = []
    for check in (lambda: normalize_email(email), lambda: _check_password(password), lambda: _check_display_name(display_name)):
        try:
            check()
        except InvalidInput as exc:
            problems.append(exc)
    if profile is not None:
        if role is not Role.ATHLETE:
            problems.append(InvalidInput("only athletes have a profile", field="profile"))
        problems.extend(_check_profile(profile, today or date.today()))
    raise_problems(problems)

    user = (
        await session.execute(
            insert(User)
            .values(
                id=uuid.uuid4(),
                email=normalize_email(email),
                password_hash=await auth.hash_password(settings, password),
                role=role,
                display_name=_check_display_name(display_name),
            )
            .on_conflict_do_nothing(index_elements=[User.email])
            .returning(*USER_COLUMNS)
        )
    ).first()
    if user is None:
        raise Conflict("an account with this email already exists", field="email")
    if role is Role.ATHLETE:
        p = profile or ProfileFields()
        await session.execute(
            insert(AthleteProfile).values(
                user_id=user.id,
                birth_date=p.birth_date,
                sex=p.sex,
                max_hr=p.max_hr,
                resting_hr=p.resting_hr,
                units=p.units or Units.METRIC,
            )
        )
    return user


async def user_by_email(db: Executor, email: str) -> Row | None:
    """The user with this email (any case), with its password hash; None for none or a malformed email."""
    try:
        normalized = normalize_email(email)
    except InvalidInput:
        return None
    return (await db.execute(select(*USER_COLUMNS, User.password_hash).where(User.email == normalized))).first()


async def log_in(db: Executor, settings: Settings, *, email: str, password: str) -> Row:
    """The user with these credentials; one message for every failure, so accounts cannot be probed."""
    failure = Forbidden("invalid email or password")
    user = await user_by_email(db, email)
    if user is None:
        await auth.dummy_verify(settings, password)
        raise failure
    if not await auth.verify_password(settings, user.password_hash, password):
        raise failure
    return user


async def update_profile(
    session: AsyncSession, viewer: Viewer, fields: ProfileFields, today: date | None = None
) -> AthleteProfile:
    if viewer.role is not Role.ATHLETE:
        raise Forbidden("only athletes have a profile")
    profile = await session.get(AthleteProfile, viewer.id, with_for_update=True)
    if profile is None:
        raise NotFound("profile not found")
    merged = ProfileFields(
        birth_date=fields.birth_date or (None if "birth_date" in fields.clear else profile.birth_date),
        max_hr=fields.max_hr or (None if "max_hr" in fields.clear else profile.max_hr),
        resting_hr=fields.resting_hr or (None if "resting_hr" in fields.clear else profile.resting_hr),
    )
    raise_problems(_check_profile(merged, today or date.today()))
    profile.birth_date = merged.birth_date
    profile.max_hr = merged.max_hr
    profile.resting_hr = merged.resting_hr
    if fields.sex is not None or "sex" in fields.clear:
        profile.sex = fields.sex
    if fields.units is not None:
        profile.units = fields.units
    await session.flush()
    await session.refresh(profile)
    return profile


async def link_coach(session: AsyncSession, viewer: Viewer, coach_email: str) -> Row:
    """The athlete (viewer) grants a coach access to their data."""
    if viewer.role is not Role.ATHLETE:
        raise Forbidden("only athletes can add a coach")
    try:
        email = normalize_email(coach_email)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="coachEmail") from None
    coach = (await session.execute(select(*USER_COLUMNS).where(User.email == email))).first()
    if coach is None or coach.role is not Role.COACH:
        raise NotFound("no coach with this email", field="coachEmail")
    inserted = await session.scalar(
        insert(CoachAthlete)
        .values(coach_id=coach.id, athlete_id=viewer.id)
        .on_conflict_do_nothing()
        .returning(CoachAthlete.coach_id)
    )
    if inserted is None:
        raise Conflict("this coach is already linked", field="coachEmail")
    return coach


async def unlink_coach(session: AsyncSession, viewer: Viewer, coach_id: uuid.UUID) -> None:
    removed = await session.scalar(
        delete(CoachAthlete)
        .where(CoachAthlete.coach_id == coach_id, CoachAthlete.athlete_id == viewer.id)
        .returning(CoachAthlete.coach_id)
    )
    if removed is None:
        raise NotFound("no such linked coach", field="coachId")


async def users_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(*USER_COLUMNS).where(User.id.in_(ids)))).all())


async def profiles_by_user_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    table = AthleteProfile.__table__
    return list((await db.execute(select(table).where(table.c.user_id.in_(ids)))).all())


async def linked_users(
    db: Executor, viewer: Viewer, request: PageRequest
) -> Page[Row]:
    """A coach's athletes, or an athlete's coaches: the people on the other side of the viewer's links."""
    if viewer.is_coach:
        mine, theirs = CoachAthlete.coach_id, CoachAthlete.athlete_id
    else:
        mine, theirs = CoachAthlete.athlete_id, CoachAthlete.coach_id
    stmt = select(*USER_COLUMNS, CoachAthlete.created_at.label("linked_at")).join(
        CoachAthlete, theirs == User.id
    ).where(mine == viewer.id)
    rows = (await db.execute(paginate(stmt, CoachAthlete.created_at, User.id, request))).all()
    return to_page(rows, request)


def effective_max_hr(max_hr: int | None, birth_date: date | None, today: date | None = None) -> int | None:
    """Measured max HR, else the common estimate 220 - age (Fox & Haskell, 1971)."""
    if max_hr is not None:
        return max_hr
    if birth_date is None:
        return None
    return 220 - age_on(birth_date, today or date.today())


def age_on(birth_date: date, today: date) -> int:
    """Whole years completed (a 29 February birthday counts from 1 March in common years)."""
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


async def count_linked_users(db: Executor, viewer: Viewer) -> int:
    mine = CoachAthlete.coach_id if viewer.is_coach else CoachAthlete.athlete_id
    return int(await db.scalar(select(func.count()).select_from(CoachAthlete).where(mine == viewer.id)) or 0)
