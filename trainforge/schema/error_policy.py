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
from typing import Any

import strawberry
from graphql import GraphQLError, ValueNode, VariableDefinitionNode
from sqlalchemy.exc import SQLAlchemyError
from strawberry.types import ExecutionContext

from trainforge.resolvers.context import PublicError
from trainforge.schema.caches import OperationCache

log = logging.getLogger("trainforge.graphql")

INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
INTERNAL_MESSAGE = "Internal server error."
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


def client_view(error: GraphQLError, production: bool) -> GraphQLError:
    """What the client may see of an error. An internal one gets a stable code and,
    in production, no text; production also drops "Did you mean ...?" hints (with
    introspection off they would still spell out the schema's field and type names)."""
    original = error.original_error
    if original is not None and is_internal(error):
        message = INTERNAL_MESSAGE if production else describe(original)
        return _with_message(error, message, original_error=None, extensions={"code": INTERNAL_SERVER_ERROR})
    if production:
        message = SUGGESTION.sub("", error.message)
        if message != error.message:
            # A copy: validation errors are cached and shared by every request of the same text.
            return _with_message(error, message, original_error=original, extensions=error.extensions)
    return error


def _with_message(
    error: GraphQLError, message: str, *, original_error: Exception | None, extensions: dict[str, Any] | None
) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original_error,
        extensions=extensions,
    )


class Schema(strawberry.Schema):
    """strawberry's schema, logging client errors in one line and internal ones with
    their traceback, then masking them as `client_view` says."""

    def __init__(
        self, *args: Any, production: bool = False, operations: OperationCache | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.production = production
        # The parse and validation caches its extension uses, for tests and benchmarks to look at.
        self.operations = operations

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Logs each error, then puts what the client may see in its place.

        strawberry calls this for every result with errors (execute, subscribe and
        stream alike), with the very list the result carries, before anything else
        sees it. Masking here runs only when there are errors: as an extension
        (MaskErrors) it cost an `on_operation` hook on every request.
        """
        operation = execution_context.operation_name if execution_context is not None else None
        for i, error in enumerate(errors):
            if is_internal(error):
                log.error("internal error in %s at %s", operation or "operation", error.path, exc_info=error.original_error)
            else:
                code = (error.extensions or {}).get("code", "-")
                # %r keeps it one line whatever the client sent.
                log.info("client error in %s (code %s): %r", operation or "operation", code, error.message)
            errors[i] = client_view(error, self.production)
