"""PostgreSQL LISTEN/NOTIFY: several processes on one database, no extra server.

One connection per process listens on one PostgreSQL channel for every
trainforge channel (the envelope names it); another sends. NOTIFY payloads
stay small (ids and versions: subscribers re-read the data) and are sent after
the write has committed, never inside the write's transaction, which would
take NOTIFY's commit-time lock on the hot path.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg

from trainforge.db import libpq_url
from trainforge.realtime.broker import Broker

log = logging.getLogger(__name__)

CHANNEL = "trainforge_events"
MAX_PAYLOAD = 7900  # PostgreSQL refuses NOTIFY payloads of 8,000 bytes and more


class PostgresBroker(Broker):
    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.dsn = libpq_url(database_url)
        self._listener: asyncpg.Connection | None = None
        self._sender: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def _ensure_started(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        async with self._lock:
            if self._listener is None or self._listener.is_closed():
                self._listener = await asyncpg.connect(self.dsn)
                await self._listener.add_listener(CHANNEL, self._on_notify)

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self._fan_out(payload)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        payload = self._envelope(channel, message).decode()
        if len(payload.encode()) > MAX_PAYLOAD:
            raise ValueError(f"a broker message is at most {MAX_PAYLOAD} bytes here: send ids, not data")
        async with self._lock:
            if self._sender is None or self._sender.is_closed():
                self._sender = await asyncpg.connect(self.dsn)
            await self._sender.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

    async def close(self) -> None:
        for connection in (self._listener, self._sender):
            if connection is not None and not connection.is_closed():
                await connection.close()
        self._listener = self._sender = None
