"""Heart-rate samples of a session: ingest in batches, read back as a series, summarize.

Ingestion keeps what it can and counts the rest: samples outside 25-250 bpm, outside the session's time
(from its start to its end, or now while it runs, with a minute's slack either side for device clocks)
and duplicates (a timestamp already stored, or twice in the batch: a resent batch changes nothing) are
dropped and counted in the answer, never stored. Batches of one session are ingested one at a time (a
transaction-scoped advisory lock), so two devices sending at once cannot both store the same instant.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import groupby

from sqlalchemy import Row, Text, cast, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trainforge.db import Executor
from trainforge.models.accounts import AthleteProfile
from trainforge.models.heart_rate import MAX_BATCH_SAMPLES, HeartRateBatch
from trainforge.models.heart_rate_content import HeartRateStats
from trainforge.models.training import SessionStatus
from trainforge.services import training, wearables
from trainforge.services.auth import Viewer
from trainforge.services.errors import InvalidInput, NotFound, raise_problems
from trainforge.services.heart_rate_zones import TrimpCoefficients, Zones, of_profile, summarize

batches = HeartRateBatch.__table__
sessions = training.sessions
MIN_BPM, MAX_BPM = 25, 250
CLOCK_SLACK = timedelta(minutes=1)
MAX_SPAN_MS = 7 * 24 * 3600 * 1000  # offsets within a batch


@dataclass(frozen=True, slots=True)
class Samples:
    """A batch as a device sends it: a start and parallel lists of millisecond offsets and bpm."""

    device: str
    started_at: datetime
    offsets_ms: Sequence[int]
    bpm: Sequence[int]


@dataclass(frozen=True, slots=True)
class Ingested:
    session_id: uuid.UUID
    batch_id: uuid.UUID | None  # None when nothing was kept
    accepted: int
    out_of_range: int
    outside_session: int
    duplicates: int
    first_at: datetime | None
    last_at: datetime | None


def _check(samples: Samples) -> None:
    problems = []
    device = samples.device.strip()
    if not 1 <= len(device) <= 120:
        problems.append(InvalidInput("device must be 1 to 120 characters", field="input.device"))
    if len(samples.offsets_ms) != len(samples.bpm):
        problems.append(InvalidInput("offsetsMs and bpm must be the same length", field="input.bpm"))
    if not 1 <= len(samples.bpm) <= MAX_BATCH_SAMPLES:
        problems.append(InvalidInput(f"a batch holds 1 to {MAX_BATCH_SAMPLES} samples", field="input.bpm"))
    if samples.started_at.tzinfo is None:
        problems.append(InvalidInput("startedAt needs a time zone", field="input.startedAt"))
    if any(not 0 <= offset <= MAX_SPAN_MS for offset in samples.offsets_ms):
        problems.append(InvalidInput("offsets are 0 to 7 days in milliseconds", field="input.offsetsMs"))
    raise_problems(problems)


def _ms(at: datetime) -> int:
    return round(at.timestamp() * 1000)


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


async def ingest(
    session: AsyncSession, viewer: Viewer, session_id: uuid.UUID, samples: Samples, now: datetime,
    coefficients: TrimpCoefficients = TrimpCoefficients(), resummarize: bool = True,
) -> Ingested:
    """Keep a batch's good samples as one row (the athlete's own sessions only); count what was dropped. A
    completed session's HR summary is computed again (a watch that synced afterwards) unless the caller
    will (`resummarize`)."""
    _check(samples)
    lock = func.pg_advisory_xact_lock(func.hashtextextended(cast(sessions.c.id, Text), 7))
    row = (await session.execute(
        select(sessions, lock.label("locked"))
        .where(sessions.c.id == session_id, sessions.c.athlete_id == viewer.id)
    )).first()
    if row is None:
        raise NotFound("no such session of yours", field="input.sessionId")
    if row.started_at is None:  # not started: no sample can be inside it
        low = high = None
    else:
        low = _ms(row.started_at - CLOCK_SLACK)
        high = _ms((row.completed_at or now) + CLOCK_SLACK)
    base = _ms(samples.started_at)
    first, last = base + min(samples.offsets_ms), base + max(samples.offsets_ms)
    seen = await _stored_instants(session, session_id, first, last)
    kept: list[tuple[int, int]] = []
    out_of_range = outside = duplicates = 0
    for offset, bpm in zip(samples.offsets_ms, samples.bpm):
        if not MIN_BPM <= bpm <= MAX_BPM:
            out_of_range += 1
            continue
        at = base + offset
        if low is None or not low <= at <= high:  # type: ignore[operator]
            outside += 1
            continue
        if at in seen:
            duplicates += 1
            continue
        seen.add(at)
        kept.append((at, bpm))
    batch_id = None
    if kept:
        kept.sort()
        start = kept[0][0]
        batch_id = uuid.uuid4()
        await session.execute(insert(batches).values(
            id=batch_id, session_id=session_id, athlete_id=viewer.id, device=samples.device.strip(),
            started_at=_at(start), ended_at=_at(kept[-1][0]), samples=len(kept),
            offsets_ms=[at - start for at, _ in kept], bpm=[bpm for _, bpm in kept],
        ))
        await wearables.synced(session, viewer.id, samples.device.strip(), _at(kept[-1][0]))
        if row.status is SessionStatus.COMPLETED and resummarize:
            await summarized(session, row, coefficients)
    return Ingested(session_id, batch_id, len(kept), out_of_range, outside, duplicates,
                    _at(kept[0][0]) if kept else None, _at(kept[-1][0]) if kept else None)


async def ingest_all(
    session: AsyncSession, viewer: Viewer, session_id: uuid.UUID, batches_in: Sequence[Samples], now: datetime,
    coefficients: TrimpCoefficients = TrimpCoefficients(),
) -> list[Ingested]:
    """Several batches of one request in the caller's transaction; a completed session's summary once."""
    done = [await ingest(session, viewer, session_id, samples, now, coefficients, resummarize=False)
            for samples in batches_in]
    if any(d.accepted for d in done):
        row = (await session.execute(select(sessions).where(sessions.c.id == session_id))).one()
        if row.status is SessionStatus.COMPLETED:
            await summarized(session, row, coefficients)
    return done


async def _stored_instants(db: Executor, session_id: uuid.UUID, first_ms: int, last_ms: int) -> set[int]:
    """The instants (ms) already stored for the session between first and last: usually none, as batches
    follow each other."""
    stmt = select(batches.c.started_at, batches.c.offsets_ms).where(
        batches.c.session_id == session_id, batches.c.started_at <= _at(last_ms), batches.c.ended_at >= _at(first_ms)
    )
    instants: set[int] = set()
    for started_at, offsets in (await db.execute(stmt)).all():
        base = _ms(started_at)
        instants.update(base + offset for offset in offsets)
    return instants


# ----------------------------------------------------------------------------- reads


async def batches_of(db: Executor, session_ids: Sequence[uuid.UUID]) -> list[Row]:
    """The sessions' batches, each session's in time order (what the per-request loader fetches)."""
    stmt = select(batches).where(batches.c.session_id.in_(session_ids)).order_by(
        batches.c.session_id, batches.c.started_at)
    return list((await db.execute(stmt)).all())


async def batches_between(db: Executor, session_id: uuid.UUID, since: datetime, until: datetime) -> list[Row]:
    """The session's batches with samples between two instants (a live window), in time order."""
    stmt = select(batches).where(
        batches.c.session_id == session_id, batches.c.ended_at >= since, batches.c.started_at <= until
    ).order_by(batches.c.started_at)
    return list((await db.execute(stmt)).all())


