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
- **Heal** a job the crowd forgot (a 404 for it, on unit creation, lookup, judgments or
  order): :meth:`.work.CrowdWork.renew` puts a new job in its place, and each pending
  review's unit is re-created there once (:meth:`CrowdflowerCrowd._moved`: the job and its
  generation recorded on the review first, then the unit created and ordered as any) —
  the review that met the 404 at once, the others as reconcile reaches them.
- **Settle** and **spend**: nothing; Crowdflower bills per job, outside this count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from services.moderation.crowd.crowdflower.ports import CrowdClient
from services.moderation.crowd.crowdflower.second_look import SecondLook
from services.moderation.crowd.crowdflower.work import CrowdWork, is_on, job_of, on_job
from services.moderation.crowd.healing import CrowdForgot
from services.moderation.crowd.jobs import CrowdJob
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
        finding it again, a job the crowd forgot by a new job."""
        try:
            # As stored now: another replica may have replaced a job the crowd forgot.
            job = await self.work.current(review.video)
            try:
                return await self._ask(review, job, heal=True)
            except CrowdForgot:
                job = await self.work.renew(job)
                return await self._ask(await latest(self.store, review.submission_id), job)
        except CrowdUnavailable as exc:
            log.warning(
                "crowd unit not created; reconcile retries it",
                extra={"submission_id": review.submission_id, "problem": exc.detail},
            )
            return review

    async def _ask(self, review: Review, job: CrowdJob, *, heal: bool = False) -> Review:
        """Create the review's unit on ``job`` (looked up first when a try may have made
        it), record it, order it."""
        if review.is_asked or not review.is_pending:
            return review
        unit_id = None
        if review.unit_requested and is_on(review, job):
            unit_id = await self.client.find_unit(job.job_id, review.submission_id)
        if unit_id is None:
            marked = await self.store.put(review.changed(**on_job(job), unit_requested=True))
            if marked is None:
                return await latest(self.store, review.submission_id)
            review = marked
            unit_id = await self.client.create_unit(job.job_id, await self.work.unit_of(review))
            self.observer.count("ofof_crowd_units")
        stored = await self.store.put(review.changed(**on_job(job), unit_id=unit_id))
        if stored is None:
            return await latest(self.store, review.submission_id)
        return await self._order(stored, heal=heal)

    async def _order(self, review: Review, *, heal: bool = True) -> Review:
        """Order the review's unit (nobody judges it before; the job's gold comes first);
        a 402 leaves the review pending with a visible reason, and reconcile orders it
        again later, with fresh photo URLs once half their lifetime has passed. A job the
        crowd forgot is replaced and the unit re-created there (once a call: ``heal``)."""
        if review.job_id is None or review.unit_id is None or review.unit_ordered_at:
            return review
        try:
            ordered = await self.work.order(review)
        except CrowdForgot as exc:
            if heal:
                return await self._moved(review, await self.work.renew(job_of(review)))
            log.warning("crowd order failed; reconcile retries it", extra={"problem": exc.detail})
            return review
        except CrowdUnavailable as exc:
            log.warning("crowd order failed; reconcile retries it", extra={"problem": exc.detail})
            return review
        if ordered == review:
            return review
        return await self.store.put(ordered) or await latest(self.store, review.submission_id)

    async def _moved(self, review: Review, job: CrowdJob) -> Review:
        """Re-create the unit of ``review`` (its job forgotten) on ``job`` and order it,
        once: the move is recorded on the review first (a version-checked write), so of
        two callers one moves it, and a retry finds the review on ``job`` already."""
        if is_on(review, job):
            return review
        fields = {"unit_id": None, "unit_requested": False, "unit_ordered_at": None}
        moved = await self.store.put(review.changed(**on_job(job), **fields, reasons=()))
        if moved is None:
            return await latest(self.store, review.submission_id)
        log.info(
            "unit re-created on the job replacing a forgotten one",
            extra={"submission_id": review.submission_id, "job_id": job.job_id},
        )
        return await self._ask(moved, job)

    async def refresh(self, review: Review, receive: Receive) -> None:
        """Order a unit left unordered; hand an ordered unit's judgments to ``receive``,
        or order it again when a leftover unit took its order. A unit on a job the
        crowd forgot is re-created on the job replacing it (before anything is asked of
        the unit: a new job may reuse the old one's ids)."""
        if review.job_id is None or review.unit_id is None:
            return
        job = await self.work.job(review.video)
        if not is_on(review, job):
            job = await self.work.current(review.video)
        if not is_on(review, job):
            await self._moved(review, job)
            return
        try:
            await self._refresh(review, review.job_id, review.unit_id, receive)
        except CrowdForgot:
            await self._moved(review, await self.work.renew(job))

    async def _refresh(self, review: Review, job_id: str, unit_id: str, receive: Receive) -> None:
        if not review.unit_ordered_at and self._is_quiet_since(review.created_at):
            await self._order(review)
            return
        found = await self.client.judgments(job_id, unit_id)
        if found or not await self._is_stranded(review, job_id, unit_id):
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
        """Nothing to collect (reconcile fetches every pending unit's judgments already);
        the jobs known in memory are read again next pass (another replica may have
        replaced one the crowd forgot)."""
        self.work.forget_known()

    async def settle(self, review: Review) -> None:
        """Nothing: Crowdflower pays its workers itself."""

    async def spend(self, video: str) -> SpendTotal:
        """Nothing recorded: Crowdflower bills per job, outside this count."""
        return SpendTotal(video=video, total=Decimal(0), hits=0)

    async def healed(self) -> dict[str, int]:
        """How often forgotten crowd work was re-created, by kind."""
        return await self.work.healings.counts()
