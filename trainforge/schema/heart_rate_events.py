"""`heartRate`: a session's samples as they come in, with zone and 30-second rolling average, to the athlete's
devices and the coach. One event per stored batch, served by the grouped fan-out like `sessionEvents`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import datetime, timezone
from typing import Any

import strawberry
from strawberry import Info

from trainforge import fanout
from trainforge.resolvers import heart_rate as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context
from trainforge.schema.heart_rate import HeartRateZones

HeartRateEventKind = strawberry.enum(resolve.LiveKind, name="HeartRateEventKind")


@strawberry.type(description="One heart-rate sample, with the athlete's zone for it (0 below zone 1; null when "
                 "the athlete's zones are unknown).")
class HeartRateSample:
    at: datetime
    bpm: int
    zone: int | None


@strawberry.type(description="Heart rate of a session: SUBSCRIBED first (the latest stored sample, if any), then "
                 "one SAMPLES event per batch a device sends.")
class HeartRateEvent:
    kind: HeartRateEventKind
    session_id: strawberry.Private[uuid.UUID]
    batch_id: strawberry.Private[uuid.UUID | None]
    until: strawberry.Private[datetime | None]  # SUBSCRIBED: the last stored sample's time
    window: strawberry.Private[list[resolve.LiveWindow]]  # read once per event, shared by its fields

    async def _window(self, info: Info[Context, None]) -> resolve.LiveWindow:
        """Read once per event, shared by its fields."""
        if not self.window:
            self.window.append(await resolve.live_window(info.context, self.session_id, self.batch_id, self.until))
        return self.window[0]

    @staticmethod
    def _sample(at: float, bpm: int, zones: Any) -> HeartRateSample:
        return HeartRateSample(at=datetime.fromtimestamp(at, tz=timezone.utc), bpm=bpm,
                               zone=zones.zone_of(bpm) if zones is not None else None)

    @strawberry.field(description="This batch's samples, in time order (none in SUBSCRIBED).")
    async def samples(self, info: Info[Context, None]) -> list[HeartRateSample]:
        window = await self._window(info)
        return [self._sample(at, bpm, window.zones) for at, bpm in window.samples]

    @strawberry.field(description="The latest sample.")
    async def latest(self, info: Info[Context, None]) -> HeartRateSample | None:
        window = await self._window(info)
        return self._sample(*window.recent[-1], window.zones) if window.recent else None

    @strawberry.field(description="The average bpm of the 30 seconds up to the latest sample.")
    async def rolling_average(self, info: Info[Context, None]) -> float | None:
        recent = (await self._window(info)).recent
        return round(sum(bpm for _, bpm in recent) / len(recent), 1) if recent else None

    @strawberry.field(description="The athlete's zones.")
    async def zones(self, info: Info[Context, None]) -> HeartRateZones | None:
        zones = (await self._window(info)).zones
        return HeartRateZones.of(zones) if zones is not None else None

    @classmethod
    def of(cls, message: dict[str, Any]) -> HeartRateEvent:
        until = message.get("until")
        return cls(
            kind=resolve.LiveKind(message.get("kind", "samples")), session_id=uuid.UUID(message["session"]),
            batch_id=uuid.UUID(message["batch"]) if message.get("batch") else None,
            until=datetime.fromisoformat(until) if until else None, window=[],
        )


@strawberry.type
class HeartRateSubscription:
    @strawberry.subscription(description="Live heart rate of a session the viewer may read (the athlete's devices, "
                             "their coach): each batch's samples with zones, the latest sample and the 30-second "
                             "rolling average; it ends when that access is revoked.")
    async def heart_rate(
        self, info: Info[Context, None], session_id: strawberry.ID
    ) -> AsyncGenerator[HeartRateEvent, None]:
        ctx = info.context
        async for message in resolve.live_events(ctx, parse_id(session_id, "sessionId")):
            yield HeartRateEvent.of(message)  # a WebSocket context's loaders batch but never cache


fanout.FEEDS["heartRate"] = fanout.Feed(channel=resolve.channel, root=HeartRateEvent.of, subscribed=resolve.subscribed)