async def last_sample_at(db: Executor, session_id: uuid.UUID) -> datetime | None:
    return await db.scalar(select(func.max(batches.c.ended_at)).where(batches.c.session_id == session_id))


def samples_in(rows: Sequence[Row]) -> list[tuple[float, int]]:
    """Batches' samples as (seconds since the epoch, bpm), in time order."""
    out: list[tuple[float, int]] = []
    for row in rows:
        base = row.started_at.timestamp()
        out.extend((base + offset / 1000, bpm) for offset, bpm in zip(row.offsets_ms, row.bpm))
    out.sort()
    return out


@dataclass(frozen=True, slots=True)
class Point:
    at: datetime  # the bucket's start
    avg: float
    min: int
    max: int
    samples: int


MAX_POINTS = 2000


def series(samples: Sequence[tuple[float, int]], bucket_seconds: int) -> tuple[int, list[Point]]:
    """Samples averaged per bucket, for charts: (the bucket used, the points). The bucket grows when the
    samples would give more than MAX_POINTS."""
    if not samples:
        return bucket_seconds, []
    bucket = max(bucket_seconds, int((samples[-1][0] - samples[0][0]) // MAX_POINTS) + 1)
    points = []
    for slot, group in groupby(samples, key=lambda sample: int(sample[0] // bucket)):
        values = [bpm for _, bpm in group]
        points.append(Point(datetime.fromtimestamp(slot * bucket, tz=timezone.utc),
                            round(sum(values) / len(values), 1), min(values), max(values), len(values)))
    return bucket, points


async def zones_of(db: Executor, athlete_id: uuid.UUID, on: date | None = None) -> tuple[Zones | None, str | None]:
    """The athlete's zones (None without a max HR or birth date) and sex, from their profile."""
    stmt = select(AthleteProfile.max_hr, AthleteProfile.resting_hr, AthleteProfile.birth_date, AthleteProfile.sex).where(
        AthleteProfile.user_id == athlete_id)
    return of_profile((await db.execute(stmt)).first(), on or training.utc_today())


async def summarized(session: AsyncSession, row: Row, coefficients: TrimpCoefficients) -> Row:
    """A completed session's row with the HR summary of its samples in its performance log, written in the
    caller's transaction (the row unchanged when it has no samples or no log)."""
    rows = await batches_of(session, [row.id])
    if not rows or row.performance_log is None:
        return row
    athlete_zones, sex = await zones_of(session, row.athlete_id, row.completed_at.date())
    stats = HeartRateStats.of(summarize(samples_in(rows), athlete_zones, sex, coefficients))
    stmt = (update(sessions).where(sessions.c.id == row.id)
            .values(performance_log=row.performance_log.model_copy(update={"heart_rate": stats})).returning(sessions))
    return (await session.execute(stmt)).one()


async def batches_by_ids(db: Executor, ids: Sequence[uuid.UUID]) -> list[Row]:
    return list((await db.execute(select(batches).where(batches.c.id.in_(ids)))).all())
