"""Crowdflower as moderation's crowd: one unit per review, judgments by webhook and by
reconcile (the :class:`~services.moderation.reviews.ports.Crowd` port's adapter).

- **Submit**: the review is marked as asked (``unit_requested``) before its unit is
  created, so a retry after a crash looks the unit up by submission instead of making a
  second one; the unit is then ordered (:meth:`.work.CrowdWork.order`).
- **Refresh** (reconcile): a unit left unordered past the grace period is ordered; an
  ordered unit's judgments are fetched; a unit still ``new`` long after its order (a v1
  order takes the job's oldest ``new`` unit, so a leftover unit can take this one's
  order) is ordered again. A unit whose workers could not load the photo ends short of
  a quorum: a new unit asks again (:mod:`.second_look`).
- **Settle** and **spend**: nothing; Crowdflower bills per job, outside this count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from services.moderation.crowd.crowdflower.ports import CrowdClient
from services.moderation.crowd.crowdflower.second_look import SecondLook
from services.moderation.crowd.crowdflower.work import CrowdWork
from services.moderation.reviews.ports import (
    CrowdUnavailable,
    Judged,
    Receive,
    ReviewStore,
    SpendTotal,
    latest,
)
from services.moderation.reviews.review import Review, is_quiet_since
from shared.metrics import Observer, Tally

log = logging.getLogger(__name__)


class CrowdflowerCrowd:
    """Reviews submissions on Crowdflower (the v1 API)."""

    def __init__(
        self,
        client: CrowdClient,
        work: CrowdWork,
        store: ReviewStore,
        *,
        grace_seconds: float,
        clock: Callable[[], datetime],
        observer: Observer | None = None,
        second_look: SecondLook | None = None,
    ) -> None:
        self.client, self.work, self.store = client, work, store
        # None: a unit short of sight is not asked again (tests over fakes).
        self.second_look = second_look
        self.grace_seconds, self.clock = grace_seconds, clock
        # Units created (/metrics).
        self.observer: Observer = observer or Tally()

    async def submit(self, review: Review) -> Review:
        """Create the review's unit once, then order it; a crash mid-way is healed by
        finding it again."""
        try:
            job_id = await self.work.job_for(review.video)
            unit_id = None
            if review.unit_requested:
                unit_id = await self.client.find_unit(job_id, review.submission_id)
            if unit_id is None:
                marked = await self.store.put(review.changed(job_id=job_id, unit_requested=True))
                if marked is None:
                    return await latest(self.store, review.submission_id)
                review = marked
                unit_id = await self.client.create_unit(job_id, await self.work.unit_of(review))
                self.observer.count("ofof_crowd_units")
        except CrowdUnavailable as exc:
            log.warning(
                "crowd unit not created; reconcile retries it",
                extra={"submission_id": review.submission_id, "problem": exc.detail},
            )
            return review
        stored = await self.store.put(review.changed(job_id=job_id, unit_id=unit_id))
        return (
            await self._order(stored) if stored else await latest(self.store, review.submission_id)
        )

    async def _order(self, review: Review) -> Review:
        """Order the review's unit (nobody judges it before; the job's gold comes first);
        a 402 leaves the review pending with a visible reason, and reconcile orders it
        again later, with fresh photo URLs once half their lifetime has passed."""
        if review.job_id is None or review.unit_id is None or review.unit_ordered_at:
            return review
        try:
            ordered = await self.work.order(review)
        except CrowdUnavailable as exc:
            log.warning("crowd order failed; reconcile retries it", extra={"problem": exc.detail})
            return review
        if ordered == review:
            return review
        return await self.store.put(ordered) or await latest(self.store, review.submission_id)

    async def refresh(self, review: Review, receive: Receive) -> None:
        """Order a unit left unordered; hand an ordered unit's judgments to ``receive``,
        or order it again when a leftover unit took its order."""
        if review.job_id is None or review.unit_id is None:
            return
        if not review.unit_ordered_at and self._is_quiet_since(review.created_at):
            await self._order(review)
            return
        found = await self.client.judgments(review.job_id, review.unit_id)
        if found or not await self._is_stranded(review, review.job_id, review.unit_id):
            judged = Judged(review.submission_id, tuple(found), via="reconcile")
            if await receive([judged]) == "pending":
                await self._look_again(review.submission_id)
        else:
            await self._order(review.changed(unit_ordered_at=None))

    async def _look_again(self, submission_id: str) -> None:
        """Ask again about a photo whose workers could not load it, and order the unit."""
        if self.second_look is None:
            return
        asked = await self.second_look.follow(await latest(self.store, submission_id))
        if asked is not None:
            await self._order(asked)

    async def _is_stranded(self, review: Review, job_id: str, unit_id: str) -> bool:
        """Is the review's unit still unordered long after its order? A v1 order takes the
        job's oldest ``new`` unit, so a unit left over from a crash (created twice, the
        first lost) can take this unit's order; ordering again reaches it in the end."""
        ordered_at = review.unit_ordered_at
        if ordered_at is None or not self._is_quiet_since(ordered_at):
            return False
        return await self.client.unit_state(job_id, unit_id) == "new"

    def _is_quiet_since(self, moment: datetime) -> bool:
        return is_quiet_since(moment, self.grace_seconds, self.clock())

    async def recover(self, receive: Receive) -> None:
        """Nothing: reconcile fetches every pending unit's judgments already."""

    async def settle(self, review: Review) -> None:
        """Nothing: Crowdflower pays its workers itself."""

    async def spend(self, video: str) -> SpendTotal:
        """Nothing recorded: Crowdflower bills per job, outside this count."""
        return SpendTotal(video=video, total=Decimal(0), hits=0)
