"""The Starlette application: /graphql (HTTP, WebSocket, GraphiQL), /healthz, /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
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
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from trainforge import background, device_api
from trainforge.config import Settings
from trainforge.fanout import FanoutHub, GroupedTransportWSHandler
from trainforge.gc_policy import FreezeSurvivors
from trainforge.db import create_engine, read_only, session_factory, statement_counter
from trainforge.realtime import make_broker
from trainforge.resolvers.context import Context
from trainforge.resolvers.loaders import Loaders
from trainforge.schema import build_schema
from trainforge.services import auth
from trainforge.services.errors import Unauthenticated
from trainforge.services.generation.registry import Generators
from trainforge.transport import (
    CONTENT_TYPES,
    GRAPHQL_RESPONSE_JSON,
    JSON,
    MutationOverGet,
    TextFrameWebSocketAdapter,
    json_bytes,
    never_executed,
    response_media_type,
    response_status,
)

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
    """Strawberry's ASGI view with our context, bearer auth, a fast JSON encoder that
    never fails, text WebSocket frames and application/graphql-response+json."""

    graphql_ws_handler_class = LegacyGraphQLWSHandler
    graphql_transport_ws_handler_class = GroupedTransportWSHandler
    websocket_adapter_class = TextFrameWebSocketAdapter  # type: ignore[assignment]

    def __init__(self, settings: Settings, engine: AsyncEngine, **kwargs: Any) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            # importActivity takes a file. Bearer tokens, not cookies, authenticate: a cross-site form
            # cannot send one, so multipart requests carry no CSRF risk here.
            multipart_uploads_enabled=True,
            **kwargs,
        )
        self.settings = settings
        self.engine = engine
        self.sessions = session_factory(engine)
        self.reader = read_only(engine)
        self.generators = Generators(settings)
        self.broker = make_broker(settings, engine.url.render_as_string(hide_password=False))
        self.fanout = FanoutHub(self.schema)

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
            broker=self.broker,
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
        return json_bytes(data)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        # Negotiated before execution so that create_response, which sees only
        # the sub-response, knows the media type to answer with.
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_media_type(request.headers.get("accept"))
        return sub_response

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        # Strawberry checks the type of `query`, `variables` and `extensions`, not of `operationName`.
        parsed = await super().parse_http_body(request)
        for item in parsed if isinstance(parsed, list) else [parsed]:
            if not isinstance(item.operation_name, (str, type(None))):
                raise HTTPException(
                    400, "The GraphQL operation's `operationName` must be a string or null, if provided."
                )
        return parsed

    async def run(self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)
        except MutationOverGet as exc:
            return PlainTextResponse(exc.reason, status_code=exc.status_code, headers={"Allow": "POST"})

    async def execute_single(  # noqa: PLR0917 (strawberry's signature)
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request=request,
                request_adapter=request_adapter,
                sub_response=sub_response,
                context=context,
                root_value=root_value,
                request_data=request_data,
            )
        except HTTPException as exc:
            refused = exc.__cause__
            if isinstance(refused, InvalidOperationTypeError) and refused.operation_type is OperationType.MUTATION:
                raise MutationOverGet(exc.reason) from refused
            raise

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        # Under application/graphql-response+json a request error has no `data`
        # entry (the spec's marker, which create_response turns into a 400).
        # application/json keeps `"data": null`, as clients of it have always seen.
        if never_executed(result) and response_media_type(request.headers.get("accept")) == GRAPHQL_RESPONSE_JSON:
            response.pop("data", None)
        return response

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media_type = sub_response.media_type or JSON
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or response_status(media_type, response_data),
            media_type=CONTENT_TYPES[media_type],
        )
        response.headers.raw.extend(sub_response.headers.raw)
        response.background = sub_response.background
        return response


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
        survivors = FreezeSurvivors(settings.gc_unfreeze_every)
        survivors.install()
        async with contextlib.AsyncExitStack() as stack:
            if settings.background_worker:
                await stack.enter_async_context(background.worker(engine))
            yield
        await graphql.generators.aclose()
        await graphql.broker.close()
        survivors.remove()
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
            Route("/sessions/{session_id}/heart-rate", device_api.heart_rate_ndjson, methods=["POST"]),
            Route("/sessions/{session_id}/workout.fit", device_api.workout_file, methods=["GET"]),
            Route("/sessions/{session_id}/workout.zwo", device_api.workout_file, methods=["GET"]),
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
