"""The Starlette application: /graphql (HTTP, WebSocket, GraphiQL), /healthz, /metrics."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from trainforge.config import Settings
from trainforge.db import create_engine, read_only, session_factory, statement_counter
from trainforge.resolvers.context import Context
from trainforge.resolvers.loaders import Loaders
from trainforge.schema import build_schema
from trainforge.services import auth
from trainforge.services.errors import Unauthenticated
from trainforge.services.generation.registry import Generators

log = logging.getLogger(__name__)


class _StreamAnyOperation:
    """A schema whose `subscribe` runs any operation, for the legacy protocol handler below."""

    def __init__(self, schema: Any) -> None:
        self._schema = schema

    def __getattr__(self, name: str) -> Any:
        return getattr(self._schema, name)

    async def subscribe(self, **kwargs: Any) -> Any:
        return await self._schema.stream(**kwargs)


class LegacyGraphQLWSHandler(BaseGraphQLWSHandler):
    """The legacy `graphql-ws` protocol (subscriptions-transport-ws). Its old
    clients send queries and mutations over the socket too, which strawberry's
    handler refuses; answer them with one `data` then `complete`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = _StreamAnyOperation(self.schema)


class GraphQLApp(GraphQL):
    """Strawberry's ASGI view with our context, bearer auth and a fast JSON encoder."""

    graphql_ws_handler_class = LegacyGraphQLWSHandler

    def __init__(self, settings: Settings, engine: AsyncEngine, **kwargs: Any) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            **kwargs,
        )
        self.settings = settings
        self.engine = engine
        self.sessions = session_factory(engine)
        self.reader = read_only(engine)
        self.generators = Generators(settings)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        websocket = isinstance(request, WebSocket)
        ctx = Context(
            settings=self.settings,
            engine=self.engine,
            sessions=self.sessions,
            reader=self.reader,
            # A WebSocket context lives as long as the connection: batch, but never cache.
            loaders=Loaders(self.reader, cache=not websocket),
            generators=self.generators,
            request=request,
            response=response,
        )
        if not websocket:
            try:
                token = auth.bearer_token(request.headers.get("authorization"))
                if token is not None:
                    ctx.viewer = auth.verify_token(self.settings, token)
            except Unauthenticated as exc:
                ctx.auth_error = exc
        return ctx

    async def on_ws_connect(self, context: Context) -> None:
        """Authenticate from the `connection_init` payload: {"authorization": "Bearer <token>"}.

        No token means an anonymous connection; a bad one is refused (close 4403).
        """
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("authorization") or params.get("Authorization")
        if header is None and isinstance(params.get("token"), str):
            header = f"Bearer {params['token']}"
        try:
            token = auth.bearer_token(header if isinstance(header, str) else None)
            if token is not None:
                context.viewer = auth.verify_token(self.settings, token)
        except Unauthenticated as exc:
            raise ConnectionRejectionError({"reason": exc.message}) from exc

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


@dataclass
class Metrics:
    http_requests: int = 0
    websocket_connections: int = 0


class CountRequests:
    """Pure ASGI middleware counting HTTP requests and WebSocket connections for /metrics."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.metrics.http_requests += 1
        elif scope["type"] == "websocket":
            self.metrics.websocket_connections += 1
        await self.app(scope, receive, send)


def create_app(settings: Settings, database_url: str) -> Starlette:
    """The ASGI app over an already running, migrated database."""
    engine = create_engine(database_url, settings)
    counts = Metrics()
    graphql = GraphQLApp(settings, engine)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Start-up objects (schema, modules) live forever: keep the collector off them.
        gc.collect()
        gc.freeze()
        yield
        await graphql.generators.aclose()
        await engine.dispose()

    async def healthz(request: Request) -> JSONResponse:
        try:
            async with asyncio.timeout(2):
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            return JSONResponse({"status": "ok", "database": "reachable"})
        except Exception as exc:  # any failure means "not reachable"; say why in the log only
            log.warning("health check failed: %s", exc)
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)

    async def metrics(request: Request) -> PlainTextResponse:
        pool = engine.pool
        lines = [
            "# TYPE trainforge_http_requests_total counter",
            f"trainforge_http_requests_total {counts.http_requests}",
            "# TYPE trainforge_websocket_connections_total counter",
            f"trainforge_websocket_connections_total {counts.websocket_connections}",
            "# TYPE trainforge_sql_statements_total counter",
            f"trainforge_sql_statements_total {statement_counter(engine).total}",
            "# TYPE trainforge_db_pool_checked_out gauge",
            f"trainforge_db_pool_checked_out {pool.checkedout()}",  # type: ignore[attr-defined]
        ]
        return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/metrics", metrics),
        ],
        middleware=[Middleware(CountRequests, metrics=counts)],
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.graphql = graphql
    return app


def app_from_environment() -> Starlette:
    """Uvicorn factory: `trainforge serve` resolves the database, then hands its URL over in DATABASE_URL."""
    settings = Settings()  # fresh, not the cached one: DATABASE_URL is set just before this runs
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set: start the server with `trainforge serve`")
    return create_app(settings, settings.database_url)
