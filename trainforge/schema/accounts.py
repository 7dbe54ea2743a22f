"""Users, athlete profiles, the viewer, and account mutations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry import Info

from trainforge.models import accounts as models
from trainforge.resolvers import accounts as resolve
from trainforge.resolvers import programs as resolve_programs
from trainforge.resolvers.accounts import Authenticated
from trainforge.resolvers.common import Outcome, parse_id
from trainforge.resolvers.context import Context
from trainforge.schema import tables
from trainforge.schema.errors import MutationError, to_mutation_errors
from trainforge.schema.heart_rate import HeartRateZones
from trainforge.schema.node import Node
from trainforge.schema.pagination import Connection, connection
from trainforge.services.accounts import ProfileFields, effective_max_hr
from trainforge.services.heart_rate_zones import of_profile

Role = strawberry.enum(models.Role, description="What a user is: an athlete who trains or a coach who plans.")
Sex = strawberry.enum(models.Sex)
Units = strawberry.enum(models.Units, description="Units the athlete prefers to see.")

LazyProgram = Annotated["Program", strawberry.lazy("trainforge.schema.programs")]


@strawberry.type
class AthleteProfile:
    birth_date: date | None
    sex: Sex | None
    max_hr: int | None = strawberry.field(description="Measured maximum heart rate (bpm).")
    resting_hr: int | None = strawberry.field(description="Resting heart rate (bpm).")
    units: Units
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Measured max HR, else the estimate 220 - age; null without either.")
    def effective_max_hr(self) -> int | None:
        return effective_max_hr(self.max_hr, self.birth_date)

    @strawberry.field(description="Five heart-rate zones in bpm from effectiveMaxHr (Karvonen when restingHr is "
                      "set); null without a max HR or birth date.")
    def heart_rate_zones(self) -> HeartRateZones | None:
        zones, _ = of_profile(self, date.today())
        return HeartRateZones.of(zones) if zones is not None else None


@strawberry.type
class User(Node):
    id: strawberry.ID
    email: str
    display_name: str
    role: Role
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The athlete profile; null for coaches.")
    async def profile(self, info: Info[Context, None]) -> AthleteProfile | None:
        return await info.context.loaders.profile.load(self.id)


def _linked_connection(ctx: Context, side: models.Role, page) -> Connection[User]:  # noqa: ANN001
    return connection(page, lambda: resolve.linked_user_count(ctx, side), lambda row: (row.linked_at, row.id))


@strawberry.type(description="The signed-in user, with what they may see.")
class Viewer(User):
    @strawberry.field(description="Programs the viewer may read: their own, and their athletes' for a coach.")
    async def programs(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        athlete_id: strawberry.ID | None = None,
    ) -> Connection[LazyProgram]:
        ctx = info.context
        athlete = parse_id(athlete_id, "athleteId") if athlete_id is not None else None
        page = await resolve_programs.program_page(ctx, first, after, athlete)
        return connection(page, lambda: resolve_programs.program_count(ctx, athlete))

    @strawberry.field(description="A coach's linked athletes (empty for athletes).")
    async def athletes(self, info: Info[Context, None], first: int | None = None, after: str | None = None) -> Connection[User]:
        page = await resolve.linked_users(info.context, models.Role.ATHLETE, first, after)
        return _linked_connection(info.context, models.Role.ATHLETE, page)

    @strawberry.field(description="An athlete's linked coaches (empty for coaches).")
    async def coaches(self, info: Info[Context, None], first: int | None = None, after: str | None = None) -> Connection[User]:
        page = await resolve.linked_users(info.context, models.Role.COACH, first, after)
        return _linked_connection(info.context, models.Role.COACH, page)


@strawberry.input
class ProfileInput:
    birth_date: date | None = strawberry.UNSET
    sex: Sex | None = strawberry.UNSET
    max_hr: int | None = strawberry.UNSET
    resting_hr: int | None = strawberry.UNSET
    units: Units | None = strawberry.UNSET

    def to_fields(self) -> ProfileFields:
        """Omitted fields stay as they are; explicit nulls clear them."""
        names = ("birth_date", "sex", "max_hr", "resting_hr", "units")
        given = {n: getattr(self, n) for n in names if getattr(self, n) is not strawberry.UNSET}
        return ProfileFields(
            **{n: v for n, v in given.items() if v is not None},
            clear=frozenset(n for n, v in given.items() if v is None),
        )


@strawberry.input
class SignUpInput:
    email: str
    password: str = strawberry.field(description="8 to 256 characters.")
    display_name: str
    role: Role = models.Role.ATHLETE
    profile: ProfileInput | None = None


@strawberry.input
class LogInInput:
    email: str
    password: str


@strawberry.type
class AuthPayload:
    token: str | None = strawberry.field(description="Bearer token for the Authorization header.")
    user: User | None
    errors: list[MutationError]


@strawberry.type
class UpdateProfilePayload:
    profile: AthleteProfile | None
    errors: list[MutationError]


@strawberry.type
class LinkCoachPayload:
    coach: User | None
    errors: list[MutationError]


@strawberry.type
class UnlinkCoachPayload:
    coach_id: strawberry.ID | None
    errors: list[MutationError]


def _auth_payload(outcome: Outcome[Authenticated]) -> AuthPayload:
    done = outcome.value
    return AuthPayload(
        token=done.token if done else None, user=done.user if done else None, errors=to_mutation_errors(outcome.errors)
    )


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The signed-in user; null without credentials.")
    async def viewer(self, info: Info[Context, None]) -> Viewer | None:
        return await resolve.viewer(info.context)


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="Create an account and sign in.")
    async def sign_up(self, info: Info[Context, None], input: SignUpInput) -> AuthPayload:
        profile = input.profile.to_fields() if input.profile is not None else None
        outcome = await resolve.sign_up(
            info.context,
            email=input.email,
            password=input.password,
            role=input.role,
            display_name=input.display_name,
            profile=profile,
        )
        return _auth_payload(outcome)

    @strawberry.mutation(description="Exchange email and password for a bearer token.")
    async def log_in(self, info: Info[Context, None], input: LogInInput) -> AuthPayload:
        return _auth_payload(await resolve.log_in(info.context, email=input.email, password=input.password))

    @strawberry.mutation(description="Change the signed-in athlete's profile.")
    async def update_profile(self, info: Info[Context, None], input: ProfileInput) -> UpdateProfilePayload:
        outcome = await resolve.update_profile(info.context, input.to_fields())
        return UpdateProfilePayload(profile=outcome.value, errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="As an athlete, give a coach access to your training data.")
    async def link_coach(self, info: Info[Context, None], coach_email: str) -> LinkCoachPayload:
        outcome = await resolve.link_coach(info.context, coach_email)
        return LinkCoachPayload(coach=outcome.value, errors=to_mutation_errors(outcome.errors))

    @strawberry.mutation(description="As an athlete, withdraw a coach's access.")
    async def unlink_coach(self, info: Info[Context, None], coach_id: strawberry.ID) -> UnlinkCoachPayload:
        outcome = await resolve.unlink_coach(info.context, parse_id(coach_id, "coachId"))
        return UnlinkCoachPayload(
            coach_id=strawberry.ID(str(outcome.value)) if outcome.value else None,
            errors=to_mutation_errors(outcome.errors),
        )


# The table behind User, for reads compiled into one SQL statement (schema/tables.py).
tables.table("User", models.User.__table__, loader="user")

__all__ = ["AccountsMutation", "AccountsQuery", "User", "Viewer"]
