"""Benchmark: live session events fanned out to many WebSocket subscribers.

One writer logs sets on a session (HTTP `logSet`, a real write) at --rate per
second; --subscribers WebSocket clients (graphql-transport-ws, optionally with
permessage-deflate as browsers negotiate) are subscribed to `sessionEvents` of
that session. Each event's latency runs from the moment the writer's request
went out to the moment the event's frame reached a subscriber's socket, so it
includes the database write, the broker and the fan-out. Both ends are lean
(a raw keep-alive HTTP writer; once subscribed, each socket read by a minimal
frame reader that stamps frames as they arrive) so that the figures are the
server's: one Python process reading for thousands of "devices" through a
full client library would queue them behind each other. A few warm-up writes
go first (--warmup).

  - one process (--processes 1): writer and subscribers on the same `serve`;
  - two processes (--processes 2): writer on the first, subscribers on the
    second, through the broker (--broker postgres or redis).

Prints p50/p99 latency, delivery (events received / events expected), events
delivered per second, the server's memory per connection and its growth over
the run, the floor (--floor: the same frames sent to as many sockets by a plain
process with no server and read by the same client, i.e. what this machine's
loopback and this client cost alone), and a `RESULT {json}` line.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/session_fanout.py \\
        --subscribers 1000 --duration 20 [--compress] [--processes 2 --broker redis]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from datetime import date
from pathlib import Path
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import psutil
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from trainforge.db import libpq_url  # noqa: E402

TRAINFORGE = Path(sys.executable).parent / "trainforge"
SECRET = "bench-session-fanout-secret-0123456789abcdef"
EVENTS = "subscription ($id: ID!) { sessionEvents(sessionId: $id) { kind version set { reps loadKg device } } }"
LOG_SET = "mutation ($input: LogSetInput!) { logSet(input: $input) { version errors { message } } }"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


class Server:
    def __init__(self, database_url: str, broker: str, redis_url: str, log_dir: Path, index: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": database_url, "TRAINFORGE_SECRET": SECRET, "TRAINFORGE_BROKER": broker,
               "REDIS_URL": redis_url, "TRAINFORGE_ENV": "production", "TRAINFORGE_BACKGROUND_WORKER": "false",
               "TRAINFORGE_LOG_LEVEL": "warning", "TRAINFORGE_HOME": str(log_dir)}
        self.log_path = log_dir / f"serve-{index}.log"
        with self.log_path.open("w") as out:
            self.proc = subprocess.Popen([str(TRAINFORGE), "serve", "--port", str(self.port), "--no-access-log"],
                                         env=env, stdout=out, stderr=subprocess.STDOUT)

    async def wait_healthy(self) -> None:
        async with httpx.AsyncClient() as client:
            for _ in range(600):
                if self.proc.poll() is not None:
                    raise SystemExit(f"serve exited early:\n{self.log_path.read_text()[-3000:]}")
                try:
                    if (await client.get(f"{self.url}/healthz", timeout=2)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise SystemExit("serve not healthy in 60 s")

    def rss(self) -> int:
        process = psutil.Process(self.proc.pid)
        return process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


async def graphql(client: httpx.AsyncClient, url: str, query: str, variables: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = response.json()
    if response.status_code != 200 or "errors" in body:
        raise SystemExit(f"GraphQL error: {body}")
    payload = next(iter(body["data"].values()))
    if isinstance(payload, dict) and payload.get("errors"):
        raise SystemExit(f"mutation error: {payload}")
    return payload


async def prepare_session(client: httpx.AsyncClient, url: str) -> tuple[str, str]:
    """An athlete with a session in progress (a routine assigned for today, started): (token, session id)."""
    token = (await graphql(client, url, "mutation ($input: SignUpInput!) { signUp(input: $input) { token errors "
                           "{ message } } }", {"input": {"email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
                                                         "password": "long enough", "displayName": "Bench"}}))["token"]
    version = (await graphql(client, url, "mutation ($input: RoutineInput!) { createRoutine(input: $input) { routine "
                             "{ latestVersion { id } } errors { message } } }", {"input": {
                                 "name": "Bench", "type": "STRENGTH", "sections": [{"name": "Main", "exercises": [
                                     {"exercise": "Barbell Squat", "sets": 20, "reps": 5}]}]}}, token))
    weekday = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"][date.today().weekday()]
    assigned = await graphql(client, url, "mutation ($input: AssignRoutineInput!) { assignRoutine(input: $input) "
                             "{ sessions { id } errors { message } } }", {"input": {
                                 "versionId": version["routine"]["latestVersion"]["id"], "weekdays": [weekday],
                                 "startDate": date.today().isoformat(), "endDate": date.today().isoformat()}}, token)
    session_id = assigned["sessions"][0]["id"]
    await graphql(client, url, "mutation ($id: ID!) { startWorkout(sessionId: $id, device: \"bench\") "
                  "{ errors { message } } }", {"id": session_id}, token)
    return token, session_id


class Writer:
    """The device that logs sets: one HTTP/1.1 keep-alive connection; each request's bytes are prepared
    first and written at once, and its clock starts as they go out (a client library's own cost before
    sending, ~1-5 ms for httpx after an idle second here, is not the server's)."""

    def __init__(self, url: str, token: str) -> None:
        self.host, self.port = url.removeprefix("http://").split(":")
        self.token = token

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, int(self.port))

    async def post(self, path: str, body: bytes, content_type: str = "application/json") -> tuple[float, dict]:
        """(when the request went out, the JSON answer); anything but 200 stops the bench."""
        request = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: {content_type}\r\n"
                   f"Authorization: Bearer {self.token}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        sent = time.perf_counter()
        self.writer.write(request)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in head[1:] if line)
        answer = json.loads(await self.reader.readexactly(int(headers["content-length"])))
        if not head[0].startswith("HTTP/1.1 200"):
            raise SystemExit(f"the request failed: {head[0]} {answer}")
        return sent, answer

    async def graphql(self, query: str, variables: dict) -> tuple[float, dict]:
        """(when the request went out, the mutation's payload)."""
        sent, answer = await self.post("/graphql", json.dumps({"query": query, "variables": variables}).encode())
        data = answer.get("data") or {}
        payload = next(iter(data.values()), None) if "errors" not in answer else None
        if payload is None or payload.get("errors"):
            raise SystemExit(f"the write failed: {answer}")
        return sent, payload

    def close(self) -> None:
        self.writer.close()


