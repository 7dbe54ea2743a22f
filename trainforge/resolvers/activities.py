"""Resolvers for activity files: a FIT activity in, a completed session out (then its events)."""

from __future__ import annotations

import asyncio

from trainforge.resolvers import events
from trainforge.resolvers.common import Outcome, attempt, in_transaction
from trainforge.resolvers.context import Context
from trainforge.resolvers.heart_rate import coefficients
from trainforge.services import activities, fit_files, training


async def import_fit(ctx: Context, data: bytes) -> Outcome[activities.Imported]:
    me = ctx.require_viewer()
    parsed = await attempt(asyncio.to_thread(fit_files.read_activity, data))  # pure Python: off the loop
    if parsed.value is None:
        return Outcome(errors=parsed.errors)
    activity = parsed.value
    outcome = await in_transaction(
        ctx, lambda s: activities.import_activity(s, me, activity, training.utc_now(), coefficients(ctx)))
    if outcome.value is not None:
        await events.publish(ctx, outcome.value.session.id, events.EventKind.SESSION_COMPLETED)
    return outcome
