"""Resolvers for heart rate: batches in (then one event per batch), series and summary out."""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any

from trainforge.resolvers.common import Outcome, in_transaction
from trainforge.config import Settings
from trainforge.realtime import Broker
from trainforge.resolvers.context import Context
from trainforge.services import heart_rate, training
from trainforge.services.accounts import effective_max_hr
from trainforge.services.heart_rate_zones import HeartRateSummary, TrimpCoefficients, Zones, summarize, zones

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


def profile_zones(profile: Any, today: date) -> tuple[Zones | None, str | None]:
    """An athlete's zones and sex from their profile row (None: no profile, or no max HR nor birth date)."""
    if profile is None:
        return None, None
    max_hr = effective_max_hr(profile.max_hr, profile.birth_date, today)
    sex = profile.sex.value if profile.sex is not None else None
    return (zones(max_hr, profile.resting_hr) if max_hr else None), sex


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
    athlete_zones, sex = profile_zones(await ctx.loaders.profile.load(athlete_id), training.utc_today())
    return summarize(taken, athlete_zones, sex, coefficients(ctx))
