"""Shared fixtures: a real PostgreSQL, the app, an HTTP client and ways to make users.

`TEST_DATABASE_URL` (else `DATABASE_URL`) names a server on which the suite
creates a scratch database and drops it at the end; without either, the suite
starts the embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from trainforge.app import create_app
from trainforge.config import Settings
from trainforge.db import asyncpg_url, libpq_url, migrate, statement_counter
from trainforge.embedded import EmbeddedPostgres
from trainforge.models import Base, Role
from trainforge.services import accounts, auth
from trainforge.services.auth import Viewer

REPO = Path(__file__).resolve().parent.parent


def make_settings(home: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "home": home,
        "secret": "test-secret-not-for-production-0123456789",
        # Cheap argon2 in tests; production uses the RFC 9106 defaults.
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "database_url": None,
    }
    values.update(overrides)
    return Settings(**values)


async def _admin(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(libpq_url(server_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@dataclass
class ScratchServer:
    """A PostgreSQL server on which tests may create and drop databases."""

    url: str

    def database_url(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    async def create(self, prefix: str = "trainforge_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        await _admin(self.url, f'CREATE DATABASE "{name}"')
        return name

    async def drop(self, name: str) -> None:
        await _admin(self.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def scratch_server() -> Iterator[ScratchServer]:
    external = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if external:
        yield ScratchServer(asyncpg_url(external))
        return
    # Not under pytest's basetemp: another pytest session starting meanwhile prunes old
    # basetemps and resets their mode, pulling the data folder from under the server.
    home = Path(tempfile.mkdtemp(prefix="trainforge-test-pg-"))
    embedded = EmbeddedPostgres(home)
    url = embedded.start()
    try:
        yield ScratchServer(make_url(url).set(database="postgres").render_as_string(hide_password=False))
    finally:
        embedded.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
async def database_url(scratch_server: ScratchServer) -> AsyncIterator[str]:
    name = await scratch_server.create()
    try:
        yield scratch_server.database_url(name)
    finally:
        await scratch_server.drop(name)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="session")
async def app(settings: Settings, database_url: str) -> AsyncIterator[Any]:
    application = create_app(settings, database_url)
    await migrate(application.state.engine)
    yield application
    await application.state.engine.dispose()


@pytest.fixture(scope="session")
def engine(app: Any) -> AsyncEngine:
    return app.state.engine


TABLES = ", ".join(t.name for t in Base.metadata.sorted_tables)


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> None:
    """Every database test starts from empty tables."""
    if "engine" not in request.fixturenames and "app" not in request.fixturenames:
        return
    engine: AsyncEngine = request.getfixturevalue("engine")
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {TABLES} CASCADE"))


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


@dataclass
class Person:
    id: uuid.UUID
    email: str
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_user(engine: AsyncEngine, settings: Settings):  # noqa: ANN201
    """`await make_user(Role.ATHLETE)` -> a stored user with a valid token."""
    from trainforge.db import session_factory

    async def make(role: Role = Role.ATHLETE, email: str | None = None, **profile: Any) -> Person:
        email = email or f"{role.value}-{uuid.uuid4().hex[:8]}@example.com"
        async with session_factory(engine).begin() as session:
            row = await accounts.sign_up(
                session,
                settings,
                email=email,
                password="correct horse battery",
                role=role,
                display_name=email.split("@")[0],
                profile=accounts.ProfileFields(**profile) if profile else None,
            )
        return Person(row.id, email, role, auth.issue_token(settings, Viewer(row.id, role)))

    return make


@pytest.fixture
def link(engine: AsyncEngine):  # noqa: ANN201
    """`await link(coach, athlete)`: the athlete grants the coach access."""
    from trainforge.db import session_factory

    async def do(coach: Person, athlete: Person) -> None:
        async with session_factory(engine).begin() as session:
            await accounts.link_coach(session, Viewer(athlete.id, athlete.role), coach.email)

    return do


class GraphQLClient:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, as_: Person | None = None, **kw: Any
    ) -> dict[str, Any]:
        headers = as_.headers if as_ is not None else kw.pop("headers", {})
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


class StatementCount:
    def __init__(self, engine: AsyncEngine) -> None:
        self.counter = statement_counter(engine)
        self.start = self.counter.total

    @property
    def value(self) -> int:
        return self.counter.total - self.start


@pytest.fixture
def count_statements(engine: AsyncEngine):  # noqa: ANN201
    """`with count_statements() as n: ...; n.value` -> SQL statements sent meanwhile."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[StatementCount]:
        yield StatementCount(engine)

    return counting


@pytest.fixture
def make_programs(engine: AsyncEngine):  # noqa: ANN201
    """`await make_programs(athlete, n, coach=None, mesocycles=4, days=5)` -> stored program ids (benchmark shape)."""
    from datetime import date, timedelta

    from trainforge.db import session_factory
    from trainforge.services.demo import build_program
    from trainforge.services.program_tree import store_programs

    async def make(
        athlete: Person, n: int = 1, coach: Person | None = None, mesocycles: int = 4, days: int = 5
    ) -> list[uuid.UUID]:
        plans = [
            build_program(
                athlete.id,
                coach.id if coach else None,
                date(2026, 1, 5) + timedelta(weeks=16 * i),
                mesocycles=mesocycles,
                days_per_week=days,
                seed=i,
            )
            for i in range(n)
        ]
        async with session_factory(engine).begin() as session:
            return await store_programs(session, plans)

    return make


@pytest.fixture
async def make_client(app: Any, database_url: str, tmp_path: Path):  # noqa: ANN201
    """`await make_client(**settings)` -> an HTTP client over a fresh app on the (migrated) test database."""
    built: list[tuple[Any, httpx.AsyncClient]] = []

    async def make(url: str | None = None, **overrides: Any) -> httpx.AsyncClient:
        other = create_app(make_settings(tmp_path, **overrides), url or database_url)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://test")
        built.append((other, client))
        return client

    yield make
    for other, client in built:
        await client.aclose()
        await other.state.engine.dispose()
