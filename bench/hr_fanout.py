"""Benchmark: live heart rate to many watchers, and heart-rate ingestion throughput, on one `serve` process.

Fan-out: --sessions sessions in progress each get one batch a second (one sample, as a 1 Hz strap sends
it, through GraphQL `recordHeartRate`), and --subscribers graphql-transport-ws clients, spread over the
sessions, watch them with `heartRate`. Latency runs from the moment a batch's request goes out to the
moment its event's frame reaches a watcher's socket (read as in bench/session_fanout.py).

Ingest: --ingest-seconds of 5,000-sample batches sent back to back by --ingest-connections clients, first
as NDJSON to POST /sessions/{id}/heart-rate, then as GraphQL `recordHeartRate` (offsets and bpm lists):
samples stored per second, end to end (HTTP, auth, validation, storage). Every batch holds new instants
(1 ms apart) inside its session's time, so all of them are stored; the bench checks that none was dropped.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/hr_fanout.py --subscribers 1000
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from session_fanout import (  # noqa: E402
    Server,
    Subscriber,
    Writer,
    log,
    percentile,
    prepare_session,
    scratch_database,
)

EVENTS = "subscription ($id: ID!) { heartRate(sessionId: $id) { kind latest { at bpm zone } rollingAverage } }"
RECORD = ("mutation ($input: RecordHeartRateInput!) { recordHeartRate(input: $input) { accepted "
          "dropped { outOfRange outsideSession duplicate } errors { message } } }")
BATCH = 5_000


class Watcher(Subscriber):
    QUERY = EVENTS

    def next_message(self, payload: dict, now: float) -> None:
        latest = payload["data"]["heartRate"]["latest"]
        if latest is not None:
            self.received.append((latest["at"], now))


def iso_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds")


async def fan_out(args: argparse.Namespace, server: Server, sessions: list[tuple[str, str]]) -> dict[str, Any]:
    ws_url = server.url.replace("http://", "ws://") + "/graphql"
    watchers = [Watcher() for _ in range(args.subscribers)]
    log(f"opening {args.subscribers} heartRate subscriptions over {len(sessions)} sessions ...")
    for start in range(0, len(watchers), 200):
        await asyncio.gather(*(w.open(ws_url, *sessions[i % len(sessions)], args.compress)
                               for i, w in enumerate(watchers[start:start + 200], start=start)))
    for watcher in watchers:
        watcher.read()
    devices = [Writer(server.url, token) for token, _ in sessions]
    for device in devices:
        await device.open()
    gc.collect()
    gc.freeze()
    gc.disable()
    sent: dict[str, float] = {}

    async def beat(index: int) -> None:
        device, (_, session_id) = devices[index], sessions[index]
        begin = time.perf_counter() + index / len(sessions)  # the sessions' seconds are staggered
        for n in range(int(args.duration) + args.warmup):
            await asyncio.sleep(max(0.0, begin + n - time.perf_counter()))
            ms = round(time.time() * 1000)
            t0, answer = await device.graphql(RECORD, {"input": {
                "sessionId": session_id, "device": "strap", "startedAt": iso_ms(ms), "offsetsMs": [0],
                "bpm": [120 + n % 40]}})
            if answer["accepted"] != 1:
                raise SystemExit(f"a sample was dropped: {answer}")
            if n >= args.warmup:
                sent[iso_ms(ms)] = t0

    log(f"{len(sessions)} sessions x 1 batch/s for {args.duration} s ({args.warmup} warm-up) ...")
    await asyncio.gather(*(beat(i) for i in range(len(sessions))))
    await asyncio.sleep(2)
    gc.enable()
    for watcher in watchers:
        watcher.close()
    for device in devices:
        device.close()
    failures = {w.failure for w in watchers if w.failure}
    if failures:
        raise SystemExit(f"bad frames: {failures}")
    latencies = [(t - sent[_norm(at)]) * 1000 for w in watchers for at, t in w.received if _norm(at) in sent]
    expected = len(sent) * args.subscribers // len(sessions)
    return {"subscribers": args.subscribers, "sessions": len(sessions), "compress": args.compress,
            "batches": len(sent), "delivered": len(latencies),
            "delivery_pct": round(100 * len(latencies) / expected, 2) if expected else None,
            "latency_p50_ms": round(percentile(latencies, 50), 2), "latency_p99_ms": round(percentile(latencies, 99), 2),
            "latency_max_ms": round(max(latencies), 2) if latencies else None}


def _norm(at: str) -> str:
    return iso_ms(round(datetime.fromisoformat(at).timestamp() * 1000))


async def ingest(
    args: argparse.Namespace, server: Server, sessions: list[tuple[str, str]], how: str, cursor: dict[str, int]
) -> dict[str, Any]:
    """Samples stored per second with 5,000-sample batches, each of new instants (1 ms apart from the
    session's `cursor` on)."""

    def body(session_id: str) -> tuple[str, bytes, str]:
        start = cursor[session_id]
        cursor[session_id] += BATCH
        if how == "ndjson":
            lines = b"\n".join(b'{"at":%d,"bpm":%d}' % (start + i, 100 + i % 80) for i in range(BATCH))
            return f"/sessions/{session_id}/heart-rate?device=gateway", lines, "application/x-ndjson"
        variables = {"input": {"sessionId": session_id, "device": "gateway", "startedAt": iso_ms(start),
                               "offsetsMs": list(range(BATCH)), "bpm": [100 + i % 80 for i in range(BATCH)]}}
        return "/graphql", json.dumps({"query": RECORD, "variables": variables}).encode(), "application/json"

    stored = 0
    stop = time.perf_counter() + args.ingest_seconds

    async def client(number: int) -> None:
        nonlocal stored
        mine = sessions[number::args.ingest_connections]  # each client writes to sessions of its own
        devices = {session_id: Writer(server.url, token) for token, session_id in mine}
        for device in devices.values():
            await device.open()
        try:
            while time.perf_counter() < stop:
                # A session takes instants up to a minute ahead of now: write to one with room left.
                now = round(time.time() * 1000)
                room = [session_id for session_id in devices if cursor[session_id] + BATCH < now + 55_000]
                if not room:
                    raise SystemExit("every session's time is full: give --ingest-sessions more")
                session_id = min(room, key=cursor.__getitem__)
                device = devices[session_id]
                path, payload, kind = body(session_id)
                _, answer = await device.post(path, payload, kind)
                kept = answer["accepted"] if how == "ndjson" else answer["data"]["recordHeartRate"]["accepted"]
                if kept != BATCH:
                    raise SystemExit(f"samples were dropped: {answer}")
                stored += kept
        finally:
            for device in devices.values():
                device.close()

    log(f"ingesting {how} for {args.ingest_seconds} s with {args.ingest_connections} connection(s) ...")
    begin = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(args.ingest_connections)))
    elapsed = time.perf_counter() - begin
    return {"how": how, "samples": stored, "seconds": round(elapsed, 2), "samples_per_s": round(stored / elapsed)}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    async with scratch_database("tf_hr") as (database_url, log_dir):
        server = Server(database_url, "memory", "", log_dir, 0)
        try:
            await server.wait_healthy()
            async with httpx.AsyncClient(timeout=30) as client:
                # The fan-out's sessions, then the ingest's: each session takes new instants (1 ms apart) from
                # 50 s before its start to a minute ahead of now, so a run needs many of them.
                count = args.sessions + (2 * args.ingest_sessions if args.ingest_seconds else 0)
                log(f"preparing {count} athletes with a session in progress ...")
                sessions = [await prepare_session(client, server.url) for _ in range(count)]
            result: dict[str, Any] = {}
            if args.subscribers:
                result["fan_out"] = await fan_out(args, server, sessions[:args.sessions])
            if args.ingest_seconds:
                rest = sessions[args.sessions:]
                cursor = {session_id: round(time.time() * 1000) - 50_000 for _, session_id in rest}
                result["ndjson"] = await ingest(args, server, rest[:args.ingest_sessions], "ndjson", cursor)
                result["graphql"] = await ingest(args, server, rest[args.ingest_sessions:], "graphql", cursor)
            return result
        finally:
            server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100, help="heartRate watchers (0: no fan-out part)")
    parser.add_argument("--sessions", type=int, default=10, help="sessions receiving 1 Hz heart rate (default 10)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of 1 Hz batches (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="batches per session before measuring (default 2)")
    parser.add_argument("--compress", action="store_true", help="permessage-deflate, as browsers negotiate")
    parser.add_argument("--ingest-seconds", type=float, default=10.0, help="seconds of each ingest run (0: none)")
    parser.add_argument("--ingest-connections", type=int, default=4, help="concurrent ingesting clients (default 4)")
    parser.add_argument("--ingest-sessions", type=int, default=40, help="sessions written to by each ingest run")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(main_async(args))
    if "fan_out" in result:
        f = result["fan_out"]
        print(f"heartRate: {f['subscribers']} watchers of {f['sessions']} sessions, compression "
              f"{'on' if f['compress'] else 'off'}: ingest->client p50 {f['latency_p50_ms']} ms, p99 "
              f"{f['latency_p99_ms']} ms, max {f['latency_max_ms']} ms; delivered {f['delivered']} "
              f"({f['delivery_pct']} %)")
    for how in ("ndjson", "graphql"):
        if how in result:
            r = result[how]
            print(f"ingest {how}: {r['samples']} samples in {r['seconds']} s = {r['samples_per_s']} samples/s")
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
