"""Publish/subscribe for live events: one broker per process, fanned out to local subscribers.

`make_broker` picks by settings: Redis pub/sub when `REDIS_URL` is set (the
scale path), else PostgreSQL LISTEN/NOTIFY (several processes on one database,
no extra server), or in-memory (one process only) when asked for.
"""

from __future__ import annotations

from trainforge.config import Settings
from trainforge.realtime.broker import Broker, Subscription
from trainforge.realtime.memory import MemoryBroker


def make_broker(settings: Settings, database_url: str) -> Broker:
    kind = settings.broker
    if kind == "auto":
        kind = "redis" if settings.redis_url else "postgres"
    if kind == "redis":
        from trainforge.realtime.redis import RedisBroker

        if not settings.redis_url:
            raise ValueError("TRAINFORGE_BROKER=redis needs REDIS_URL")
        return RedisBroker(settings.redis_url)
    if kind == "postgres":
        from trainforge.realtime.postgres import PostgresBroker

        return PostgresBroker(database_url)
    return MemoryBroker()


__all__ = ["Broker", "MemoryBroker", "Subscription", "make_broker"]
