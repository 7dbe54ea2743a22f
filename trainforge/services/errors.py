"""Errors a service raises for the caller to show; anything else is an internal error."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors that are safe to show to the client."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ServiceError):
    """Input failed validation; `field` names it (camelCase path as the client sent it)."""


class InvalidInputs(InvalidInput):
    """Several fields failed at once; `problems` lists each."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        super().__init__("; ".join(p.message for p in problems), field=problems[0].field)
        self.problems = problems


def raise_problems(problems: list[InvalidInput]) -> None:
    """Raise the one problem, or all of them together; nothing when there are none."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidInputs(problems)


class NotFound(ServiceError):
    """No such object, or one the viewer may not see (the two are indistinguishable)."""


class Forbidden(ServiceError):
    """The viewer is known but may not do this."""


class Conflict(ServiceError):
    """The write clashes with existing data (duplicate, stale version)."""


class Unauthenticated(ServiceError):
    """No valid credentials were presented."""
