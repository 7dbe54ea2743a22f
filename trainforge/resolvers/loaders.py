"""Per-request batch loaders: one SQL statement per tree level, whatever the number of parents."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from trainforge.services import accounts, assignments, endurance, heart_rate, live, programs, routines, training

Fetch = Callable[[AsyncConnection, Sequence[uuid.UUID]], Awaitable[list[Row]]]


class _BatchLoader(DataLoader):
    """Runs `fetch` for a batch of keys on a pooled read connection of its own.

    Loaders of one level dispatch concurrently, so each batch takes its own
    connection rather than sharing one.
    """

    def __init__(self, reader: AsyncEngine, fetch: Fetch, key: str, *, cache: bool) -> None:
        super().__init__(cache=cache)
        self.reader = reader
        self.fetch = fetch
        self.key = key

    async def rows(self, keys: Sequence[uuid.UUID]) -> list[Row]:
        async with self.reader.connect() as conn:
            return await self.fetch(conn, list(set(keys)))


class OneLoader(_BatchLoader):
    """key -> the row whose `key` column equals it (or None)."""

    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[Row | None]:
        by_key = {getattr(row, self.key): row for row in await self.rows(keys)}
        return [by_key.get(k) for k in keys]


class ManyLoader(_BatchLoader):
    """parent key -> its child rows, in the order the fetch returns them."""

    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[list[Row]]:
        groups: dict[Any, list[Row]] = defaultdict(list)
        for row in await self.rows(keys):
            groups[getattr(row, self.key)].append(row)
        return [groups.get(k, []) for k in keys]


def _one(fetch: Fetch, key: str) -> cached_property[OneLoader]:
    def make(self: Loaders) -> OneLoader:
        return OneLoader(self.reader, fetch, key, cache=self.cache)

    return cached_property(make)


def _many(fetch: Fetch, key: str) -> cached_property[ManyLoader]:
    def make(self: Loaders) -> ManyLoader:
        return ManyLoader(self.reader, fetch, key, cache=self.cache)

    return cached_property(make)


class Loaders:
    """The loader set of one request (HTTP) or one operation's worth of work (WebSocket).

    Each loader is built on first use and then kept for the request: most
    requests need one or two of them, or none. `cache=False` is for contexts
    that outlive a request (a WebSocket connection): batching still happens,
    but nothing stale is served later.
    """

    def __init__(self, reader: AsyncEngine, *, cache: bool = True) -> None:
        self.reader = reader
        self.cache = cache

    user = _one(accounts.users_by_ids, "id")
    profile = _one(accounts.profiles_by_user_ids, "user_id")
    # Program-tree rows by id: parent links (workout.microcycle, ...) and `node`.
    program = _one(programs.programs_by_ids, "id")
    macrocycle = _one(programs.macrocycles_by_ids, "id")
    mesocycle = _one(programs.mesocycles_by_ids, "id")
    microcycle = _one(programs.microcycles_by_ids, "id")
    workout = _one(programs.workouts_by_ids, "id")
    # Children of a parent, in order.
    macrocycles = _many(programs.macrocycles_of, "program_id")
    mesocycles = _many(programs.mesocycles_of, "macrocycle_id")
    microcycles = _many(programs.microcycles_of, "mesocycle_id")
    workouts = _many(programs.workouts_of, "microcycle_id")
    # Training sessions, routines and assignments.
    session = _one(training.sessions_by_ids, "id")
    session_of_workout = _one(training.sessions_of_workouts, "program_workout_id")
    routine = _one(routines.routines_by_ids, "id")
    routine_version = _one(routines.versions_by_ids, "id")
    routine_versions = _many(routines.versions_of, "routine_id")
    assignment = _one(assignments.assignments_by_ids, "id")
    endurance_template = _one(endurance.templates_by_ids, "id")
    # Heart rate: one batch (an event names it), a session's batches.
    heart_rate_batch = _one(heart_rate.batches_by_ids, "id")
    heart_rate_batches = _many(heart_rate.batches_of, "session_id")
    # Live sessions: by session id.
    attempts = _many(live.attempts_of, "session_id")
    progress = _one(live.progress_of, "session_id")
    sets = _many(live.sets_of, "session_id")
    # One set or attempt by id (what an event or a write names).
    logged_set = _one(live.sets_by_ids, "id")
    attempt = _one(live.attempts_by_ids, "id")
