"""moderation's ports: what its use cases need from the outside world, in domain words.

Adapters live in :mod:`services.moderation.adapters` (and ``shared.objects`` for the
photos); in-memory fakes of every port live in ``tests/fakes/moderation.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from services.moderation.complaints import Complaint, ReportedPhoto
from services.moderation.hits import HitState
from services.moderation.offers import Slot
from services.moderation.reviews import Review
from services.moderation.verdicts import Judgment
from shared.errors import DependencyUnavailable
from shared.messages import SubmissionModerated


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

    def withdrawn(self) -> AsyncIterator[Review]:
        """Every review a later decision withdrew (taken down, hidden, deleted), done."""
        ...

    async def of_client(self, client_id: str, limit: int) -> list[Review]:
        """Up to ``limit`` reviews of one visitor's submissions, newest first (a new
        review is filed under its client id when first stored)."""
        ...

    async def forget_client(self, client_id: str, submission_id: str) -> None:
        """Remove the submission from the visitor's list (idempotent)."""
        ...


class ComplaintStore(Protocol):
    """Visitors' reports about photos, and the queue of reported photos."""

    async def add(self, complaint: Complaint) -> bool:
        """Store ``complaint`` and queue its photo; False when this visitor already
        reported this photo (nothing changes then but the queue entry, made sure of)."""
        ...

    async def of_photo(self, submission_id: str) -> list[Complaint]:
        """Every report about one photo, oldest first."""
        ...

    async def queued(self, limit: int) -> list[ReportedPhoto]:
        """Up to ``limit`` reported photos no operator has decided on, oldest first."""
        ...

    async def resolve(self, submission_id: str) -> None:
        """Take the photo out of the queue (its reports stay)."""
        ...


class SlotRegistry(Protocol):
    """The slots of every imported video (:mod:`services.moderation.offers`)."""

    async def approved_of(self, video: str, frame: int) -> list[str]:
        """The submission ids of the slot's approved photos."""
        ...

    async def change(self, video: str, frame: int, event: Callable[[Slot], Slot]) -> Slot | None:
        """Apply ``event`` to the slot through a version-checked write (retried on a race);
        the slot after it, or None when the video has no such slot."""
        ...


@dataclass(frozen=True)
class VideoFeed:
    """What the feeder knows of one video: its size, how many slots it registered, and
    which incarnation of the video's frames queue its offered slots were sent to."""

    video: str
    frame_count: int
    registered: int = 0
    queue_created: str | None = None

    @property
    def is_registered(self) -> bool:
        """Is every slot of the video recorded?"""
        return self.registered >= self.frame_count


class FeedRegistry(SlotRegistry, Protocol):
    """The slot records, as the feeder reads and writes them."""

    async def feed_of(self, video: str) -> VideoFeed | None:
        """The video's feed record, or None before the feeder first saw it."""
        ...

    async def save_feed(self, feed: VideoFeed) -> None:
        """Write the video's feed record."""
        ...

    async def register(self, video: str, ranks: Sequence[int], start: int, count: int) -> None:
        """Record slots ``start`` .. ``start + count - 1`` of ``video`` as new and open."""
        ...

    async def offerable(self, video: str, tier: int, limit: int) -> list[Slot]:
        """Up to ``limit`` slots of ``tier`` the feeder may offer, in offering order."""
        ...

    async def has_unapproved(self, video: str) -> bool:
        """Does any slot of the video still lack an approved photo?"""
        ...

    async def offered(self, video: str) -> list[Slot]:
        """Every slot of the video whose message is out."""
        ...

    async def queue_seen(self, queue: str) -> str | None:
        """The creation time of ``queue`` when it was last checked, or None."""
        ...

    async def save_queue_seen(self, queue: str, created: str) -> None:
        """Remember the creation time of ``queue``."""
        ...


@dataclass(frozen=True)
class QueueState:
    """A frames queue as the feeder sees it: messages waiting, and when it was created
    (a different creation time means the queue, and the messages in it, were lost)."""

    waiting: int
    created: str


class QueueWatch(Protocol):
    """The fixed queues' identities: a queue recreated since we last looked lost its
    messages."""

    async def created(self, queue: str) -> str | None:
        """When ``queue`` was created, or None when it does not exist."""
        ...


class FramesTransport(Protocol):
    """Each video's frames queue: the messages that hand slots out to visitors."""

    async def state(self, video: str) -> QueueState | None:
        """The queue of ``video``, or None when it does not exist."""
        ...

    async def create(self, video: str) -> QueueState:
        """Create the queue of ``video`` (and its dead-letter queue); idempotent."""
        ...

    async def offer(self, video: str, frames: Sequence[int]) -> list[str]:
        """Send one message per frame; their message ids, in order."""
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

    async def delete(self, keys: list[str]) -> None:
        """Delete ``keys`` (missing ones are fine): a deleted submission's files."""
        ...


class VerdictQueues(Protocol):
    """Where verdicts go: the renderer. (Rejected slots go back through the slot records:
    :class:`SlotRegistry`.)"""

    async def announce(self, verdict: SubmissionModerated) -> None:
        """Tell the renderer about a verdict."""
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

    async def unit_state(self, job_id: str, unit_id: str) -> str:
        """The unit's state as the crowd keeps it (``new`` until an order takes it)."""
        ...


# Mechanical Turk (MODERATION_CROWD_PROVIDER=mturk) ------------------------------------


@dataclass(frozen=True)
class HitRequest:
    """One HIT: the submission it asks about and the ``HTMLQuestion`` it shows."""

    submission_id: str
    question: str


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
    submission. Every failure leaves as :class:`CrowdUnavailable`."""

    async def create_hit_type(self, video: str) -> str:
        """A HIT type for ``video`` (MTurk answers the same id for the same terms)."""
        ...

    async def listen(self, hit_type_id: str) -> None:
        """Send the type's assignment and reviewable events to our notification queue."""
        ...

    async def create_hit(self, hit_type_id: str, request: HitRequest) -> str:
        """The HIT of ``request.submission_id``: created once, found again on a retry."""
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


@dataclass(frozen=True)
class SpendTotal:
    """What the crowd cost for one video: the sum (USD) over its HITs."""

    video: str
    total: Decimal
    hits: int


class CrowdSpend(Protocol):
    """The cost of each submission's crowd work, summed per video."""

    async def record(self, video: str, submission_id: str, cost: Decimal) -> None:
        """Record the cost of one submission (idempotent: recorded again, counted once)."""
        ...

    async def of_video(self, video: str) -> SpendTotal:
        """The sum over the video's submissions."""
        ...
