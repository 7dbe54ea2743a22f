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


class NotFound(ServiceError):
    """No such object, or one the viewer may not see (the two are indistinguishable)."""


class Forbidden(ServiceError):
    """The viewer is known but may not do this."""


class Conflict(ServiceError):
    """The write clashes with existing data (duplicate, stale version)."""


class Unauthenticated(ServiceError):
    """No valid credentials were presented."""
