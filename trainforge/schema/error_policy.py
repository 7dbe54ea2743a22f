"""What clients see of errors, and what the log keeps.

Client errors (syntax, validation, bad input, unauthenticated) reach the client
as they are and are logged in one line. Anything else is internal: the client
gets `extensions.code = INTERNAL_SERVER_ERROR` and, in development, the
exception's type and message; never SQL text or its parameters, which
SQLAlchemy puts in its messages. The log keeps the traceback.
"""

from __future__ import annotations

import logging
import re

import strawberry
from graphql import GraphQLError, ValueNode, VariableDefinitionNode
from sqlalchemy.exc import SQLAlchemyError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from trainforge.resolvers.context import PublicError

log = logging.getLogger("trainforge.graphql")

INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def is_internal(error: GraphQLError) -> bool:
    """Syntax/validation errors carry no original error; PublicErrors are meant for the client;
    so is a scalar's refusal of an input value (a bad `Date` literal or variable)."""
    original = error.original_error
    if original is None or isinstance(original, (PublicError, GraphQLError)):
        return False
    return not _refused_input_value(error)


def _refused_input_value(error: GraphQLError) -> bool:
    # graphql-core reports a scalar's parse failure before execution (no path),
    # at the literal or variable definition it refused; an exception elsewhere
    # before execution (an extension's, say) comes with no node.
    return (
        error.path is None
        and isinstance(error.original_error, (ValueError, TypeError))
        and bool(error.nodes)
        and all(isinstance(node, (ValueNode, VariableDefinitionNode)) for node in error.nodes)
    )


def describe(exc: BaseException) -> str:
    """The development message: type and message, except for database errors,
    whose messages carry the statement and its parameters."""
    if isinstance(exc, SQLAlchemyError):
        cause = getattr(exc, "orig", None)
        kind = type(cause).__name__ if cause is not None else type(exc).__name__
        return f"Internal server error ({kind}); details are in the server log."
    message = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


class InternalErrors(MaskErrors):
    """Every internal error gets a stable code; production hides its text and
    drops "Did you mean ...?" hints (with introspection off they would still
    spell out the schema's field and type names)."""

    def __init__(self, production: bool) -> None:
        super().__init__(should_mask_error=is_internal, error_message="Internal server error.")
        self.production = production

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        message = self.error_message if self.production or original is None else describe(original)
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": INTERNAL_SERVER_ERROR},
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        if self.production:
            for error in processed:
                error.message = SUGGESTION.sub("", error.message)
        return processed


class Schema(strawberry.Schema):
    """strawberry's schema, logging client errors in one line and internal ones with their traceback."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        operation = execution_context.operation_name if execution_context is not None else None
        for error in errors:
            if is_internal(error):
                log.error("internal error in %s at %s", operation or "operation", error.path, exc_info=error.original_error)
            else:
                code = (error.extensions or {}).get("code", "-")
                # %r keeps it one line whatever the client sent.
                log.info("client error in %s (code %s): %r", operation or "operation", code, error.message)
