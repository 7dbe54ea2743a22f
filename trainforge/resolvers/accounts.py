"""Resolvers for the viewer, people and account mutations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Row

from trainforge.models.accounts import AthleteProfile, Role
from trainforge.resolvers.common import Outcome, in_transaction, page_arguments
from trainforge.resolvers.context import Context
from trainforge.services import accounts, auth
from trainforge.services.auth import Viewer
from trainforge.services.pagination import Page, to_page


@dataclass
class Authenticated:
    token: str
    user: Row


async def viewer(ctx: Context) -> Row | None:
    """The signed-in user, None when no credentials were sent (bad ones are an error)."""
    if ctx.auth_error is None and ctx.viewer is None:
        return None
    return await ctx.loaders.user.load(ctx.require_viewer().id)


async def linked_users(ctx: Context, side: Role, first: int | None, after: str | None) -> Page[Row]:
    """The viewer's athletes (side=ATHLETE, for a coach) or coaches (side=COACH, for an athlete)."""
    me = ctx.require_viewer()
    request = page_arguments(ctx, first, after)
    if me.role is side:
        return to_page([], request)
    async with ctx.reader.connect() as conn:
        return await accounts.linked_users(conn, me, request)


async def linked_user_count(ctx: Context, side: Role) -> int:
    me = ctx.require_viewer()
    if me.role is side:
        return 0
    async with ctx.reader.connect() as conn:
        return await accounts.count_linked_users(conn, me)


async def sign_up(
    ctx: Context, *, email: str, password: str, role: Role, display_name: str, profile: accounts.ProfileFields | None
) -> Outcome[Authenticated]:
    async def work(session) -> Authenticated:  # noqa: ANN001
        user = await accounts.sign_up(
            session, ctx.settings, email=email, password=password, role=role, display_name=display_name, profile=profile
        )
        return Authenticated(auth.issue_token(ctx.settings, Viewer(user.id, user.role)), user)

    return await in_transaction(ctx, work)


async def log_in(ctx: Context, *, email: str, password: str) -> Outcome[Authenticated]:
    async def work(session) -> Authenticated:  # noqa: ANN001
        user = await accounts.log_in(session, ctx.settings, email=email, password=password)
        return Authenticated(auth.issue_token(ctx.settings, Viewer(user.id, user.role)), user)

    return await in_transaction(ctx, work)


async def update_profile(ctx: Context, fields: accounts.ProfileFields) -> Outcome[AthleteProfile]:
    me = ctx.require_viewer()

    return await in_transaction(ctx, lambda session: accounts.update_profile(session, me, fields))


async def link_coach(ctx: Context, coach_email: str) -> Outcome[Row]:
    me = ctx.require_viewer()
    return await in_transaction(ctx, lambda session: accounts.link_coach(session, me, coach_email))


async def unlink_coach(ctx: Context, coach_id: uuid.UUID) -> Outcome[uuid.UUID]:
    me = ctx.require_viewer()

    async def work(session) -> uuid.UUID:  # noqa: ANN001
        await accounts.unlink_coach(session, me, coach_id)
        return coach_id

    return await in_transaction(ctx, work)
