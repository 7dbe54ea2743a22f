"""Heart rate: batches in through GraphQL and NDJSON (bad samples dropped and counted), series, zones,
the summary (also kept on completion), and live samples to a real WebSocket client."""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text
from websockets.asyncio.client import connect

from trainforge.models import Role

from test_live_sessions import COMPLETE, START, session_to_train  # noqa: F401 (fixture)
from ws_client import LEGACY_WS, TRANSPORT_WS, assert_ack, receive, send, serving

RECORD = """mutation ($input: RecordHeartRateInput!) { recordHeartRate(input: $input) {
  accepted dropped { outOfRange outsideSession duplicate } firstAt lastAt errors { __typename message field } } }"""
SUMMARY = """query ($id: ID!) { session(id: $id) {
  heartRateSummary { samples avgHr minHr maxHr secondsInZones secondsBelowZones banisterTrimp edwardsTrimp effort
                     coverage longestGapSeconds quality }
  heartRateSeries(bucketSeconds: 10) { bucketSeconds points { at avg min max samples } }
  performanceLog { heartRate { samples avgHr secondsInZones banisterTrimp quality } } } }"""
EVENTS = """subscription ($id: ID!) { heartRate(sessionId: $id) {
  kind samples { at bpm zone } latest { bpm zone } rollingAverage zones { method zones { zone low high } } } }"""


@pytest.fixture
async def training_now(gql, make_user, link, make_programs):  # noqa: ANN001, ANN201
    """(athlete with max HR 190 and resting HR 50, their coach, a session in progress since a minute ago)."""
    athlete, coach = await make_user(Role.ATHLETE, max_hr=190, resting_hr=50), await make_user(Role.COACH)
    await link(coach, athlete)
    [program_id] = await make_programs(athlete, mesocycles=1, days=3)
    from test_live_sessions import SCHEDULE, WORKOUTS

    body = await gql(WORKOUTS, {"id": str(program_id)}, as_=athlete)
    workout = body["data"]["program"]["macrocycles"][0]["mesocycles"][0]["microcycles"][0]["workouts"][0]
    session_id = (await gql(SCHEDULE, {"input": {"workoutId": workout["id"]}}, as_=athlete))["data"][
        "scheduleWorkout"]["session"]["id"]
    await gql(START, {"id": session_id, "device": "watch"}, as_=athlete)
    return athlete, coach, session_id


def batch(session_id: str, start: datetime, bpm: list[int], offsets: list[int] | None = None) -> dict[str, Any]:
    return {"input": {"sessionId": session_id, "device": "chest strap", "startedAt": start.isoformat(),
                      "offsetsMs": offsets if offsets is not None else [i * 1000 for i in range(len(bpm))],
                      "bpm": bpm}}


async def test_bad_samples_are_dropped_and_counted_and_a_resent_batch_changes_nothing(gql, engine, training_now):
    athlete, coach, session_id = training_now
    start = datetime.now(timezone.utc) - timedelta(seconds=30)
    bpm = [140, 20, 141, 300, 142, 143]
    offsets = [0, 1000, 2000, 3000, 2000, 3 * 3600 * 1000]  # the fifth repeats the third's instant; the last is hours on
    answer = (await gql(RECORD, batch(session_id, start, bpm, offsets), as_=athlete))["data"]["recordHeartRate"]
    assert answer["errors"] == [] and answer["accepted"] == 2
    assert answer["dropped"] == {"outOfRange": 2, "outsideSession": 1, "duplicate": 1}
    again = (await gql(RECORD, batch(session_id, start, bpm, offsets), as_=athlete))["data"]["recordHeartRate"]
    assert again["accepted"] == 0 and again["dropped"]["duplicate"] == 3
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT samples, offsets_ms, bpm FROM heart_rate_batches"))).all()
    assert [tuple(r) for r in rows] == [(2, [0, 2000], [140, 141])]

    # Only the athlete's devices write to their session; bad shapes are validation errors naming the field.
    for who in (coach,):
        refused = (await gql(RECORD, batch(session_id, start, [150]), as_=who))["data"]["recordHeartRate"]
        assert refused["errors"][0]["__typename"] == "NotFoundError"
    mismatch = (await gql(RECORD, batch(session_id, start, [150, 151], [0]), as_=athlete))["data"]["recordHeartRate"]
    assert mismatch["errors"][0]["field"] == "input.bpm" and mismatch["accepted"] == 0
    too_many = (await gql(RECORD, batch(session_id, start, [150] * 10_001), as_=athlete))["data"]["recordHeartRate"]
    assert "10000" in too_many["errors"][0]["message"]
    naive = batch(session_id, start, [150])
    naive["input"]["startedAt"] = start.replace(tzinfo=None).isoformat()
    assert (await gql(RECORD, naive, as_=athlete))["data"]["recordHeartRate"]["errors"][0]["field"] == "input.startedAt"


