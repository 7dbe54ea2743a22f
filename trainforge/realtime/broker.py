"""The broker interface and the local fan-out every broker shares.

A broker holds one upstream connection per process (none for memory). Each
message arrives once per process and is handed to the local subscribers of its
channel, each through a bounded queue: a slow subscriber loses its oldest
messages, it never stalls the others or the broker.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections import defaultdict
from typing import Any

import orjson

log = logging.getLogger(__name__)

QUEUE_SIZE = 256  # messages a subscriber may fall behind before the oldest go


class Subscription:
    """A local subscriber's queue of one channel; iterate it, close it when done."""

    def __init__(self, broker: Broker, channel: str, size: int = QUEUE_SIZE) -> None:
        self.broker = broker
        self.channel = channel
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=size)
        self.dropped = 0

    def deliver(self, message: dict[str, Any]) -> None:
        if self.queue.full():
            self.queue.get_nowait()  # drop the oldest: the newest carries the newest version
            self.dropped += 1
        self.queue.put_nowait(message)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return await self.queue.get()

    async def close(self) -> None:
        await self.broker._leave(self)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class Broker(ABC):
    def __init__(self) -> None:
        self._local: dict[str, set[Subscription]] = defaultdict(set)

    async def subscribe(self, channel: str) -> Subscription:
        """A queue of the channel's messages from now on (the upstream connection is made on first use)."""
        await self._ensure_started()
        subscription = Subscription(self, channel)
        self._local[channel].add(subscription)
        return subscription

    async def _leave(self, subscription: Subscription) -> None:
        subscribers = self._local.get(subscription.channel)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._local[subscription.channel]

    def _fan_out(self, raw: bytes | str) -> None:
        """A message from upstream: to every local subscriber of its channel."""
        try:
            envelope = orjson.loads(raw)
            channel, message = envelope["channel"], envelope["message"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("dropped a malformed broker message")
            return
        for subscription in list(self._local.get(channel, ())):
            subscription.deliver(message)

    @staticmethod
    def _envelope(channel: str, message: dict[str, Any]) -> bytes:
        return orjson.dumps({"channel": channel, "message": message})

    @abstractmethod
    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Send a small message (ids and versions) to every process's subscribers of the channel."""

    async def _ensure_started(self) -> None:  # noqa: B027 (memory needs nothing)
        pass

    async def close(self) -> None:  # noqa: B027
        pass
