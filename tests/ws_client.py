"""A real WebSocket client for the tests: a uvicorn server in the test loop, graphql-transport-ws messages.

Every message is checked to have come as a text frame, as browsers, graphql-ws and Apollo require.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from websockets.asyncio.client import ClientConnection

from trainforge.websocket import SharedFrameProtocol

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


@asynccontextmanager
async def serving(app: Any, ws: Any = SharedFrameProtocol) -> AsyncIterator[str]:
    """ws://127.0.0.1:<port>/graphql served by uvicorn from `app`, in this event loop, with the WebSocket
    protocol `serve` uses (or `ws`: one of uvicorn's own)."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning", ws=ws))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()  # surface a startup failure
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        async with asyncio.timeout(10):
            await task


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive_frame(ws: ClientConnection) -> dict[str, Any]:
    """The next server message, which must have come as a text frame.

    Browsers, graphql-ws and Apollo's GraphQLWsLink drop binary frames. With
    websockets' default `recv()` (decode=None) a text frame comes back as `str`
    and a binary one as `bytes`; `decode=True` would turn both into `str` and
    hide the difference, `decode=False` would turn both into `bytes`.
    """
    frame = await ws.recv()
    assert isinstance(frame, str), f"binary frame from the server: {frame!r}"
    return json.loads(frame)


async def receive(ws: ClientConnection) -> dict[str, Any]:
    """The next protocol message, skipping keep-alives (`ka`, `ping`)."""
    while True:
        message = await receive_frame(ws)
        if message["type"] == "ping":
            await send(ws, {"type": "pong"})
            continue
        if message["type"] != "ka":
            return message


def assert_ack(message: dict[str, Any]) -> None:
    # The protocol allows an absent or null payload; this server sends none of its own.
    assert message["type"] == "connection_ack", message
    assert set(message) <= {"type", "payload"} and message.get("payload") is None, message
