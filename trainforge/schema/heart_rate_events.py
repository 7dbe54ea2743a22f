"""`heartRate`: a session's samples as they come in, with zone and 30-second rolling average, to the athlete's
devices and the coach. One event per stored batch, served by the grouped fan-out like `sessionEvents`."""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncGenerator
from datetime import datetime, timedelta, timezone
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry import Info

from trainforge import fanout
from trainforge.resolvers import heart_rate as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context, PublicError
from trainforge.schema.heart_rate import HeartRateZones
from trainforge.services import heart_rate, training

ROLLING = timedelta(seconds=30)


class HeartRateEventKindModel(str, enum.Enum):
    SUBSCRIBED = "subscribed"  # the first event: the latest sample stored when the subscription started
    SAMPLES = "samples"  # a batch came in


HeartRateEventKind = strawberry.enum(HeartRateEventKindModel, name="HeartRateEventKind")


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
    window: strawberry.Private[dict[str, Any]]  # computed once per event, shared by its fields

    async def _state(self, info: Info[Context, None]) -> dict[str, Any]:
        """This event's samples, the 30 s up to its latest one, and the athlete's zones (read once)."""
        if "samples" in self.window:
            return self.window
        ctx = info.context
        rows: list[Any] = []
        if self.batch_id is not None:
            batch = await ctx.loaders.heart_rate_batch.load(self.batch_id)
            rows = [batch] if batch is not None else []
        latest = rows[0].ended_at if rows else self.until
        samples = heart_rate.samples_in(rows)
        recent: list[tuple[float, int]] = []
        if latest is not None:
            async with ctx.reader.connect() as conn:
                around = await heart_rate.batches_between(conn, self.session_id, latest - ROLLING, latest)
            cutoff = (latest - ROLLING).timestamp()
            recent = [s for s in heart_rate.samples_in(around) if cutoff <= s[0] <= latest.timestamp()]
        session = await ctx.loaders.session.load(self.session_id)
        profile = await ctx.loaders.profile.load(session.athlete_id) if session is not None else None
        zones, _ = resolve.profile_zones(profile, training.utc_today())
        self.window.update(samples=samples, recent=recent, zones=zones)
        return self.window

    @staticmethod
    def _sample(at: float, bpm: int, zones: Any) -> HeartRateSample:
        return HeartRateSample(at=datetime.fromtimestamp(at, tz=timezone.utc), bpm=bpm,
                               zone=zones.zone_of(bpm) if zones is not None else None)

    @strawberry.field(description="This batch's samples, in time order (none in SUBSCRIBED).")
    async def samples(self, info: Info[Context, None]) -> list[HeartRateSample]:
        state = await self._state(info)
        return [self._sample(at, bpm, state["zones"]) for at, bpm in state["samples"]]

    @strawberry.field(description="The latest sample.")
    async def latest(self, info: Info[Context, None]) -> HeartRateSample | None:
        state = await self._state(info)
        return self._sample(*state["recent"][-1], state["zones"]) if state["recent"] else None

    @strawberry.field(description="The average bpm of the 30 seconds up to the latest sample.")
    async def rolling_average(self, info: Info[Context, None]) -> float | None:
        recent = (await self._state(info))["recent"]
        return round(sum(bpm for _, bpm in recent) / len(recent), 1) if recent else None

    @strawberry.field(description="The athlete's zones.")
    async def zones(self, info: Info[Context, None]) -> HeartRateZones | None:
        zones = (await self._state(info))["zones"]
        return HeartRateZones.of(zones) if zones is not None else None

    @classmethod
    def of(cls, message: dict[str, Any]) -> HeartRateEvent:
        until = message.get("until")
        return cls(
            kind=HeartRateEventKindModel(message.get("kind", "samples")), session_id=uuid.UUID(message["session"]),
            batch_id=uuid.UUID(message["batch"]) if message.get("batch") else None,
            until=datetime.fromisoformat(until) if until else None, window={},
        )


async def _subscribed(conn: AsyncConnection, session_id: uuid.UUID) -> dict[str, Any]:
    until = await heart_rate.last_sample_at(conn, session_id)
    return {"kind": HeartRateEventKindModel.SUBSCRIBED.value, "session": str(session_id),
            "until": until.isoformat() if until else None}


async def _events(ctx: Context, session_id: uuid.UUID) -> AsyncGenerator[dict[str, Any], None]:
    """The ordinary (ungrouped) path: what the fan-out does for one subscriber."""
    me = ctx.require_viewer()
    async with ctx.reader.connect() as conn:
        if not await training.readers_among(conn, session_id, [me.id]):
            raise PublicError("no such session", "NOT_FOUND", field="sessionId")
    async with await ctx.broker.subscribe(resolve.channel(session_id)) as subscription:
        async with ctx.reader.connect() as conn:
            yield await _subscribed(conn, session_id)
        async for message in subscription:
            async with ctx.reader.connect() as conn:
                if not await training.readers_among(conn, session_id, [me.id]):
                    return
            yield message


@strawberry.type
class HeartRateSubscription:
    @strawberry.subscription(description="Live heart rate of a session the viewer may read (the athlete's devices, "
                             "their coach): each batch's samples with zones, the latest sample and the 30-second "
                             "rolling average; it ends when that access is revoked.")
    async def heart_rate(
        self, info: Info[Context, None], session_id: strawberry.ID
    ) -> AsyncGenerator[HeartRateEvent, None]:
        ctx = info.context
        async for message in _events(ctx, parse_id(session_id, "sessionId")):
            yield HeartRateEvent.of(message)  # a WebSocket context's loaders batch but never cache


fanout.FEEDS["heartRate"] = fanout.Feed(channel=resolve.channel, root=HeartRateEvent.of, subscribed=_subscribed)
