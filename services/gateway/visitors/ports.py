"""The visitors' ports: what leases, photos and reports need from the outside world.

The showcase's reads are the core's (:mod:`services.gateway.core.ports`); the adapters
are under ``visitors/adapters/`` and the in-memory fakes in ``tests/fakes/gateway.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.messages import FrameSlot
from shared.objects import ObjectStore
from shared.records import ReportFiled, ReportOutcome


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


class ReportDesk(Protocol):
    """Moderation's report route, which counts one report per visitor and photo."""

    async def file_report(self, submission_id: str, report: ReportFiled) -> ReportOutcome:
        """File a visitor's report (NotFound: not a shown photo)."""


@dataclass(frozen=True)
class VisitorPorts:
    """What the visitors' use cases run over (besides the showcase); tests build fakes."""

    frames: FrameQueue
    ingest: PhotoIntake
    objects: ObjectStore
