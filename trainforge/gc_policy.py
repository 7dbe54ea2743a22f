"""Keeping full garbage collections short when thousands of connections are open.

A full (generation 2) collection walks every tracked object: with 10,000
WebSocket subscribers it stalled this server's event loop for 1.0-1.2 s
(bench/session_fanout.py, measured with a gc callback), and that pause set the
p99 of event delivery. After start-up the app freezes what exists (the schema,
modules); this policy also freezes what survives each full collection, so the
next one walks only what is newer: with it the longest pause at 10,000
subscribers was 65 ms.

Frozen objects are never examined again, so garbage in reference cycles among
them (a closed connection's objects) would stay. Every `unfreeze_every`-th
full collection therefore starts from everything unfrozen: one long pause
that far apart reclaims them.
"""

from __future__ import annotations

import gc
from typing import Any


class FreezeSurvivors:
    """A `gc.callbacks` entry: freeze after each full collection, unfreeze before every n-th."""

    def __init__(self, unfreeze_every: int = 50) -> None:
        self.unfreeze_every = unfreeze_every
        self.full_collections = 0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "stop":
            self.full_collections += 1
            gc.freeze()
            if self.full_collections % self.unfreeze_every == self.unfreeze_every - 1:
                gc.unfreeze()  # the next full collection walks everything once

    def install(self) -> None:
        if self not in gc.callbacks:
            gc.callbacks.append(self)

    def remove(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)
