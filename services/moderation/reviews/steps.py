"""What a decision owes, performed step by step (the outbox of a review).

A decision plans its steps (:data:`~services.moderation.reviews.review.PLANS`): mark the
slot, send it back, tell the renderer, pay the crowd, erase the files. Each is recorded
as done on the review once performed, through the version-checked write, so a crash
between two steps is finished by reconcile without repeating what was recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from services.moderation.reviews import offers
from services.moderation.reviews.offers import SlotOffer
from services.moderation.reviews.ports import (
    Crowd,
    PhotoStore,
    ReviewStore,
    SlotRegistry,
    VerdictQueues,
    latest,
)
from services.moderation.reviews.review import (
    STEP_ANNOUNCE,
    STEP_ERASE,
    STEP_MARK_SLOT,
    STEP_RETURN_SLOT,
    STEP_SETTLE,
    STEP_UNMARK_SLOT,
    Review,
    personal_keys,
    verdict_message,
    with_step_done,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DecisionSteps:
    """Performs the steps a review's latest decision still owes, over the core's ports."""

    store: ReviewStore
    slots: SlotRegistry
    crowd: Crowd
    photos: PhotoStore
    queues: VerdictQueues

    async def carry_out(self, review: Review) -> Review:
        """Perform and record each open step in order; the review after them (re-read
        when another writer moved it on)."""
        for step in review.open_steps():
            await self._perform(review, step)
            stored = await self.store.put(with_step_done(review, step))
            if stored is None:
                return await latest(self.store, review.submission_id)
            review = stored
        return review

    async def _perform(self, review: Review, step: str) -> None:
        sid = review.submission_id
        if step == STEP_MARK_SLOT:
            await self._change_slot(
                review, partial(offers.decided, submission_id=sid, approved=True)
            )
        elif step == STEP_UNMARK_SLOT:
            await self._change_slot(review, partial(offers.taken_down, submission_id=sid))
        elif step == STEP_RETURN_SLOT:
            # A rejection reopens the slot unless it has an approved photo; the feeder
            # offers it again (after the never-attempted slots).
            await self._change_slot(
                review, partial(offers.decided, submission_id=sid, approved=False)
            )
        elif step == STEP_ANNOUNCE:
            await self.queues.announce(verdict_message(review))
        elif step == STEP_SETTLE:
            await self.crowd.settle(review)
        elif step == STEP_ERASE:
            await self.photos.delete(personal_keys(review))

    async def _change_slot(self, review: Review, event: Callable[[SlotOffer], SlotOffer]) -> None:
        if await self.slots.change(review.video, review.frame, event) is None:
            log.warning(
                "a decision about a slot that is not registered",
                extra={"video": review.video, "frame": review.frame},
            )
