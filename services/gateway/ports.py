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
from shared.records import (
    AuditEntry,
    CrowdSpend,
    RenderHistory,
    ReportFiled,
    ReportOutcome,
    ReportQueue,
    ReviewView,
)

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


# The operators' console (services.gateway.console) and visitors' reports.


@dataclass(frozen=True)
class QueueDepth:
    """One queue's messages: waiting, in flight (leased or being handled), and the count
    in its dead-letter queue (None: it has none)."""

    queue: str
    waiting: int
    in_flight: int
    dead_letters: int | None


class QueueDepths(Protocol):
    """How full the queues are (SQS GetQueueAttributes)."""

    async def depth(self, queue: str) -> QueueDepth | None:
        """The depths of ``queue`` and its dead-letter queue; None when it does not exist."""


class ModerationDesk(Protocol):
    """Moderation's report and operator routes (the operator token is the adapter's)."""

    async def file_report(self, submission_id: str, report: ReportFiled) -> ReportOutcome:
        """File a visitor's report (NotFound: not a shown photo)."""

    async def report_queue(self) -> ReportQueue:
        """The reported photos awaiting an operator."""

    async def pending(self) -> list[ReviewView]:
        """Reviews waiting for the crowd, oldest first."""

    async def decide(self, submission_id: str, action: str) -> ReviewView:
        """``takedown`` or ``restore`` one photo."""

    async def revert(self, client_id: str) -> list[ReviewView]:
        """Take down every approved photo of one contributor."""

    async def spend(self) -> CrowdSpend:
        """Crowd spend per video and per approved frame."""


class RenderControl(Protocol):
    """The renderer's operator routes."""

    async def history(self, video: str) -> RenderHistory:
        """The video's recent renders, newest first."""

    async def render_now(self, video: str) -> None:
        """Force a render of ``video`` now."""


class AuditLog(Protocol):
    """Every operator action, kept durably."""

    async def record(self, entry: AuditEntry) -> None:
        """Keep ``entry``."""

    async def latest(self, limit: int) -> list[AuditEntry]:
        """The newest ``limit`` entries, newest first."""


@dataclass(frozen=True)
class ConsolePorts:
    """What the console runs over; tests build one of fakes."""

    desk: ModerationDesk
    renders: RenderControl
    queues: QueueDepths
    audit: AuditLog
