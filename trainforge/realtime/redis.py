"""Redis pub/sub: the scale path, when REDIS_URL is set.

One pattern subscription per process (`trainforge:*`) read by one task; each
message is fanned out to the local subscribers of its channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import redis.asyncio as redis

from trainforge.realtime.broker import Broker

log = logging.getLogger(__name__)

PREFIX = "trainforge:"


class RedisBroker(Broker):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.client = redis.from_url(url)
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def _ensure_started(self) -> None:
        if self._reader is not None and not self._reader.done():
            return
        async with self._lock:
            if self._reader is None or self._reader.done():
                self._pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                await self._pubsub.psubscribe(PREFIX + "*")
                self._reader = asyncio.create_task(self._read(), name="trainforge-redis-broker")

    async def _read(self) -> None:
        async for message in self._pubsub.listen():
            if message.get("type") == "pmessage":
                self._fan_out(message["data"])

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self.client.publish(PREFIX + channel, self._envelope(channel, message))

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._pubsub is not None:
            await self._pubsub.aclose()
        await self.client.aclose()
