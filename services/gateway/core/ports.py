"""The core wing's ports: what the showcase reads, in domain words.

The object store is :class:`shared.objects.ObjectStore`; the adapters are under
``core/adapters/`` and the in-memory fakes in ``tests/fakes/gateway.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from shared.objects import ObjectStore
from shared.records import ReviewView

# Epoch seconds now (leases), or a monotonic reading (cache ages).
Clock = Callable[[], float]


class ReviewsReader(Protocol):
    """What moderation knows about the photos the pages show (its read API)."""

    async def review(self, submission_id: str) -> ReviewView:
        """One submission's review (NotFound if moderation has not seen it)."""

    async def recent(self, limit: int) -> list[ReviewView]:
        """The latest approved photos, newest first."""

    async def of_slot(self, video: str, frame: int) -> list[ReviewView]:
        """The approved photos of one slot, best first."""


@dataclass(frozen=True)
class CorePorts:
    """What the showcase runs over; tests build one of fakes."""

    reviews: ReviewsReader
    objects: ObjectStore
