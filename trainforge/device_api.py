"""Plain HTTP for devices and their gateways: heart-rate samples in as NDJSON, workout files out.

    POST /sessions/{session_id}/heart-rate?device=NAME
    Authorization: Bearer <token>            (the same tokens as GraphQL)
    {"at": 1764662400000, "bpm": 142}        one sample a line; `at` in epoch milliseconds,
    {"at": "2026-12-02T07:00:01Z", "bpm": 143}   or an ISO 8601 time with its zone

200 {"accepted", "dropped": {"outOfRange", "outsideSession", "duplicate"}, "firstAt", "lastAt"};
400 when a line is not a sample (nothing is stored; the error names the line), 401 without a valid
token, 404 for a session that is not the viewer's, 413 above MAX_SAMPLES or MAX_BODY_BYTES. All the
samples of a request are stored in one transaction, a row per 10,000; watchers get one event per row.

    GET /sessions/{session_id}/workout.fit    a FIT workout of the session's planned steps (Garmin)
    GET /sessions/{session_id}/workout.zwo    a Zwift workout of a ride (?ftp=watts for power targets)

for a session the viewer may read (its athlete, their coach); 404 otherwise or without structured steps,
400 when the session cannot be such a file (the error says why).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime, timezone

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from trainforge.models.heart_rate import MAX_BATCH_SAMPLES
from trainforge.resolvers import heart_rate as resolve
from trainforge.services import auth, fit_files, heart_rate, training
from trainforge.services.auth import Viewer
from trainforge.services.errors import InvalidInput, NotFound, ServiceError, Unauthenticated

MAX_SAMPLES = 500_000
MAX_BODY_BYTES = 32 * 1024 * 1024
PARSE_IN_THREAD_BYTES = 1024 * 1024


def _error(status: int, message: str, code: str, field: str | None = None) -> JSONResponse:
    extensions = {"code": code, **({"field": field} if field else {})}
    return JSONResponse({"errors": [{"message": message, "extensions": extensions}]}, status_code=status)


class BadLine(InvalidInput):
    pass


LATEST_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


def _instant(value: object, line: int) -> int:
    if type(value) is int and 0 <= value <= LATEST_MS:
        return value
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            at = None
        if at is not None and at.tzinfo is not None:
            return round(at.timestamp() * 1000)
    raise BadLine(f"line {line}: `at` must be epoch milliseconds (from 1970 to 9999) or an ISO 8601 time with a zone",
                  field=f"line {line}")


def parse(body: bytes) -> tuple[list[int], list[int]]:
    """(instants in ms, bpm) of an NDJSON body; BadLine names the first line that is not a sample."""
    instants: list[int] = []
    bpms: list[int] = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise BadLine(f"line {number}: not JSON", field=f"line {number}") from None
        if not isinstance(item, dict) or type(item.get("bpm")) is not int:
            raise BadLine(f"line {number}: a sample is {{\"at\": ..., \"bpm\": <integer>}}", field=f"line {number}")
        instants.append(_instant(item.get("at"), number))
        bpms.append(item["bpm"])
        if len(bpms) > MAX_SAMPLES:
            raise OverflowError
    if not bpms:
        raise BadLine("no samples", field="body")
    return instants, bpms


def batches(device: str, instants: list[int], bpms: list[int]) -> list[heart_rate.Samples]:
    """The samples in time order, in rows of at most MAX_BATCH_SAMPLES spanning at most the service's
    largest offset (a stray sample years away starts a row of its own, and is then dropped as outside)."""
    out = []
    chunk: list[tuple[int, int]] = []
    for at, bpm in sorted(zip(instants, bpms)):
        if chunk and (len(chunk) == MAX_BATCH_SAMPLES or at - chunk[0][0] > heart_rate.MAX_SPAN_MS):
            out.append(_samples(device, chunk))
            chunk = []
        chunk.append((at, bpm))
    if chunk:
        out.append(_samples(device, chunk))
    return out


def _samples(device: str, chunk: list[tuple[int, int]]) -> heart_rate.Samples:
    base = chunk[0][0]
    return heart_rate.Samples(device, datetime.fromtimestamp(base / 1000, tz=timezone.utc),
                              [at - base for at, _ in chunk], [bpm for _, bpm in chunk])


async def _body(request: Request) -> bytes | None:
    """The body, or None once it passes MAX_BODY_BYTES (read no further)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _caller(request: Request) -> tuple[Viewer, uuid.UUID | None] | JSONResponse:
    """(the viewer of the bearer token, the path's session id or None), or the 401 to answer."""
    token = auth.bearer_token(request.headers.get("authorization"))
    try:
        if token is None:
            raise Unauthenticated("a bearer token is required")
        viewer = auth.verify_token(request.app.state.graphql.settings, token)
    except Unauthenticated as exc:
        return _error(401, exc.message, "UNAUTHENTICATED")
    try:
        return viewer, uuid.UUID(request.path_params["session_id"])
    except ValueError:
        return viewer, None


