"""moderation's ports: what its use cases need from the outside world, in domain words.

Adapters live in :mod:`services.moderation.adapters` (and ``shared.objects`` for the
photos); in-memory fakes of every port live in ``tests/fakes/moderation.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from services.moderation.reviews import Review
from services.moderation.verdicts import Judgment
from shared.errors import DependencyUnavailable
from shared.messages import FrameSlot, SubmissionModerated


class ReviewStore(Protocol):
    """Where reviews live."""

    async def get(self, submission_id: str) -> Review | None:
        """The stored review, or None."""
        ...

    async def put(self, review: Review) -> Review | None:
        """Store ``review`` unless the stored version moved on since it was read.

        Returns the review as stored (its version bumped), or None when someone else
        wrote first. A review of version 0 is new and is stored only if none exists.
        """
        ...

    def open_reviews(self) -> AsyncIterator[Review]:
        """Every review that still needs a verdict or steps after one."""
        ...

    async def recent_approved(self, limit: int) -> list[Review]:
        """Approved reviews, newest decision first."""
        ...


class SlotMarkers(Protocol):
    """Which slots already have an approved photo."""

    async def has_approved(self, video: str, frame: int) -> bool:
        """Does the slot have at least one approved photo?"""
        ...

    async def approved_of(self, video: str, frame: int) -> list[str]:
        """The submission ids of the slot's approved photos."""
        ...

    async def add(self, video: str, frame: int, submission_id: str) -> None:
        """Record an approved photo of the slot (idempotent)."""
        ...

    async def remove(self, video: str, frame: int, submission_id: str) -> None:
        """Forget an approved photo of the slot (idempotent)."""
        ...


class PhotoStore(Protocol):
    """Stored photos by key: a subset of :class:`shared.objects.ObjectStore`, so
    :class:`shared.objects.S3ObjectStore` is the adapter as it stands."""

    async def find(self, key: str) -> bytes | None:
        """The photo's bytes, or None when there is no such object."""
        ...

    async def url(self, key: str, seconds: int) -> str:
        """A URL anyone holding it may GET the photo from, for ``seconds``."""
        ...

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store ``data`` under ``key`` (the crowd's gold images); returns its ETag."""
        ...


class VerdictQueues(Protocol):
    """Where decisions go: verdicts to the renderer, rejected slots back to visitors."""

    async def announce(self, verdict: SubmissionModerated) -> None:
        """Tell the renderer about a verdict."""
        ...

    async def return_slot(self, slot: FrameSlot) -> None:
        """Hand a slot out to visitors again."""
        ...


class CrowdUnavailable(DependencyUnavailable):
    """The crowd failed; ``transient`` failures are worth retrying."""

    def __init__(self, detail: str, *, transient: bool) -> None:
        super().__init__("crowd", detail)
        self.transient = transient


class CrowdUnfunded(CrowdUnavailable):
    """The crowd refused an order for lack of funds (402): retried later, not lost."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, transient=False)


@dataclass(frozen=True)
class UnitRequest:
    """What one unit shows the workers."""

    submission_id: str
    photo_url: str
    original_url: str


@dataclass(frozen=True)
class GoldRequest:
    """A test question: its photo beside the original, and the right answers."""

    name: str
    photo_url: str
    original_url: str
    answers: dict[str, str]


@dataclass(frozen=True)
class CrowdJob:
    """The crowd job of one video, as remembered in the reviews table."""

    video: str
    job_id: str
    # Gold name -> unit id, once the test questions exist.
    gold_units: dict[str, str] = field(default_factory=dict)
    # When the gold units' photo URLs were last (re)issued.
    gold_urls_at: datetime | None = None


class CrowdJobs(Protocol):
    """Which crowd job each video has (so no listing of jobs is needed)."""

    async def job_of(self, video: str) -> CrowdJob | None:
        """The remembered job of ``video``, or None."""
        ...

    async def remember(self, job: CrowdJob) -> CrowdJob:
        """Remember a new job unless one is already remembered; returns the one kept."""
        ...

    async def update(self, job: CrowdJob) -> None:
        """Store the job's gold units and the time of their URLs."""
        ...


class CrowdClient(Protocol):
    """The crowd: one job per video, one unit per submission, judgments per unit.

    Every failure leaves as :class:`CrowdUnavailable`.
    """

    async def ensure_job(self, video: str) -> str:
        """The id of the job of ``video``, created if there is none."""
        ...

    async def create_unit(self, job_id: str, unit: UnitRequest) -> str:
        """Create a unit (not yet ordered: nobody judges it); return its id."""
        ...

    async def refresh_unit(self, job_id: str, unit_id: str, unit: UnitRequest) -> None:
        """Replace a unit's data (fresh photo URLs for a unit that waited long)."""
        ...

    async def order(self, job_id: str, units_count: int) -> None:
        """Order ``units_count`` of the job's unordered units; :class:`CrowdUnfunded` on 402."""
        ...

    async def create_gold(self, job_id: str, gold: GoldRequest) -> str:
        """Create a test question; return its unit id."""
        ...

    async def refresh_gold(self, job_id: str, unit_id: str, gold: GoldRequest) -> None:
        """Replace a test question's data (fresh photo URLs)."""
        ...

    async def gold_units(self, job_id: str) -> dict[str, str]:
        """The job's existing test questions, gold name -> unit id."""
        ...

    async def find_unit(self, job_id: str, submission_id: str) -> str | None:
        """The id of an existing unit for ``submission_id``, if any."""
        ...

    async def judgments(self, job_id: str, unit_id: str) -> list[Judgment]:
        """Every judgment of a unit so far."""
        ...
