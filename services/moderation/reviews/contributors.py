"""What moderation does for contributors: their own list, deleting their photo, credits.

A second use-case object beside :class:`~services.moderation.reviews.moderator.Moderator`, over
the same ports. Deleting is a decision like a takedown (the next revision of the
review): it is stored through the same version-checked write, then its steps are
performed one by one (unmark the slot, reopen it if no approved photo is left, tell
the renderer, erase the files), so a crash part-way is finished by the reconcile loop.
Only ids remain afterwards: the review keeps no name and no client id, and the one log
line says which submission of which video was deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from services.moderation.reviews.moderator import EVERY_APPROVAL, MAX_RACES, Moderator
from services.moderation.reviews.review import Review, deleted
from shared.errors import Conflict, NotFound
from shared.messages import utcnow

log = logging.getLogger(__name__)
# A visitor's list is short; this bounds one answer.
MAX_CLIENT_REVIEWS = 200
NOT_YOURS = "no such submission of yours"


def is_live_candidate(review: Review) -> bool:
    """Could ``review``'s photo be in the clip (approved, not withdrawn)?"""
    return review.status == "approved"


def shown_of_slot(reviews: list[Review]) -> Review | None:
    """The approved photo a slot shows: best score, then decided first, then by id (the
    renderer's rule in ``services/renderer/renders/slots.py``)."""
    approved = [r for r in reviews if is_live_candidate(r)]
    if not approved:
        return None
    return min(approved, key=lambda r: (-(r.score or 0.0), r.decided_at, r.submission_id))


def credits_of(reviews: list[Review], video: str) -> list[Review]:
    """The photo each slot of ``video`` shows, in frame order."""
    by_frame: dict[int, list[Review]] = {}
    for review in reviews:
        if review.video == video:
            by_frame.setdefault(review.frame, []).append(review)
    shown = (shown_of_slot(found) for _, found in sorted(by_frame.items()))
    return [review for review in shown if review is not None]


class Contributions:
    """A visitor's own submissions, their deletion, and the credits of a video."""

    def __init__(self, moderator: Moderator, clock: Callable[[], datetime] = utcnow) -> None:
        self.moderator = moderator
        self.store = moderator.store
        self.clock = clock

    async def of_client(self, client_id: str) -> list[Review]:
        """Every submission of one visitor moderation knows, newest first."""
        return await self.store.of_client(client_id, MAX_CLIENT_REVIEWS)

    async def credits(self, video: str) -> list[Review]:
        """The approved photo each slot of ``video`` shows, in frame order."""
        return credits_of(await self.store.recent_approved(EVERY_APPROVAL), video)

    async def delete(self, client_id: str, submission_id: str) -> Review:
        """Withdraw a visitor's own submission, whatever its state; someone else's (or
        an unknown one, or one already deleted) is :class:`NotFound` alike."""
        for _ in range(MAX_RACES):
            review = await self.store.get(submission_id)
            if review is None or not client_id or review.client_id != client_id:
                raise NotFound(NOT_YOURS)
            stored = await self.store.put(deleted(review, self.clock()))
            if stored is not None:
                log.info(
                    "submission deleted by its contributor",
                    extra={
                        "submission_id": submission_id,
                        "video": review.video,
                        "frame": review.frame,
                    },
                )
                await self.store.forget_client(client_id, submission_id)
                return await self.moderator.carry_out(stored)
        raise Conflict(f"review of {submission_id} kept changing; try again")
