"""Activities recorded elsewhere (a FIT file from a watch) imported as completed training sessions: laps
become the steps, the session's totals the log's, heart-rate records the session's samples."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import Row, insert
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.models.endurance_content import MAX_PLANNED_STEPS, EnduranceTotals, PlannedStep, StepLog, StepType
from trainforge.models.heart_rate import MAX_BATCH_SAMPLES
from trainforge.models.training import PlanSource, SessionKind, SessionStatus
from trainforge.models.training_content import PerformanceLog, WorkoutSnapshot
from trainforge.services import heart_rate, programs, training
from trainforge.services.auth import Viewer
from trainforge.services.errors import Forbidden, InvalidInput
from trainforge.services.fit_files import Activity, Lap
from trainforge.services.heart_rate_zones import TrimpCoefficients

sessions = training.sessions


@dataclass(frozen=True, slots=True)
class Imported:
    session: Row
    samples: int  # heart-rate samples kept
    dropped: int  # and dropped (out of range, duplicated)


def _merged(laps: list[Lap]) -> list[Lap]:
    """At most MAX_PLANNED_STEPS laps: consecutive ones merged evenly when there are more (auto-laps)."""
    if len(laps) <= MAX_PLANNED_STEPS:
        return laps
    size = -(-len(laps) // MAX_PLANNED_STEPS)
    merged = []
    it = iter(laps)
    while group := list(islice(it, size)):
        seconds = sum(lap.seconds for lap in group)
        distances = [lap.distance_meters for lap in group if lap.distance_meters is not None]
        rates = [(lap.avg_hr, lap.seconds) for lap in group if lap.avg_hr]
        maxima = [lap.max_hr for lap in group if lap.max_hr]
        merged.append(Lap(
            group[0].started_at, seconds, sum(distances) if distances else None,
            round(sum(hr * s for hr, s in rates) / sum(s for _, s in rates)) if rates else None,
            max(maxima) if maxima else None,
            sum(distances) / seconds if distances and seconds else None, group[0].step_type,
        ))
    return merged


def _bpm(value: object) -> int | None:
    return value if isinstance(value, int) and 25 <= value <= 250 else None


def _plan_and_log(activity: Activity, seconds: int) -> tuple[list[PlannedStep], list[StepLog]]:
    whole = Lap(activity.started_at, seconds, activity.distance_meters, activity.avg_hr,  # type: ignore[arg-type]
                activity.max_hr, None, StepType.STEADY)
    laps = _merged(activity.laps) or [whole]  # no laps: the whole activity is one step
    planned, done = [], []
    for index, lap in enumerate(laps):
        lap_seconds = max(1, min(round(lap.seconds), 24 * 3600))
        distance = lap.distance_meters if lap.distance_meters and lap.distance_meters <= 500_000 else None
        speed = lap.avg_speed or (distance / lap.seconds if distance and lap.seconds else None)
        planned.append(PlannedStep(index=index, type=lap.step_type, duration_seconds=lap_seconds))
        avg, top = _bpm(lap.avg_hr), _bpm(lap.max_hr)
        done.append(StepLog(
            index=index, duration_seconds=lap_seconds, distance_meters=distance,
            pace_seconds_per_km=round(1000 / speed, 1) if speed and 1000 / speed <= 3600 else None,
            avg_hr=avg, max_hr=top if top is None or avg is None or top >= avg else None,
        ))
    return planned, done


async def import_activity(
    session: AsyncSession, viewer: Viewer, activity: Activity, now: datetime, coefficients: TrimpCoefficients,
) -> Imported:
    """A completed session of the viewer's (an athlete) from the activity, its samples, all in the caller's
    transaction."""
    if not await programs.may_plan_for(session, viewer, viewer.id):
        raise Forbidden("only athletes import activities", field="file")
    started = activity.started_at
    assert started is not None
    records = [at for at, _ in activity.heart_rate]
    seconds = activity.seconds or sum(lap.seconds for lap in activity.laps) or (
        (max(records) - min(records)).total_seconds() if records else 0)
    seconds = round(min(max(seconds, 0), training.LONGEST_SESSION.total_seconds()))
    if started + timedelta(seconds=seconds) > now + training.CLOCK_SKEW:
        raise InvalidInput("the activity ends in the future", field="file")
    if started.year < 1990:
        raise InvalidInput("the activity starts before 1990", field="file")
    planned, done = _plan_and_log(activity, seconds)
    totals = EnduranceTotals(
        duration_seconds=seconds, calories=activity.calories if activity.calories and activity.calories <= 50_000 else None,
        distance_meters=activity.distance_meters if activity.distance_meters and activity.distance_meters <= 5_000_000 else None,
        avg_hr=_bpm(activity.avg_hr), max_hr=_bpm(activity.max_hr),
    )
    if totals.avg_hr and totals.max_hr and totals.avg_hr > totals.max_hr:
        totals = totals.model_copy(update={"max_hr": None})
    name = f"{activity.sport.value.title()} on {started.date().isoformat()}"
    row = (await session.execute(insert(sessions).values(
        id=uuid.uuid4(), athlete_id=viewer.id, source=PlanSource.IMPORTED, scheduled_date=started.date(),
        kind=SessionKind.ENDURANCE, status=SessionStatus.COMPLETED, started_at=started,
        completed_at=started + timedelta(seconds=seconds), duration_seconds=seconds,
        workout_snapshot=WorkoutSnapshot(name=name, sport=activity.sport, planned_steps=planned),
        performance_log=PerformanceLog(steps=done, totals=totals),
    ).returning(sessions))).one()
    kept = dropped = 0
    samples = activity.heart_rate
    for start in range(0, len(samples), MAX_BATCH_SAMPLES):
        chunk = samples[start:start + MAX_BATCH_SAMPLES]
        base = min(at for at, _ in chunk)
        ingested = await heart_rate.ingest(session, viewer, row.id, heart_rate.Samples(
            "FIT import", base, [round((at - base).total_seconds() * 1000) for at, _ in chunk],
            [bpm for _, bpm in chunk]), now, coefficients, resummarize=False)
        kept += ingested.accepted
        dropped += ingested.out_of_range + ingested.outside_session + ingested.duplicates
    return Imported(await heart_rate.summarized(session, row, coefficients), kept, dropped)
