"""The console's ports: what an operator's look and actions need from the outside world.

The adapters are under ``console/adapters/`` and the fakes in ``tests/fakes/gateway.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.records import AuditEntry, CrowdSpend, RenderHistory, ReportQueue, ReviewView


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
    """Moderation's operator routes (the operator token is the adapter's)."""

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
    """What the console runs over (besides the showcase); tests build one of fakes."""

    desk: ModerationDesk
    renders: RenderControl
    queues: QueueDepths
    audit: AuditLog
