"""uvicorn's WebSocket protocol, able to write one message, framed from shared bytes, to many sockets.

The grouped fan-out (fanout.py) sends each event to every subscriber of a session. Through ASGI each
socket costs a send event, the websockets library's framing and, with permessage-deflate, compressing
the same payload again: 20-40 us per socket, 20-40 ms for a thousand. A `SharedText` is encoded (and
compressed) once per event; each socket then gets its own frame header and head (the operation id)
in front of the shared bytes, written straight to its transport.

permessage-deflate is negotiated with server_no_context_takeover, which a server may add to any offer it
accepts (RFC 7692, section 7.1.1.1): no message the server sends refers to an earlier one, so the shared
bytes are valid on every socket and uvicorn's own messages (acks, pings, `complete`) can come between
them. It also drops each socket's compressor between messages (memory per connection). The per-socket
head goes in front of the shared compressed bytes as a stored block (RFC 1951, section 3.2.4).
"""

from __future__ import annotations

import functools
import struct
import weakref
import zlib
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.permessage_deflate import PerMessageDeflate, ServerPerMessageDeflateFactory
from websockets.http11 import Request
from websockets.server import ServerProtocol

FIN_TEXT = 0x81
RSV1 = 0x40  # the frame's message is compressed (RFC 7692, section 6)
SYNC_FLUSH_TAIL = b"\x00\x00\xff\xff"  # left off a compressed message (RFC 7692, section 7.2.1)
STORED_BLOCK_MAX = 0xFFFF
# The ASGI scope extension through which the app reaches the socket's protocol: {"protocol": weakref}.
SHARED_FRAMES = "trainforge.shared_frames"


def _header(first: int, length: int) -> bytes:
    """A server frame's header (never masked: RFC 6455, section 5.1)."""
    if length < 126:
        return bytes((first, length))
    if length < 1 << 16:
        return struct.pack("!BBH", first, 126, length)
    return struct.pack("!BBQ", first, 127, length)


def _stored(data: bytes) -> bytes:
    """`data` as non-final stored deflate blocks, starting on a byte boundary."""
    blocks = []
    for start in range(0, len(data), STORED_BLOCK_MAX):
        chunk = data[start:start + STORED_BLOCK_MAX]
        blocks.append(struct.pack("<BHH", 0, len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


class SharedText:
    """One text message for many sockets: a per-socket head, then this shared UTF-8 body."""

    __slots__ = ("body", "_compressed", "_headers")

    def __init__(self, body: bytes) -> None:
        self.body = body
        self._compressed: dict[int, bytes] = {}
        self._headers: dict[int, bytes] = {}  # uncompressed frame headers by length (heads' lengths repeat)

    def compressed(self, window_bits: int) -> bytes:
        """The body as raw deflate for a peer's window (computed once per window size)."""
        data = self._compressed.get(window_bits)
        if data is None:
            # memLevel 5: what uvicorn's own permessage-deflate uses.
            compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -window_bits, 5)
            data = compressor.compress(self.body) + compressor.flush(zlib.Z_SYNC_FLUSH)
            data = self._compressed[window_bits] = data.removesuffix(SYNC_FLUSH_TAIL)
        return data

    def frame(self, head: bytes, window_bits: int | None) -> bytes:
        """The whole frame for a socket: uncompressed (window_bits None) or deflated."""
        if window_bits is None:
            length = len(head) + len(self.body)
            header = self._headers.get(length)
            if header is None:
                header = self._headers[length] = _header(FIN_TEXT, length)
            return b"".join((header, head, self.body))
        data = _stored(head) + self.compressed(window_bits)
        return _header(FIN_TEXT | RSV1, len(data)) + data


class SocketGone(ConnectionError):
    """The socket is closed or closing: nothing more can be sent on it."""


class SharedFrameProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websockets protocol (its default), with `send_shared` and deflate negotiated
    without server context takeover. Serve with `uvicorn.run(..., ws=SharedFrameProtocol)`; the app finds
    it in the scope's extensions (middleware wraps the ASGI `send`, which hides it)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.config.ws_per_message_deflate:
            self.conn = ServerProtocol(
                extensions=[ServerPerMessageDeflateFactory(
                    server_max_window_bits=12, client_max_window_bits=12, server_no_context_takeover=True,
                    compress_settings={"memLevel": 5},
                )],
                max_size=self.config.ws_max_size,
                logger=self.conn.logger,
            )

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        scope: Any = getattr(self, "scope", None)  # set once the handshake is accepted
        if scope is not None:
            scope["extensions"][SHARED_FRAMES] = {"protocol": weakref.ref(self)}  # weak: no cycle via the scope

    # Set while the transport's buffer is above its high-water mark: a plain attribute, read for every
    # socket of every event (uvicorn's own `writable` event costs two more objects to reach per socket).
    write_paused = False

    def pause_writing(self) -> None:
        super().pause_writing()
        self.write_paused = True

    def resume_writing(self) -> None:
        super().resume_writing()
        self.write_paused = False

    @functools.cached_property
    def _framing(self) -> int | None | bool:
        """How our messages go (fixed once the handshake is done): None uncompressed, an int the deflate
        window they are compressed for, or False when shared bytes cannot serve this socket (its deflate
        keeps context, or has a window under zlib's 512 bytes) and each message is compressed for it alone."""
        for extension in self.conn.extensions:
            if isinstance(extension, PerMessageDeflate):
                bits = extension.local_max_window_bits
                return bits if extension.local_no_context_takeover and bits >= 9 else False
        return None

    def send_shared(self, message: SharedText, head: bytes) -> bool:
        """Writes the message now: True when written, False when the socket's buffer is full (a slow
        reader; nothing was written). SocketGone when it is closed or closing."""
        if self.close_sent or self.disconnected or not self.handshake_complete or self.transport.is_closing():
            raise SocketGone("the WebSocket is closed")
        if self.write_paused:  # a slow reader
            return False
        framing = self._framing
        if framing is False:
            self.conn.send_text(head + message.body)
            self.transport.write(b"".join(self.conn.data_to_send()))
        else:
            self.transport.write(message.frame(head, framing))
        return True
