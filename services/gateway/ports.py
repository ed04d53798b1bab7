"""The gateway's ports: what its use cases need from the outside world, in domain words.

The object store is :class:`shared.objects.ObjectStore`; the adapters are under
``adapters/`` and the in-memory fakes in ``tests/fakes/gateway.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from shared.messages import FrameSlot
from shared.objects import ObjectStore
from shared.records import ReviewView

# Epoch seconds now (leases), or a monotonic reading (cache ages).
Clock = Callable[[], float]


@dataclass(frozen=True)
class LeasedSlot:
    """A slot received from the queue, invisible to others until the lease ends."""

    slot: FrameSlot
    receipt_handle: str


@dataclass(frozen=True)
class PhotoUpload:
    """A photo for a lease, as the gateway received and checked it."""

    lease_id: str
    token: str
    content_type: str
    body: bytes
    display_name: str | None


class FrameQueue(Protocol):
    """Slots waiting for a photo, one queue per video."""

    async def lease(self, video: str, visibility_seconds: int) -> LeasedSlot | None:
        """Reserve the video's next slot, or None when none is waiting."""

    async def extend(self, video: str, receipt_handle: str, visibility_seconds: int) -> None:
        """Keep the slot reserved for ``visibility_seconds`` from now (LeaseGone if lost)."""

    async def release(self, video: str, receipt_handle: str) -> None:
        """Make the slot available to others at once."""


class PhotoIntake(Protocol):
    """The ingest service, which turns a leased photo into a stored submission."""

    async def submit(self, upload: PhotoUpload) -> None:
        """Store the photo; idempotent per lease. Raises the error ingest answered."""


class ReviewsReader(Protocol):
    """What moderation knows about submissions (its read API)."""

    async def review(self, submission_id: str) -> ReviewView:
        """One submission's review (NotFound if moderation has not seen it)."""

    async def recent(self, limit: int) -> list[ReviewView]:
        """The latest approved photos, newest first."""

    async def of_slot(self, video: str, frame: int) -> list[ReviewView]:
        """The approved photos of one slot, best first."""

    async def of_client(self, client_id: str) -> list[ReviewView]:
        """Every submission of one visitor moderation knows, newest first."""

    async def delete(self, client_id: str, submission_id: str) -> ReviewView:
        """Withdraw the visitor's own submission (NotFound for anyone else's)."""

    async def credits(self, video: str) -> list[ReviewView]:
        """The approved photo each slot of ``video`` shows, in frame order."""


@dataclass(frozen=True)
class GatewayPorts:
    """Every port the gateway's use cases run over; tests build one of fakes."""

    frames: FrameQueue
    ingest: PhotoIntake
    reviews: ReviewsReader
    objects: ObjectStore