class FrameReader(asyncio.Protocol):
    """Takes over a subscriber's socket once it is subscribed: stamps each frame as its bytes arrive and
    parses it with as little work as a client can do. One bench process reads for thousands of "devices";
    with a full WebSocket client per socket (~30-50 us a frame) the last device of an event would wait for the
    client to get through the other 999 frames first, and that queue is the client's, not the server's."""

    def __init__(self, subscriber: Subscriber, transport: asyncio.Transport | None, inflate: Any) -> None:
        self.subscriber = subscriber
        self.transport = transport  # None: given when the connection is made (the floor's sockets)
        self.inflate = inflate  # None, or a function making the decompressor of the next message
        self.buffer = bytearray()
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.transport is None:
            self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.buffer += data
        while len(self.buffer) >= 2:
            first, second = self.buffer[0], self.buffer[1] & 0x7F
            start = 2 + {126: 2, 127: 8}.get(second, 0)
            if len(self.buffer) < start:
                return
            length = int.from_bytes(self.buffer[2:start], "big") if second >= 126 else second
            if len(self.buffer) < start + length:
                return
            payload = bytes(self.buffer[start:start + length])
            del self.buffer[:start + length]
            opcode = first & 0x0F
            if opcode == 0x9:  # the server's keep-alive ping: a pong with its data, masked as clients must
                mask = os.urandom(4)
                self.transport.write(bytes((0x8A, 0x80 | len(payload))) + mask
                                     + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
                continue
            if opcode in (0x8, 0xA):  # close, pong
                continue
            if opcode != 0x1 or not first & 0x80:
                self.subscriber.failure = f"frame opcode {opcode:#x} (fin {first >> 7}): browsers and graphql-ws want whole text frames"
                continue
            if first & 0x40:  # permessage-deflate (RFC 7692 section 7.2.2: the stream's tail is left off)
                payload = self.inflate().decompress(payload + b"\x00\x00\xff\xff")
            message = json.loads(payload)
            if message.get("type") == "next":
                self.subscriber.next_message(message["payload"], now)
                self.subscriber.frame_size = start + length

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


# The floor: what this machine's loopback and this client cost without any server. A plain process writes a
# frame of the same size to N sockets in a loop, once a second (one send() each, nothing else), and the same
# FrameReader stamps the arrivals. The server's figures minus these (and minus the write alone) are its own.
FLOOR_SENDER = r"""
import json, socket, sys, time
n, rounds, size = map(int, sys.argv[1:4])
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(n + 16)
print(listener.getsockname()[1], flush=True)
conns = [listener.accept()[0] for _ in range(n)]
for conn in conns:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as uvicorn's sockets
sys.stdin.readline()  # the client is reading
for version in range(1, rounds + 1):
    time.sleep(1)
    text = json.dumps({"type": "next", "payload": {"data": {"sessionEvents": {"version": version}}}})
    frame = bytes((0x81, 126)) + size.to_bytes(2, "big") + text.ljust(size).encode()  # 126 <= size < 65536
    start = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in both processes
    for conn in conns:
        conn.send(frame)
    print(version, start, flush=True)
"""


async def measure_floor(subscribers: int, rounds: int, frame_size: int) -> dict[str, float]:
    """p50/p99 from a round's first send() to each socket's arrival, over `rounds` rounds."""
    sender = await asyncio.create_subprocess_exec(
        sys.executable, "-c", FLOOR_SENDER, str(subscribers), str(rounds), str(max(126, frame_size)),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert sender.stdout is not None and sender.stdin is not None
    port = int(await sender.stdout.readline())
    loop = asyncio.get_running_loop()
    readers = [Subscriber() for _ in range(subscribers)]
    transports = []
    for start in range(0, subscribers, 200):
        transports += [transport for transport, _ in await asyncio.gather(*(
            loop.create_connection(lambda r=r: FrameReader(r, None, None), "127.0.0.1", port)
            for r in readers[start:start + 200]))]
    gc.collect()
    gc.freeze()
    gc.disable()
    sent: dict[int, float] = {}
    try:
        sender.stdin.write(b"go\n")
        await sender.stdin.drain()
        for _ in range(rounds):
            version, started = (await sender.stdout.readline()).split()
            sent[int(version)] = float(started)
        await asyncio.sleep(1)
    finally:
        gc.enable()
        for transport in transports:
            transport.close()
        await sender.wait()
    latencies = [(t - sent[v]) * 1000 for r in readers for v, t in r.received if v in sent]
    return {"floor_p50_ms": round(percentile(latencies, 50), 2), "floor_p99_ms": round(percentile(latencies, 99), 2),
            "floor_delivery_pct": round(100 * len(latencies) / (rounds * subscribers), 2)}


class Subscriber:
    def __init__(self) -> None:
        self.received: list[tuple[int, float]] = []  # (version, time)
        self.failure: str | None = None
        self.frame_size = 0  # bytes of the last event's frame
        self.ws: Any = None
        self.reader: FrameReader | None = None

    QUERY = EVENTS

    async def open(self, ws_url: str, token: str, session_id: str, compress: bool) -> None:
        self.ws = await connect(ws_url, subprotocols=["graphql-transport-ws"], compression="deflate" if compress else None,
                                max_queue=None, open_timeout=60, ping_interval=None)
        await self.ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        ack = json.loads(await self.ws.recv())
        assert ack["type"] == "connection_ack", ack
        await self.ws.send(json.dumps({"id": str(uuid.uuid4()), "type": "subscribe",
                                       "payload": {"query": self.QUERY, "variables": {"id": session_id}}}))
        first = await self.ws.recv()
        if isinstance(first, bytes):
            raise SystemExit("a binary frame: browsers and graphql-ws refuse those")
        assert next(iter(json.loads(first)["payload"]["data"].values()))["kind"] == "SUBSCRIBED", first

    def next_message(self, payload: dict, now: float) -> None:
        self.received.append((payload["data"]["sessionEvents"]["version"], now))

    def read(self) -> None:
        """From now on the socket's frames go to a FrameReader (nothing else is in flight: no event was written)."""
        inflate = None
        for extension in self.ws.protocol.extensions:  # permessage-deflate, if negotiated
            if extension.remote_no_context_takeover:
                bits = extension.remote_max_window_bits
                inflate = lambda bits=bits: zlib.decompressobj(wbits=-bits)  # noqa: E731 (a fresh one per message)
            else:
                decoder = extension.decoder  # its window holds what came before
                inflate = lambda decoder=decoder: decoder  # noqa: E731
        self.reader = FrameReader(self, self.ws.transport, inflate)
        self.ws.transport.set_protocol(self.reader)

    def close(self) -> None:
        self.ws.transport.close()


async def run(args: argparse.Namespace, database_url: str, log_dir: Path) -> dict[str, Any]:
    broker = args.broker or ("memory" if args.processes == 1 else "postgres")
    servers = [Server(database_url, broker, args.redis_url, log_dir, i) for i in range(args.processes)]
    try:
        await servers[0].wait_healthy()  # the first migrates; then the others start on the migrated database
        for server in servers[1:]:
            await server.wait_healthy()
        writer_server, reader_server = servers[0], servers[-1]
        async with httpx.AsyncClient(timeout=30) as client:
            token, session_id = await prepare_session(client, writer_server.url)
            rss_before = reader_server.rss()
            ws_url = reader_server.url.replace("http://", "ws://") + "/graphql"
            subscribers = [Subscriber() for _ in range(args.subscribers)]
            log(f"opening {args.subscribers} subscriptions on process {args.processes} (broker {broker}, "
                f"compression {'on' if args.compress else 'off'}) ...")
            for start in range(0, len(subscribers), 200):
                await asyncio.gather(*(s.open(ws_url, token, session_id, args.compress) for s in subscribers[start:start + 200]))
            rss_connected = reader_server.rss()
            for subscriber in subscribers:
                subscriber.read()
            # This client holds thousands of sockets too: no collections of its own while it measures (its
            # pauses, up to 0.5 s at 10,000 sockets, would count as the server's latency).
            gc.collect()
            gc.freeze()
            gc.disable()
            sent: dict[int, float] = {}
            write_ms: list[float] = []
            device = Writer(writer_server.url, token)
            await device.open()
            log(f"{args.warmup} warm-up write(s), not measured ...")
            for n in range(args.warmup):  # the server's first logSet compiles and prepares its statements
                await device.graphql(LOG_SET, {"input": {"clientId": str(uuid.uuid4()), "sessionId": session_id,
                                                         "device": "bench", "position": 0, "reps": 1}})
                await asyncio.sleep(0.5)
            log(f"writing {args.rate} set(s)/s for {args.duration} s ...")
            interval, begin = 1 / args.rate, time.perf_counter()
            rss_samples = []
            for n in range(int(args.duration * args.rate)):
                await asyncio.sleep(max(0.0, begin + n * interval - time.perf_counter()))
                t0, written = await device.graphql(LOG_SET, {"input": {
                    "clientId": str(uuid.uuid4()), "sessionId": session_id, "device": "bench", "position": 0,
                    "reps": n % 20 + 1, "loadKg": 100.0}})
                sent[written["version"]] = t0
                write_ms.append((time.perf_counter() - t0) * 1000)
                if n % max(1, args.rate) == 0:
                    rss_samples.append(reader_server.rss())
            await asyncio.sleep(args.settle)
            device.close()
            gc.enable()
            rss_end = reader_server.rss()
            for subscriber in subscribers:
                subscriber.close()
    finally:
        for server in servers:
            server.stop()
    failures = {s.failure for s in subscribers if s.failure}
    if failures:
        raise SystemExit(f"bad frames: {failures}")
    latencies = [(t - sent[v]) * 1000 for s in subscribers for v, t in s.received if v in sent]
    expected = len(sent) * args.subscribers
    elapsed = max(1e-9, args.duration)
    return {
        "subscribers": args.subscribers, "processes": args.processes, "broker": broker, "compress": args.compress,
        "rate": args.rate, "duration_s": args.duration, "events_written": len(sent),
        "delivered": len(latencies), "delivery_pct": round(100 * len(latencies) / expected, 2) if expected else None,
        "events_per_s": round(len(latencies) / elapsed, 1),
        "latency_p50_ms": round(percentile(latencies, 50), 2), "latency_p99_ms": round(percentile(latencies, 99), 2),
        "latency_max_ms": round(max(latencies), 2) if latencies else None,
        # The write's own HTTP round trip (logSet: auth, one transaction, commit, publish), for comparison.
        "write_p50_ms": round(percentile(write_ms, 50), 2), "write_p99_ms": round(percentile(write_ms, 99), 2),
        "kb_per_connection": round((rss_connected - rss_before) / 1024 / max(1, args.subscribers), 1),
        "rss_growth_mb": round((rss_end - rss_connected) / 2**20, 1),
        "rss_mb": {"before": round(rss_before / 2**20, 1), "connected": round(rss_connected / 2**20, 1),
                   "end": round(rss_end / 2**20, 1)},
        "rss_samples_mb": [round(r / 2**20, 1) for r in rss_samples],
        "frame_bytes": max(s.frame_size for s in subscribers),
    }


@contextlib.asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[tuple[str, Path]]:
    """(the URL of a new database on DATABASE_URL's server, a folder for server logs); both go afterwards."""
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        raise SystemExit("set DATABASE_URL to a PostgreSQL server (a scratch database is made there and dropped)")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = libpq_url(server_url)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as log_dir:
            yield admin.rsplit("/", 1)[0] + f"/{name}", Path(log_dir)
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    async with scratch_database("tf_fanout") as (database_url, log_dir):
        result = await run(args, database_url, log_dir)
    if args.floor:  # after the servers are gone: the machine as idle as it was for them
        log(f"the floor: {args.floor} rounds of plain send()s of {result['frame_bytes']}-byte frames to "
            f"{args.subscribers} sockets ...")
        result.update(await measure_floor(args.subscribers, args.floor, result["frame_bytes"]))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--broker", choices=("memory", "postgres", "redis"), default=None,
                        help="default: memory for one process, postgres for two")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--rate", type=float, default=1.0, help="sets written per second (default 1)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of writing (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="writes before measuring (default 3): the first "
                        "ones after start-up compile and prepare statements")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait for the last events (default 3)")
    parser.add_argument("--compress", action="store_true", help="permessage-deflate, as browsers negotiate")
    parser.add_argument("--floor", type=int, default=10, metavar="ROUNDS",
                        help="rounds (one a second) of the floor: the same frames written by a plain process with "
                        "no server, read by this client (default 10; 0 skips it)")
    args = parser.parse_args()
    try:  # the client's thousands of sockets share the machine with the server: use the faster loop when there
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(main_async(args))
    print(f"subscribers {result['subscribers']} on {result['processes']} process(es), broker {result['broker']}, "
          f"compression {'on' if result['compress'] else 'off'}, {result['rate']} write(s)/s for {result['duration_s']} s")
    print(f"  latency write->event: p50 {result['latency_p50_ms']} ms, p99 {result['latency_p99_ms']} ms, "
          f"max {result['latency_max_ms']} ms (the write alone: p50 {result['write_p50_ms']} ms, "
          f"p99 {result['write_p99_ms']} ms)")
    print(f"  delivered {result['delivered']} events ({result['delivery_pct']} %), {result['events_per_s']} events/s")
    if "floor_p50_ms" in result:
        print(f"  the floor (no server: a plain process send()s a {result['frame_bytes']}-byte frame to each socket in "
              f"a loop, this client reads): p50 {result['floor_p50_ms']} ms, p99 {result['floor_p99_ms']} ms")
    print(f"  server memory: {result['kb_per_connection']} KB per connection; growth over the run "
          f"{result['rss_growth_mb']} MB ({result['rss_mb']})")
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
