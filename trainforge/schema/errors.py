"""Typed errors carried by mutation payloads."""

from __future__ import annotations

from typing import Annotated

import strawberry

from trainforge.services import errors
from trainforge.services.generation.types import GenerationFailed
from trainforge.services.progress import ProgressConflict
from trainforge.services.training import TransitionRefused


@strawberry.interface(description="Why a mutation did not happen; nothing was written.")
class MutationError:
    message: str
    field: str | None = strawberry.field(description="The input field at fault (camelCase), when one is.")


@strawberry.type(description="An input value is invalid.")
class ValidationError(MutationError):
    pass


@strawberry.type(description="No such object, or one the viewer may not see.")
class NotFoundError(MutationError):
    pass


@strawberry.type(description="The viewer may not do this.")
class ForbiddenError(MutationError):
    pass


@strawberry.type(description="The write clashes with existing data (a duplicate, a stale version); nothing was written.")
class ConflictError(MutationError):
    # Lazy: schema.live imports this module.
    progress: Annotated["SessionProgress", strawberry.lazy("trainforge.schema.live")] | None = strawberry.field(
        default=None,
        description="For a write to a session's progress based on an older version: the progress as it is now "
        "(merge, then write again on its version).",
    )


@strawberry.type(description="The program generator could not produce a valid program; nothing was stored.")
class GenerationFailedError(MutationError):
    pass


@strawberry.type(description="The session's status does not allow this change (see SessionStatus); nothing was written.")
class StatusTransitionError(MutationError):
    # Lazy: training_content imports the program types, which import this module.
    current_status: Annotated["SessionStatus", strawberry.lazy("trainforge.schema.training_content")] = strawberry.field(
        description="The status the session has."
    )


_BY_KIND: dict[type[errors.ServiceError], type[MutationError]] = {
    GenerationFailed: GenerationFailedError,
    errors.InvalidInput: ValidationError,
    errors.NotFound: NotFoundError,
    errors.Forbidden: ForbiddenError,
    errors.Unauthenticated: ForbiddenError,
    errors.Conflict: ConflictError,
}

ERROR_TYPES = (
    ValidationError, NotFoundError, ForbiddenError, ConflictError, GenerationFailedError, StatusTransitionError
)


def to_mutation_errors(problems: list[errors.ServiceError]) -> list[MutationError]:
    out = []
    for problem in problems:
        if isinstance(problem, ProgressConflict):
            out.append(ConflictError(message=problem.message, field=problem.field, progress=problem.progress))
            continue
        if isinstance(problem, TransitionRefused):
            out.append(StatusTransitionError(message=problem.message, field=problem.field, current_status=problem.current))
            continue
        kind = next(t for k, t in _BY_KIND.items() if isinstance(problem, k))
        out.append(kind(message=problem.message, field=problem.field))
    return out
