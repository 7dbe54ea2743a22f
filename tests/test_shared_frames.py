"""Frames built from shared bytes (trainforge.websocket) read back by the websockets library's own parser,
with and without permessage-deflate, as a client that keeps or drops its context between messages."""

from __future__ import annotations

import pytest
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from trainforge.websocket import SharedText


def read_frames(data: bytes, extensions: list[PerMessageDeflate]) -> list[Frame]:
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    frames = []
    while reader.buffer:
        parser = Frame.parse(reader.read_exact, mask=False, extensions=extensions)
        try:
            next(parser)
        except StopIteration as done:
            frames.append(done.value)
    return frames


HEADS = [b"", b'{"id":"1","type":"next","payload":', b'{"id":"' + b"x" * 70_000 + b'"']
BODIES = [b'{"data":{"sessionEvents":{"version":3}}}}', ("é" * 40_000).encode() + b"}"]


@pytest.mark.parametrize("head", HEADS, ids=["no head", "an operation id", "a head over one stored block"])
@pytest.mark.parametrize("body", BODIES, ids=["small", "over 64 KB"])
def test_uncompressed_frames_are_whole_text_frames(head: bytes, body: bytes) -> None:
    message = SharedText(body)
    [frame] = read_frames(message.frame(head, None), [])
    assert (frame.opcode, frame.fin, frame.data) == (Opcode.TEXT, True, head + body)


@pytest.mark.parametrize("bits", [9, 12, 15])
@pytest.mark.parametrize("client_keeps_context", [True, False])
def test_deflated_frames_decode_one_after_another(bits: int, client_keeps_context: bool) -> None:
    """Several messages on one socket decode in a row: none refers to an earlier one, so a client that
    keeps its window (context takeover on its side) reads them as well as one that does not."""
    client = PerMessageDeflate(remote_no_context_takeover=not client_keeps_context, local_no_context_takeover=False,
                               remote_max_window_bits=bits, local_max_window_bits=bits)
    messages = [(head, SharedText(body)) for head in HEADS for body in BODIES]
    frames = read_frames(b"".join(shared.frame(head, bits) for head, shared in messages), [client])
    assert [(f.opcode, f.fin, f.rsv1, f.data) for f in frames] == [
        (Opcode.TEXT, True, False, head + shared.body) for head, shared in messages]


def test_the_body_is_compressed_once_per_window() -> None:
    message = SharedText(b'{"data":{"a":1}}}')
    shared = message.compressed(12)
    assert message.frame(b"a", 12).endswith(shared) and message.frame(b"bb", 12).endswith(shared)
    assert message.compressed(12) is shared


def test_one_message_frames_heads_of_every_length() -> None:
    """Frame headers are kept by length for the message's sockets: heads of other lengths get their own."""
    message = SharedText(b'{"data":{"a":1}}}')
    heads = [b"a", b"bb", b"a", b"c" * 200, b"d" * 70_000, b"bb"]
    frames = read_frames(b"".join(message.frame(head, None) for head in heads), [])
    assert [(f.opcode, f.fin, f.data) for f in frames] == [(Opcode.TEXT, True, head + message.body) for head in heads]
