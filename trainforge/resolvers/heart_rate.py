"""Resolvers for heart rate: batches in (then one event per batch), series and summary out."""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from trainforge.config import Settings
from trainforge.realtime import Broker
from trainforge.resolvers import events
from trainforge.resolvers.common import Outcome, in_transaction
from trainforge.resolvers.context import Context, PublicError
from trainforge.services import heart_rate, training
from trainforge.services.heart_rate_zones import HeartRateSummary, TrimpCoefficients, Zones, of_profile, summarize

log = logging.getLogger(__name__)


def channel(session_id: uuid.UUID) -> str:
    return f"heart_rate:{session_id}"


async def record(ctx: Context, session_id: uuid.UUID, samples: heart_rate.Samples) -> Outcome[heart_rate.Ingested]:
    me = ctx.require_viewer()
    outcome = await in_transaction(
        ctx, lambda s: heart_rate.ingest(s, me, session_id, samples, training.utc_now(), coefficients(ctx)))
    if outcome.value is not None:
        await published(ctx.broker, outcome.value)
    return outcome


async def published(broker: Broker, ingested: heart_rate.Ingested) -> None:
    """One event per stored batch (ids only: watchers re-read it). A failed publish is logged, never the
    write's failure: the samples are stored."""
    if ingested.batch_id is None:
        return
    message = {"session": str(ingested.session_id), "batch": str(ingested.batch_id)}
    try:
        await broker.publish(channel(ingested.session_id), message)
    except Exception:
        log.exception("publishing heart rate of session %s failed", ingested.session_id)


def coefficients(ctx: Context) -> TrimpCoefficients:
    return coefficients_of(ctx.settings)


def coefficients_of(s: Settings) -> TrimpCoefficients:
    return TrimpCoefficients(male=(s.trimp_male_a, s.trimp_male_b), female=(s.trimp_female_a, s.trimp_female_b))


async def samples(ctx: Context, session_id: uuid.UUID) -> list[tuple[float, int]]:
    return heart_rate.samples_in(await ctx.loaders.heart_rate_batches.load(session_id))


async def summary(ctx: Context, session_id: uuid.UUID, athlete_id: uuid.UUID) -> HeartRateSummary | None:
    taken = await samples(ctx, session_id)
    if not taken:
        return None
    athlete_zones, sex = of_profile(await ctx.loaders.profile.load(athlete_id), training.utc_today())
    return summarize(taken, athlete_zones, sex, coefficients(ctx))


async def series(ctx: Context, session_id: uuid.UUID, bucket_seconds: int) -> tuple[int, list[heart_rate.Point]]:
    if not 1 <= bucket_seconds <= 3600:
        raise PublicError("bucketSeconds must be 1 to 3600", "BAD_USER_INPUT", field="bucketSeconds")
    return heart_rate.series(await samples(ctx, session_id), bucket_seconds)


# ----------------------------------------------------------------------------- live


class LiveKind(str, enum.Enum):
    SUBSCRIBED = "subscribed"  # the first event: the latest sample stored when the subscription started
    SAMPLES = "samples"  # a batch came in


ROLLING = timedelta(seconds=30)


async def subscribed(conn: AsyncConnection, session_id: uuid.UUID) -> dict[str, Any]:
    """The first event of a `heartRate` stream: when the latest stored sample was."""
    until = await heart_rate.last_sample_at(conn, session_id)
    return {"kind": LiveKind.SUBSCRIBED.value, "session": str(session_id),
            "until": until.isoformat() if until else None}


def live_events(ctx: Context, session_id: uuid.UUID) -> AsyncIterator[dict[str, Any]]:
    return events.feed(ctx, session_id, channel(session_id), subscribed)


@dataclass(frozen=True, slots=True)
class LiveWindow:
    samples: list[tuple[float, int]]  # the event's batch (none for SUBSCRIBED)
    recent: list[tuple[float, int]]  # the 30 s up to its latest sample
    zones: Zones | None  # the athlete's


async def live_window(
    ctx: Context, session_id: uuid.UUID, batch_id: uuid.UUID | None, until: datetime | None
) -> LiveWindow:
    """What a heart-rate event shows: its batch's samples, the 30 s up to its latest one, the athlete's zones."""
    rows = []
    if batch_id is not None:
        batch = await ctx.loaders.heart_rate_batch.load(batch_id)
        rows = [batch] if batch is not None else []
    latest = rows[0].ended_at if rows else until
    recent: list[tuple[float, int]] = []
    if latest is not None:
        async with ctx.reader.connect() as conn:
            around = await heart_rate.batches_between(conn, session_id, latest - ROLLING, latest)
        cutoff, end = (latest - ROLLING).timestamp(), latest.timestamp()
        recent = [s for s in heart_rate.samples_in(around) if cutoff <= s[0] <= end]
    session = await ctx.loaders.session.load(session_id)
    profile = await ctx.loaders.profile.load(session.athlete_id) if session is not None else None
    return LiveWindow(heart_rate.samples_in(rows), recent, of_profile(profile, training.utc_today())[0])
