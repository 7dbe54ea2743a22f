"""How GraphQL travels: JSON that never fails to encode, text WebSocket frames,
and the GraphQL-over-HTTP media types with their status codes."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import lru_cache

import orjson
from cross_web import HTTPException
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.types import ExecutionResult

from trainforge.websocket import SHARED_FRAMES, SharedFrameProtocol, SharedText, SocketGone


# --- JSON out ---------------------------------------------------------------------------------------


def _well_formed(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (a well-formed pair becomes its character)."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _scrub_surrogates(value: object) -> object:
    """A copy of JSON-shaped data whose strings (keys too) are all encodable as UTF-8."""
    if isinstance(value, str):
        return _well_formed(value)
    if isinstance(value, dict):
        return {_well_formed(k) if isinstance(k, str) else k: _scrub_surrogates(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub_surrogates(item) for item in value]
    return value


def json_bytes(data: object) -> bytes:
    """orjson, and valid UTF-8 JSON even when a string holds a lone surrogate.

    Python strings may hold lone surrogates (a JSON "\\ud800" escape decodes to
    one) and error messages echo invalid input as given; orjson refuses such
    strings. Only then is the data copied with U+FFFD in their place, so the fast
    path stays as it is. Anything else orjson refuses is a bug and still raises.
    """
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return orjson.dumps(_scrub_surrogates(data))


class TextFrameWebSocketAdapter(ASGIWebSocketAdapter):
    """Every WebSocket message as a text frame.

    Strawberry sends bytes from the encoder as binary frames, which browsers'
    graphql-ws and Apollo's GraphQLWsLink reject (close 4004). ASGI text frames
    are `str`, hence the decode of orjson's (always valid UTF-8) bytes.
    """

    async def send_json(self, message: Mapping[str, object]) -> None:
        await self.send_text(self.view.encode_json_string(message))

    def shared_frames(self) -> SharedFrameProtocol | None:
        """The server's protocol for this socket when it writes shared frames (see trainforge.websocket);
        its `send_shared` is what this adapter's does, without a coroutine per socket."""
        extension = self.ws.scope.get("extensions", {}).get(SHARED_FRAMES)
        return extension["protocol"]() if extension else None

    async def send_text(self, text: str) -> None:
        """A message already encoded."""
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def send_shared(self, message: SharedText, head: bytes, timeout: float) -> bool:
        """`head` then the message's shared bytes, as one text message. False, with nothing sent, when the
        client is too slow: its buffer is full or, on a server that does not tell, it did not take the
        frame within `timeout` seconds. Served by SharedFrameProtocol, the frame is written at once."""
        protocol = self.shared_frames()
        if protocol is not None:
            try:
                return protocol.send_shared(message, head)
            except SocketGone as exc:
                raise WebSocketDisconnected from exc
        try:
            async with asyncio.timeout(timeout):
                await self.send_text((head + message.body).decode())
        except TimeoutError:
            return False
        return True


# --- GraphQL over HTTP: media types and status codes -------------------------------------------------

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
CONTENT_TYPES = {JSON: JSON, GRAPHQL_RESPONSE_JSON: f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"}


def _accepted_ranges(accept: str) -> list[tuple[str, float]]:
    """(media range, q) per element of an Accept header, in order; malformed q-values drop the element."""
    ranges = []
    for element in accept.split(","):
        media_range, *params = (part.strip() for part in element.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if media_range and 0.0 <= q <= 1.0:
            ranges.append((media_range.lower(), q))
    return ranges


def _preference(media_type: str, ranges: list[tuple[str, float]]) -> tuple[float, int, int]:
    """(q, specificity, -position) of the most specific range matching `media_type`; q 0 when none does."""
    kind = media_type.split("/")[0]
    best = (0.0, -1, 0)
    for position, (media_range, q) in enumerate(ranges):
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(media_range)
        if specificity is not None and specificity > best[1]:
            best = (q, specificity, -position)
    return best


@lru_cache(maxsize=256)
def response_media_type(accept: str | None) -> str:
    """The media type of a GraphQL response for this Accept header.

    application/graphql-response+json only when the client names it and prefers
    it (higher q, or equal q and listed first); application/json otherwise,
    including wildcards, no header and headers naming neither type: the spec
    allows answering those with application/json instead of 406.
    """
    ranges = _accepted_ranges(accept or "")
    json_rank = _preference(JSON, ranges)
    graphql_rank = _preference(GRAPHQL_RESPONSE_JSON, ranges)
    if graphql_rank[0] > 0 and graphql_rank > json_rank:
        return GRAPHQL_RESPONSE_JSON
    return JSON


def response_status(media_type: str, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> int:
    """200, except 400 for an application/graphql-response+json answer without `data`.

    That media type lets clients trust the status: no data means the request
    itself was wrong (it never executed). application/json answers 200 always,
    as its older clients expect.
    """
    if media_type == GRAPHQL_RESPONSE_JSON and isinstance(response_data, dict) and "data" not in response_data:
        return 400
    return 200


class MutationOverGet(HTTPException):
    """A mutation sent with GET. The spec wants 405, and RFC 9110 an Allow header with it,
    where strawberry answers a bare 400."""

    def __init__(self, reason: str) -> None:
        super().__init__(405, reason)


def never_executed(result: ExecutionResult) -> bool:
    """A request error: the document did not parse or validate, or the variables did not coerce.

    Execution never started, so there is no data; errors raised during execution
    always carry the path of their field, even when `data` ends up null.
    """
    return result.data is None and bool(result.errors) and all(error.path is None for error in result.errors)
