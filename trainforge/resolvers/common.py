"""Helpers shared by root resolvers: transactions, error mapping, argument parsing."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from trainforge.resolvers.context import Context, PublicError
from trainforge.services.errors import InvalidInput, InvalidInputs, ServiceError
from trainforge.services.pagination import PageRequest, page_request

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What a mutation produced: a value, or the errors that kept it from being written."""

    value: T | None = None
    errors: list[ServiceError] = field(default_factory=list)


async def attempt(work: Awaitable[T]) -> Outcome[T]:
    """Await `work`; a service error becomes the outcome's errors."""
    try:
        return Outcome(value=await work)
    except InvalidInputs as exc:
        return Outcome(errors=list(exc.problems))
    except ServiceError as exc:
        return Outcome(errors=[exc])


async def in_transaction(ctx: Context, work: Callable[[AsyncSession], Awaitable[T]]) -> Outcome[T]:
    """Run `work` in one transaction; a service error rolls everything back and is reported."""

    async def run() -> T:
        async with ctx.sessions.begin() as session:
            return await work(session)

    return await attempt(run())


async def in_autocommit(ctx: Context, work: Callable[[AsyncConnection], Awaitable[T]]) -> Outcome[T]:
    """Run `work` on an autocommit connection: each of its statements commits on its own. For a write that
    is one statement (after plain reads), where BEGIN and COMMIT would only add round trips."""

    async def run() -> T:
        async with ctx.reader.connect() as conn:
            return await work(conn)

    return await attempt(run())


def bad_input(exc: InvalidInput) -> PublicError:
    return PublicError(exc.message, "BAD_USER_INPUT", field=exc.field)


def parse_id(value: str, argument: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise PublicError(f"{argument} is not a valid id", "BAD_USER_INPUT", field=argument) from None


def page_arguments(ctx: Context, first: int | None, after: str | None) -> PageRequest:
    try:
        return page_request(
            first, after, default=ctx.settings.default_page_size, maximum=ctx.settings.max_page_size
        )
    except InvalidInput as exc:
        raise bad_input(exc) from None
