"""The context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from trainforge.config import Settings
from trainforge.realtime import Broker
from trainforge.resolvers.loaders import Loaders
from trainforge.services.auth import Viewer
from trainforge.services.errors import Unauthenticated
from trainforge.services.generation.registry import Generators


class PublicError(GraphQLError):
    """A GraphQL error meant for the client: never masked in production."""

    def __init__(self, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


def unauthenticated(message: str = "authentication required") -> PublicError:
    return PublicError(message, "UNAUTHENTICATED")


@dataclass
class Context:
    settings: Settings
    engine: AsyncEngine
    # Writes: `async with sessions.begin()`, one transaction per mutation.
    sessions: async_sessionmaker
    # Reads: `async with reader.connect()`, autocommit, one statement each.
    reader: AsyncEngine
    loaders: Loaders
    # Program generators of this process (rule-based, LLM).
    generators: Generators
    # Live events of this process (realtime/): published after writes commit.
    broker: Broker
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    viewer: Viewer | None = None
    # Why credentials were refused, reported when a resolver needs the viewer.
    auth_error: Unauthenticated | None = None
    # The graphql-transport-ws `connection_init` payload (WebSocket only).
    connection_params: dict[str, Any] | None = field(default=None)

    def require_viewer(self) -> Viewer:
        if self.auth_error is not None:
            raise unauthenticated(self.auth_error.message)
        if self.viewer is None:
            raise unauthenticated()
        return self.viewer
