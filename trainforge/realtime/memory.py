"""The in-memory broker: one process only."""

from __future__ import annotations

from typing import Any

from trainforge.realtime.broker import Broker


class MemoryBroker(Broker):
    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self._fan_out(self._envelope(channel, message))
