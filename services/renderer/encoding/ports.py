"""The encoding wing's ports: encoder workers behind a queue, and a worker's encoder.

Adapters in :mod:`services.renderer.encoding.adapters`; fakes in ``tests/fakes/renderer.py``.
"""

from __future__ import annotations

from typing import Protocol

from services.renderer.encoding.fanout import EncodeJob, SegmentOrder


class SegmentFarm(Protocol):
    """Encoder workers elsewhere, reached through a queue (the renderer's fan-out)."""

    async def encode(self, jobs: list[EncodeJob]) -> list[EncodeJob]:
        """Have workers encode ``jobs``; bring each fragment (and a missing init part) to
        its local path; return the jobs not delivered by the deadline (the caller
        encodes them itself)."""
        ...

    async def prune(self, video: str, keep: set[str]) -> None:
        """Delete the stored fragments of ``video`` whose names are not in ``keep``."""
        ...


class SegmentEncoder(Protocol):
    """Encodes one ordered segment (an encoder worker's side)."""

    async def encode(self, order: SegmentOrder) -> tuple[bytes, bytes]:
        """Fetch the order's inputs and encode them: (its fragment, its rung's init part)."""
        ...