async def test_a_session_not_started_takes_no_samples(gql, make_user, training_now):
    athlete, _, _ = training_now
    stranger = await make_user()
    answer = (await gql(RECORD, batch(str(uuid.uuid4()), datetime.now(timezone.utc), [150]), as_=stranger))["data"]
    assert answer["recordHeartRate"]["errors"][0]["field"] == "input.sessionId"


async def test_ndjson_from_a_gateway(client, engine, training_now):
    athlete, coach, session_id = training_now
    start = datetime.now(timezone.utc) - timedelta(seconds=40)
    base = round(start.timestamp() * 1000)
    lines = [json.dumps({"at": base + i * 1000, "bpm": 130 + i % 5}) for i in range(30)]
    lines.append(json.dumps({"at": (start + timedelta(seconds=30)).isoformat(), "bpm": 140}))
    lines.append(json.dumps({"at": base, "bpm": 131}))  # the first instant again
    lines.append(json.dumps({"at": base + 31_000, "bpm": 12}))
    url = f"/sessions/{session_id}/heart-rate?device=gateway"
    response = await client.post(url, content="\n".join(lines) + "\n", headers=athlete.headers)
    assert response.status_code == 200, response.text
    assert response.json() | {"firstAt": None, "lastAt": None} == {
        "sessionId": session_id, "accepted": 31, "firstAt": None, "lastAt": None,
        "dropped": {"outOfRange": 1, "outsideSession": 0, "duplicate": 1}}

    # Hostile lines: each is a typed 400 naming it, nothing stored.
    for hostile in ['{"at": 1, "bpm": "fast"}', '{"at": 1e30, "bpm": 120}', '{"at": -5, "bpm": 120}',
                    '{"at": "9999-99-99", "bpm": 120}', '{"at": "2026-12-02T07:00:00", "bpm": 120}',
                    '{"at": "\\ud800", "bpm": 120}', '\u0000', '[1, 2]', '{"at": 1, "bpm": true}']:
        refused = await client.post(url, content="\n".join([lines[0], hostile]).encode(), headers=athlete.headers)
        assert refused.status_code == 400 and refused.json()["errors"][0]["extensions"]["field"] == "line 2", hostile
    # Far from each other (year 1970, year 9999): rows of their own, dropped as outside the session.
    far = await client.post(url, content='{"at": 0, "bpm": 120}\n{"at": 253402300799999, "bpm": 120}',
                            headers=athlete.headers)
    assert far.status_code == 200 and far.json()["dropped"]["outsideSession"] == 2

    bad = "\n".join([lines[0], '{"at": 1, "bpm": "fast"}', lines[1]])
    refused = await client.post(url, content=bad, headers=athlete.headers)
    assert refused.status_code == 400 and refused.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT", "field": "line 2"}
    assert (await client.post(url, content=lines[0])).status_code == 401
    assert (await client.post(url, content=lines[0], headers=coach.headers)).status_code == 404
    assert (await client.post(f"/sessions/not-a-uuid/heart-rate", content=lines[0], headers=athlete.headers)
            ).status_code == 404

    # 25,000 samples in one request: three rows, one transaction.
    many = "\n".join(json.dumps({"at": base + 1 + i * 2, "bpm": 100 + i % 50}) for i in range(25_000))  # odd ms: new
    response = await client.post(url, content=many, headers=athlete.headers)
    assert response.json()["accepted"] == 25_000
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM heart_rate_batches")) == 1 + 3
        assert await conn.scalar(text("SELECT sum(samples) FROM heart_rate_batches")) == 31 + 25_000


