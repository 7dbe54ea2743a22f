"""Heart rate: zones of a profile, samples of a session (ingest, series, summary)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import Info

from trainforge.models import heart_rate_content as content
from trainforge.resolvers import heart_rate as resolve
from trainforge.resolvers.common import parse_id
from trainforge.resolvers.context import Context
from trainforge.schema.errors import MutationError, to_mutation_errors
from trainforge.services import heart_rate, heart_rate_zones

ZoneMethod = strawberry.enum(
    heart_rate_zones.ZoneMethod, description="PERCENT_MAX: % of max HR; KARVONEN: % of heart-rate reserve.")
DataQuality = strawberry.enum(content.DataQuality, description="From the samples' coverage and longest gap.")


@strawberry.type(description="One zone in bpm: from `low` (included) up to the next zone's low.")
class HeartRateZone:
    zone: int
    low: int
    high: int


@strawberry.type(description="Five zones (50-60-70-80-90-100 %) of max HR, or of the heart-rate reserve "
                 "(Karvonen) when resting HR is known; max HR measured, else 220 - age.")
class HeartRateZones:
    method: ZoneMethod
    max_hr: int
    resting_hr: int | None
    zones: list[HeartRateZone]

    @classmethod
    def of(cls, zones: heart_rate_zones.Zones) -> HeartRateZones:
        return cls(method=zones.method, max_hr=zones.max_hr, resting_hr=zones.resting_hr,  # type: ignore[arg-type]
                   zones=[HeartRateZone(zone=n, low=lo, high=hi) for n, (lo, hi) in enumerate(zones.bounds, 1)])


@strawberry.type(description="Samples of one bucket of time.")
class HeartRatePoint:
    at: datetime = strawberry.field(description="The bucket's start.")
    avg: float
    min: int
    max: int
    samples: int


@strawberry.type
class HeartRateSeries:
    bucket_seconds: int = strawberry.field(description="As asked, or wider to keep at most 2,000 points.")
    points: list[HeartRatePoint]


@strawberry.type(description="What a session's samples say (Banister TRIMP needs the athlete's resting HR; zones "
                 "and TRIMP need their max HR or birth date).")
class HeartRateSummary:
    samples: int
    avg_hr: int | None
    min_hr: int | None
    max_hr: int | None
    seconds_in_zones: list[int] = strawberry.field(description="Zones 1 to 5.")
    seconds_below_zones: int
    banister_trimp: float | None
    edwards_trimp: float
    effort: int = strawberry.field(description="0-100, from Edwards TRIMP: 100 x (1 - e^(-TRIMP/250)).")
    coverage: float = strawberry.field(description="The share of the recorded span the samples stand for.")
    longest_gap_seconds: int
    quality: DataQuality


@strawberry.type(description="Samples dropped, by reason: none of them was stored.")
class DroppedSamples:
    out_of_range: int = strawberry.field(description="Outside 25-250 bpm.")
    outside_session: int = strawberry.field(description="Outside the session's time (a minute's slack either side).")
    duplicate: int = strawberry.field(description="An instant already stored, or twice in the batch.")


@strawberry.type
class RecordHeartRatePayload:
    accepted: int
    dropped: DroppedSamples | None
    first_at: datetime | None
    last_at: datetime | None
    errors: list[MutationError]


@strawberry.input(description="A batch in a compact shape: a start, then parallel lists of millisecond offsets from "
                  "it and bpm (up to 10,000 samples).")
class RecordHeartRateInput:
    session_id: strawberry.ID
    device: str
    started_at: datetime
    offsets_ms: list[int]
    bpm: list[int]


@strawberry.type
class HeartRateMutation:
    @strawberry.mutation(description="Store a batch of heart-rate samples of one of your sessions; samples out of "
                         "range, outside the session or duplicated are dropped and counted. Watchers of the session "
                         "get one `heartRate` event per batch.")
    async def record_heart_rate(self, info: Info[Context, None], input: RecordHeartRateInput) -> RecordHeartRatePayload:
        samples = heart_rate.Samples(input.device, input.started_at, input.offsets_ms, input.bpm)
        outcome = await resolve.record(info.context, parse_id(input.session_id, "input.sessionId"), samples)
        done = outcome.value
        return RecordHeartRatePayload(
            accepted=done.accepted if done else 0,
            dropped=DroppedSamples(out_of_range=done.out_of_range, outside_session=done.outside_session,
                                   duplicate=done.duplicates) if done else None,
            first_at=done.first_at if done else None, last_at=done.last_at if done else None,
            errors=to_mutation_errors(outcome.errors),
        )
