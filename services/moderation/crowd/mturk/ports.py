"""The Mechanical Turk wing's ports: the requester API, the workers' trust and the spend
ledger (adapters: :mod:`services.moderation.crowd.mturk.adapters`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from services.moderation.crowd.mturk.hits import HitState
from services.moderation.reviews.ports import SpendTotal


@dataclass(frozen=True)
class HitRequest:
    """One HIT: the submission it asks about and the ``HTMLQuestion`` it shows."""

    submission_id: str
    question: str
    # How many times the submission's HIT was created again after MTurk forgot it.
    generation: int = 0


@dataclass(frozen=True)
class WorkAssignment:
    """One worker's assignment of a HIT, its answer still the raw XML."""

    assignment_id: str
    worker_id: str
    hit_id: str
    # Submitted, Approved or Rejected.
    status: str
    answer: str


class HitCrowd(Protocol):
    """Mechanical Turk as moderation uses it: one HIT type per video, one HIT per
    submission. Every failure leaves as :class:`CrowdUnavailable`; a HIT or HIT type
    MTurk does not know as :class:`~services.moderation.crowd.healing.CrowdForgot`."""

    async def create_hit_type(self, video: str) -> str:
        """A HIT type for ``video`` (MTurk answers the same id for the same terms)."""
        ...

    async def listen(self, hit_type_id: str) -> None:
        """Send the type's assignment and reviewable events to our notification queue."""
        ...

    async def create_hit(self, hit_type_id: str, request: HitRequest) -> str:
        """The HIT of ``request.submission_id`` (of its ``generation``): created once,
        found again on a retry."""
        ...

    async def submission_of(self, hit_id: str) -> str | None:
        """The submission a HIT asks about (its annotation), or None for a stranger's HIT."""
        ...

    async def assignments(self, hit_id: str) -> list[WorkAssignment]:
        """Every submitted, approved or rejected assignment of a HIT, all pages."""
        ...

    def reviewable_hits(self) -> AsyncIterator[str]:
        """The ids of every HIT whose assignments are all in, all pages."""
        ...

    async def approve(self, assignment_id: str, feedback: str) -> None:
        """Pay an assignment (idempotent: an approved one stays approved)."""
        ...

    async def reject(self, assignment_id: str, feedback: str) -> None:
        """Refuse an assignment, telling the worker why."""
        ...

    async def reviewed(self, hit_id: str) -> None:
        """Take a settled HIT off the reviewable list."""
        ...

    async def hit_state(self, hit_id: str) -> HitState:
        """The HIT's capacity and expiry as MTurk has them now."""
        ...

    async def add_assignments(
        self, hit_id: str, count: int, submission_id: str, round_number: int
    ) -> None:
        """Offer ``count`` more assignments of the submission's HIT in top-up round
        ``round_number``, once per round (a retry of a round adds nothing and succeeds)."""
        ...

    async def extend(self, hit_id: str, until: datetime) -> None:
        """Let the HIT be taken until ``until`` (re-opens an expired HIT)."""
        ...


class WorkerTrust(Protocol):
    """How often each worker agreed with the verdict, kept in our table."""

    async def trust(self, worker_ids: Sequence[str]) -> dict[str, float]:
        """Each worker's trust (0..1); a worker never seen gets the starting trust."""
        ...

    async def record(self, worker_id: str, agreed: bool) -> None:
        """Count one more judgment of ``worker_id``, agreeing or not."""
        ...


class SpendLedger(Protocol):
    """The cost of each submission's crowd work, summed per video."""

    async def record(self, video: str, submission_id: str, cost: Decimal) -> None:
        """Record the cost of one submission (idempotent: recorded again, counted once)."""
        ...

    async def of_video(self, video: str) -> SpendTotal:
        """The sum over the video's submissions."""
        ...