async def heart_rate_ndjson(request: Request) -> JSONResponse:
    view = request.app.state.graphql
    caller = _caller(request)
    if isinstance(caller, JSONResponse):
        return caller
    viewer, session_id = caller
    if session_id is None:
        return _error(404, "no such session of yours", "NOT_FOUND", "sessionId")
    device = request.query_params.get("device", "")
    body = await _body(request)
    if body is None:
        return _error(413, f"at most {MAX_BODY_BYTES} bytes a request", "PAYLOAD_TOO_LARGE")
    try:
        # A big body parses in a thread: the loop keeps serving (live events) meanwhile.
        instants, bpms = parse(body) if len(body) < PARSE_IN_THREAD_BYTES else await asyncio.to_thread(parse, body)
    except BadLine as exc:
        return _error(400, exc.message, "BAD_USER_INPUT", exc.field)
    except OverflowError:
        return _error(413, f"at most {MAX_SAMPLES} samples a request", "PAYLOAD_TOO_LARGE")
    now, trimp = training.utc_now(), resolve.coefficients_of(view.settings)
    try:
        async with view.sessions.begin() as session:
            done = await heart_rate.ingest_all(session, viewer, session_id, batches(device, instants, bpms), now, trimp)
    except NotFound as exc:
        return _error(404, exc.message, "NOT_FOUND", "sessionId")
    except ServiceError as exc:
        return _error(400, exc.message, "BAD_USER_INPUT", (exc.field or "").replace("input.", "") or None)
    for ingested in done:
        await resolve.published(view.broker, ingested)
    firsts = [d.first_at for d in done if d.first_at]
    lasts = [d.last_at for d in done if d.last_at]
    return JSONResponse({
        "sessionId": str(session_id), "accepted": sum(d.accepted for d in done),
        "dropped": {"outOfRange": sum(d.out_of_range for d in done),
                    "outsideSession": sum(d.outside_session for d in done),
                    "duplicate": sum(d.duplicates for d in done)},
        "firstAt": min(firsts).isoformat() if firsts else None, "lastAt": max(lasts).isoformat() if lasts else None,
    })


async def workout_file(request: Request) -> Response:
    view = request.app.state.graphql
    caller = _caller(request)
    if isinstance(caller, JSONResponse):
        return caller
    viewer, session_id = caller
    async with view.reader.connect() as conn:
        row = await training.get_session(conn, viewer, session_id) if session_id else None
        if row is None or not row.workout_snapshot.planned_steps:
            return _error(404, "no such session with structured steps", "NOT_FOUND", "sessionId")
        zones, _ = await heart_rate.zones_of(conn, row.athlete_id)
    snapshot = row.workout_snapshot
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", snapshot.name).strip("-")[:60] or "workout"
    try:
        if request.url.path.endswith(".fit"):
            body = fit_files.workout_fit(snapshot, training.utc_now())
            return Response(body, media_type="application/vnd.ant.fit",
                            headers={"Content-Disposition": f'attachment; filename="{name}.fit"'})
        ftp = request.query_params.get("ftp")
        watts = int(ftp) if ftp and ftp.isdigit() and 0 < int(ftp) <= 2000 else None
        if ftp is not None and watts is None:
            raise InvalidInput("ftp is watts, 1 to 2000", field="ftp")
        body = fit_files.workout_zwo(snapshot, watts, zones).encode()
        return Response(body, media_type="application/xml",
                        headers={"Content-Disposition": f'attachment; filename="{name}.zwo"'})
    except InvalidInput as exc:
        return _error(400, exc.message, "BAD_USER_INPUT", exc.field)