async def test_series_zones_and_a_summary_kept_on_completion(gql, training_now):
    athlete, coach, session_id = training_now
    start = datetime.now(timezone.utc) - timedelta(seconds=50)
    # 20 s at 150 bpm then 20 s at 165 (Karvonen, max 190, resting 50: zone 3 is 148-162, zone 4 162-176).
    bpm = [150] * 20 + [165] * 20
    assert (await gql(RECORD, batch(session_id, start, bpm), as_=athlete))["data"]["recordHeartRate"]["accepted"] == 40
    read = (await gql(SUMMARY, {"id": session_id}, as_=coach))["data"]["session"]
    summary = read["heartRateSummary"]
    assert summary["samples"] == 40 and (summary["minHr"], summary["maxHr"], summary["avgHr"]) == (150, 165, 158)
    assert summary["secondsInZones"] == [0, 0, 20, 20, 0] and summary["secondsBelowZones"] == 0
    reserve = [(150 - 50) / 140, (165 - 50) / 140]
    banister = sum(20 / 60 * r * 0.64 * math.exp(1.92 * r) for r in reserve)  # the profile's sex is unknown
    female = sum(20 / 60 * r * 0.86 * math.exp(1.67 * r) for r in reserve)
    assert min(banister, female) < summary["banisterTrimp"] < max(banister, female)
    assert summary["edwardsTrimp"] == round(20 / 60 * 3 + 20 / 60 * 4, 1)
    assert summary["quality"] == "EXCELLENT" and summary["coverage"] == 1.0
    series = read["heartRateSeries"]
    assert series["bucketSeconds"] == 10 and sum(p["samples"] for p in series["points"]) == 40
    assert {p["min"] for p in series["points"]} <= {150, 165}
    assert read["performanceLog"] is None

    done = (await gql(COMPLETE, {"id": session_id}, as_=athlete))["data"]["completeWorkout"]
    assert done["errors"] == []
    kept = (await gql(SUMMARY, {"id": session_id}, as_=athlete))["data"]["session"]["performanceLog"]["heartRate"]
    assert kept == {k: summary[k] for k in ("samples", "avgHr", "secondsInZones", "banisterTrimp", "quality")}
    # The watch syncs later: samples within the session still count, and the kept summary follows.
    late = (await gql(RECORD, batch(session_id, start + timedelta(seconds=40), [170] * 5), as_=athlete))["data"]
    assert late["recordHeartRate"]["accepted"] == 5
    kept = (await gql(SUMMARY, {"id": session_id}, as_=athlete))["data"]["session"]["performanceLog"]["heartRate"]
    assert kept["samples"] == 45

    zones = (await gql("{ viewer { profile { heartRateZones { method maxHr restingHr zones { zone low high } } } } }",
                       as_=athlete))["data"]["viewer"]["profile"]["heartRateZones"]
    assert zones["method"] == "KARVONEN" and zones["zones"][3] == {"zone": 4, "low": 162, "high": 176}
    bad = await gql("query ($id: ID!) { session(id: $id) { heartRateSeries(bucketSeconds: 0) { bucketSeconds } } }",
                    {"id": session_id}, as_=athlete)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_live_samples_with_zone_and_rolling_average_over_a_real_websocket(gql, app, training_now):
    athlete, coach, session_id = training_now
    async with serving(app) as url:
        async def subscribe(person: Any) -> Any:
            ws = await connect(url, subprotocols=[TRANSPORT_WS], compression="deflate").__aenter__()
            await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {person.token}"}})
            assert_ack(await receive(ws))
            await send(ws, {"id": str(uuid.uuid4()), "type": "subscribe",
                            "payload": {"query": EVENTS, "variables": {"id": session_id}}})
            async with asyncio.timeout(10):
                first = await receive(ws)
            assert first["payload"]["data"]["heartRate"]["kind"] == "SUBSCRIBED", first
            return ws

        phone, dashboard = await subscribe(athlete), await subscribe(coach)
        try:
            [group] = [g for g in app.state.graphql.fanout.groups.values() if "heartRate" in g.key[0]]
            assert len(group.members) == 2  # one execution per batch for both
            start = datetime.now(timezone.utc) - timedelta(seconds=45)
            bpm = [120] * 20 + [160] * 20  # 1 Hz
            assert (await gql(RECORD, batch(session_id, start, bpm), as_=athlete))["data"]["recordHeartRate"][
                "accepted"] == 40
            for ws in (phone, dashboard):
                async with asyncio.timeout(10):
                    event = (await receive(ws))["payload"]["data"]["heartRate"]
                assert event["kind"] == "SAMPLES" and len(event["samples"]) == 40
                assert (event["samples"][0]["bpm"], event["samples"][0]["zone"]) == (120, 1)  # Karvonen 120-134
                assert event["latest"] == {"bpm": 160, "zone": 3}
                # The 30 s up to the latest sample (both ends in): 11 samples at 120, 20 at 160.
                assert event["rollingAverage"] == round((11 * 120 + 20 * 160) / 31, 1)
                assert event["zones"]["method"] == "KARVONEN"
        finally:
            for ws in (phone, dashboard):
                await ws.close()


async def test_live_samples_one_subscriber_at_a_time_on_the_legacy_protocol(gql, app, training_now):
    """graphql-ws (legacy) subscriptions are not grouped: strawberry's own path, through the same reads."""
    athlete, coach, session_id = training_now
    async with serving(app) as url, connect(url, subprotocols=[LEGACY_WS]) as ws:
        await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {coach.token}"}})
        assert_ack(await receive(ws))
        await send(ws, {"id": "hr", "type": "start", "payload": {"query": EVENTS, "variables": {"id": session_id}}})
        async with asyncio.timeout(10):
            assert (await receive(ws))["payload"]["data"]["heartRate"]["kind"] == "SUBSCRIBED"
        start = datetime.now(timezone.utc) - timedelta(seconds=10)
        await gql(RECORD, batch(session_id, start, [150, 151, 152]), as_=athlete)
        async with asyncio.timeout(10):
            event = (await receive(ws))["payload"]["data"]["heartRate"]
        assert event["kind"] == "SAMPLES" and event["latest"] == {"bpm": 152, "zone": 3}
        assert event["rollingAverage"] == 151.0
