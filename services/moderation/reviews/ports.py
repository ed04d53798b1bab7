"""The core's ports: what reviewing needs from the outside world, in domain words.

Adapters live in each wing's ``adapters/`` (the review store in
:mod:`services.moderation.reviews.adapters`, the slot records in
:mod:`services.moderation.slots.adapters`) and ``shared.objects`` for the photos; the
crowd is one port, :class:`Crowd`, with one adapter per platform under
:mod:`services.moderation.crowd`. In-memory fakes of every port live in
``tests/fakes/moderation.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from services.moderation.reviews.offers import SlotOffer
from services.moderation.reviews.review import Review
from services.moderation.reviews.verdicts import Judgment
from shared.errors import DependencyUnavailable, NotFound
from shared.messages import SubmissionModerated

# What judgments did to a review: decided it, left it waiting, or changed nothing.
Outcome = Literal["decided", "pending", "ignored"]


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


async def latest(store: ReviewStore, submission_id: str) -> Review:
    """The stored review of ``submission_id`` (re-read after a lost race);
    :class:`NotFound` if there is none."""
    review = await store.get(submission_id)
    if review is None:
        raise NotFound(f"no review of submission {submission_id}")
    return review


class SlotRegistry(Protocol):
    """The slots of every imported video (:mod:`services.moderation.reviews.offers`)."""

    async def approved_of(self, video: str, frame: int) -> list[str]:
        """The submission ids of the slot's approved photos."""
        ...

    async def change(
        self, video: str, frame: int, event: Callable[[SlotOffer], SlotOffer]
    ) -> SlotOffer | None:
        """Apply ``event`` to the slot through a version-checked write (retried on a race);
        the slot after it, or None when the video has no such slot."""
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


class LinkProbe(Protocol):
    """Whether a link a crowd task shows (a presigned photo URL) loads right now, as a
    worker's browser would load it (:class:`~.links.PhotoLinks` uses it)."""

    async def loads(self, url: str) -> bool:
        """Does ``url`` load? Never raises: a link that cannot be reached does not load."""
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
class SpendTotal:
    """What the crowd cost for one video: the sum (USD) over its HITs."""

    video: str
    total: Decimal
    hits: int


@dataclass(frozen=True)
class Judged:
    """Judgments the crowd gave on one submission: the readable ones, an error line per
    unreadable answer, and how they came (``webhook``, ``notification``, ``reconcile``)."""

    submission_id: str
    judgments: tuple[Judgment, ...]
    via: str
    errors: tuple[str, ...] = ()


# The moderator's one entry point for judgments, as a crowd hands them over.
Receive = Callable[[Sequence[Judged]], Awaitable[Outcome]]


class Crowd(Protocol):
    """The crowd that judges the photos: one platform, or the choice between several
    (:class:`services.moderation.crowd.CrowdChoice`). Every failure leaves as
    :class:`CrowdUnavailable`."""

    async def submit(self, review: Review) -> Review:
        """Ask the crowd about ``review`` (once: a retry finds its work again), recording
        the progress in the review store; the review as stored after. A failure leaves
        the review as it was, for reconcile."""
        ...

    async def refresh(self, review: Review, receive: Receive) -> None:
        """Bring an asked, pending ``review`` up to date: hand its judgments to
        ``receive``, and repair what the crowd lost (an order, a top-up)."""
        ...

    async def recover(self, receive: Receive) -> None:
        """Hand ``receive`` every judgment the crowd holds that may never have reached us
        (a lost notification)."""
        ...

    async def settle(self, review: Review) -> None:
        """Pay for the work on a decided ``review`` (idempotent)."""
        ...

    async def spend(self, video: str) -> SpendTotal:
        """What the crowd cost for ``video`` so far, as recorded."""
        ...

    async def healed(self) -> dict[str, int]:
        """How often work the platform forgot was re-created so far, by kind."""
        ...
