"""Moderation's use cases, over its ports: ingest, judgments in, reconcile, takedown.

Every entry point is safe to repeat: a review changes only through a version-checked
write, so a redelivered message, a duplicate webhook or a reconcile pass racing a
webhook decide a submission exactly once; the steps a decision owes are recorded one
by one as they are performed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Literal

from services.moderation import offers
from services.moderation.crowdwork import CrowdWork, ProcessCrowdJobs
from services.moderation.hits import OPERATOR_REASONS
from services.moderation.hitwork import HitWork
from services.moderation.imaging import UnreadableImage, gray_sample
from services.moderation.offers import Slot
from services.moderation.payloads import CrowdUnit, UnitJudgments
from services.moderation.ports import (
    CrowdClient,
    CrowdJobs,
    CrowdUnavailable,
    PhotoStore,
    ReviewStore,
    SlotRegistry,
    SpendTotal,
    VerdictQueues,
)
from services.moderation.reviews import (
    STEP_ANNOUNCE,
    STEP_ERASE,
    STEP_MARK_SLOT,
    STEP_RETURN_SLOT,
    STEP_SETTLE,
    STEP_UNMARK_SLOT,
    Review,
    decided,
    new_review,
    personal_keys,
    restored,
    taken_down,
    verdict_message,
    with_errors,
    with_judgments,
    with_step_done,
)
from services.moderation.screening import GraySample, Screening, ScreeningRules, screen
from services.moderation.verdicts import REASON_TAKEDOWN, Judgment, VerdictRules, decide
from shared.errors import Conflict, NotFound, OfofError
from shared.messages import SubmissionIngested, utcnow
from shared.metrics import Observer, Tally
from shared.records import SubmissionRecord, original_key

log = logging.getLogger(__name__)

Outcome = Literal["decided", "pending", "ignored"]
REASON_UNREADABLE = "unreadable_photo"
# Version races a single call tolerates before leaving the rest to a later call.
MAX_RACES = 3
# "All of them" for recent_approved: it pages through the approved index.
EVERY_APPROVAL = 10**9


@dataclass(frozen=True)
class ModerationPolicy:
    """The rules moderation applies."""

    verdict_rules: VerdictRules
    screening_rules: ScreeningRules
    prescreen_enabled: bool = True
    outbox_grace_seconds: float = 30.0
    reconcile_concurrency: int = 8
    # How long the crowd may fetch a unit's photos by their URLs.
    photo_url_seconds: int = 3600
    # Photos per page of crowd work; the test questions of a job follow from it.
    units_per_assignment: int = 1
    # What one judgment costs (pay per page / photos per page), for ofof_crowd_spend_cents.
    cents_per_judgment: float = 0.0


class Moderator:
    """Reviews submissions with the crowd and announces the verdicts."""

    def __init__(
        self,
        store: ReviewStore,
        slots: SlotRegistry,
        crowd: CrowdClient,
        photos: PhotoStore,
        queues: VerdictQueues,
        policy: ModerationPolicy,
        clock: Callable[[], datetime] = utcnow,
        *,
        crowd_jobs: CrowdJobs | None = None,
        hits: HitWork | None = None,
        observer: Observer | None = None,
    ) -> None:
        # Decisions, crowd units and spend, the pending backlog (/metrics).
        self.observer: Observer = observer or Tally()
        self.store, self.slots, self.crowd = store, slots, crowd
        self.photos, self.queues = photos, queues
        self.policy = policy
        self.clock = clock
        # Mechanical Turk, when it is the crowd provider (new reviews go to it).
        self.hits = hits
        self.work = CrowdWork(
            crowd,
            crowd_jobs or ProcessCrowdJobs(),
            photos,
            units_per_assignment=policy.units_per_assignment,
            photo_url_seconds=policy.photo_url_seconds,
            clock=clock,
        )

    # Reads ---------------------------------------------------------------------------

    async def review(self, submission_id: str) -> Review:
        """The review of ``submission_id``; :class:`NotFound` if there is none."""
        review = await self.store.get(submission_id)
        if review is None:
            raise NotFound(f"no review of submission {submission_id}")
        return review

    async def recent(self, limit: int) -> list[Review]:
        """The latest approvals, newest first."""
        return await self.store.recent_approved(limit)

    async def of_slot(self, video: str, frame: int) -> list[Review]:
        """The approved photos of one slot, best score first."""
        ids = await self.slots.approved_of(video, frame)
        found = await asyncio.gather(*(self.store.get(sid) for sid in ids))
        approved = [r for r in found if r is not None and r.status == "approved"]
        return sorted(approved, key=lambda r: (-(r.score or 0.0), r.submission_id))

    async def spend(self, video: str) -> SpendTotal:
        """What the crowd cost for ``video``: the sum over its HITs (Mechanical Turk;
        Crowdflower bills per job, outside this count)."""
        if self.hits is None:
            return SpendTotal(video=video, total=Decimal(0), hits=0)
        return await self.hits.spend_of(video)

    async def pending(self, limit: int) -> list[Review]:
        """Up to ``limit`` reviews still waiting for a verdict, oldest first."""
        found: list[Review] = []
        async for review in self.store.open_reviews():
            if review.is_pending:
                found.append(review)
            if len(found) >= limit:
                break
        return found

    # A submission arrives ------------------------------------------------------------

    async def ingest(self, message: SubmissionIngested) -> Review:
        """Pre-screen a new submission and ask the crowd about it (idempotent)."""
        review = await self.store.get(message.submission_id)
        if review is None:
            # The slot learns of the photo before its review exists, so the review's
            # verdict always finds it under review (a redelivery repeats this harmlessly).
            event = partial(offers.ingested, submission_id=message.submission_id)
            await self.slots.change(message.video, message.frame, event)
            review = await self.store.put(
                new_review(message, await self._screen(message), self.clock())
            )
            if review is None:
                return await self.review(message.submission_id)
            if review.status == "rejected":
                self._count_decision(review.status, review.reasons)
        return await self._advance(review)

    async def _screen(self, message: SubmissionIngested) -> Screening:
        photo = await self._sample(message.renditions.medium)
        if photo is None:
            raise NotFound(f"photo {message.renditions.medium} is missing")
        if not isinstance(photo, GraySample):
            return Screening(reason=REASON_UNREADABLE, similarity=None)
        original = await self._sample(original_key(message.video, message.frame))
        found = screen(
            photo,
            original if isinstance(original, GraySample) else None,
            self.policy.screening_rules,
        )
        return found if self.policy.prescreen_enabled else Screening(None, found.similarity)

    async def _sample(self, key: str) -> GraySample | str | None:
        data = await self.photos.find(key)
        if data is None:
            return None
        try:
            return await asyncio.to_thread(gray_sample, data)
        except UnreadableImage:
            log.warning("image cannot be decoded", extra={"key": key})
            return REASON_UNREADABLE

    async def _advance(self, review: Review) -> Review:
        if review.is_pending and review.unit_id is None:
            return await self._request_unit(review)
        if not review.is_pending:
            return await self._perform_steps(review)
        return review

    async def _request_unit(self, review: Review) -> Review:
        """Create the crowd unit once, then order it; a crash mid-way is healed by finding
        it again."""
        if self.hits is not None:
            return await self._request_hit(review, self.hits)
        try:
            job_id = await self.work.job_for(review.video)
            unit_id = None
            if review.unit_requested:
                unit_id = await self.crowd.find_unit(job_id, review.submission_id)
            if unit_id is None:
                marked = await self.store.put(review.changed(job_id=job_id, unit_requested=True))
                if marked is None:
                    return await self.review(review.submission_id)
                review = marked
                unit_id = await self.crowd.create_unit(job_id, await self.work.unit_of(review))
                self.observer.count("ofof_crowd_units")
        except CrowdUnavailable as exc:
            log.warning(
                "crowd unit not created; reconcile retries it",
                extra={"submission_id": review.submission_id, "problem": exc.detail},
            )
            return review
        stored = await self.store.put(review.changed(job_id=job_id, unit_id=unit_id))
        return await self._order(stored) if stored else await self.review(review.submission_id)

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
        return await self.store.put(ordered) or await self.review(review.submission_id)

    async def _request_hit(self, review: Review, hits: HitWork) -> Review:
        """Create the review's HIT (MTurk finds it again on a retry) and store it."""
        try:
            submitted = await hits.submit(review)
        except CrowdUnavailable as exc:
            log.warning(
                "HIT not created; reconcile retries it",
                extra={"submission_id": review.submission_id, "problem": exc.detail},
            )
            return review
        return await self.store.put(submitted) or await self.review(review.submission_id)

    # Judgments arrive ----------------------------------------------------------------

    async def receive_hit(self, hit_id: str, via: str = "notification") -> Outcome:
        """Take the answers of a HIT that MTurk told us about (or reconcile found)."""
        if self.hits is None:
            return "ignored"
        submission_id = await self.hits.crowd.submission_of(hit_id)
        review = await self.store.get(submission_id) if submission_id else None
        if review is None:
            log.warning("a HIT of no known submission", extra={"hit_id": hit_id})
            return "ignored"
        return await self._collect_hit(review, self.hits, via)

    async def _collect_hit(self, review: Review, hits: HitWork, via: str) -> Outcome:
        found, errors = await hits.judgments(review)
        for error in errors:
            if error not in review.error_lines():
                log.warning(
                    "unreadable MTurk answer recorded, not counted",
                    extra={"submission_id": review.submission_id, "problem": error},
                )
        return await self._consider(review, found, via=via, errors=errors)

    async def receive_unit(self, unit: CrowdUnit) -> Outcome:
        """Take a unit's judgments from the crowd's webhook."""
        review = await self.store.get(unit.submission_id)
        if review is None:
            log.warning("webhook for an unknown submission", extra={"unit_id": unit.id})
            return "ignored"
        return await self._consider(review, unit.judgments(), via="webhook")

    async def receive_judgments(self, units: list[UnitJudgments]) -> Outcome:
        """Take a ``new_judgments`` delivery: judgments of many units, grouped by unit."""
        outcomes: set[Outcome] = set()
        for unit in units:
            review = await self.store.get(unit.submission_id)
            if review is None:
                log.warning("judgments for an unknown submission", extra={"unit_id": unit.unit_id})
                continue
            outcomes.add(await self._consider(review, list(unit.judgments), via="webhook"))
        return next((o for o in ("decided", "pending") if o in outcomes), "ignored")

    async def _consider(
        self, review: Review, judgments: list[Judgment], via: str, errors: tuple[str, ...] = ()
    ) -> Outcome:
        """Merge ``judgments`` (and unreadable answers' ``errors``); decide once there is a
        quorum. Stale input changes nothing."""
        for _ in range(MAX_RACES):
            if not review.is_pending:
                return "ignored"
            merged = with_errors(with_judgments(review, judgments), errors)
            verdict = decide(merged.judgments, self.policy.verdict_rules)
            if verdict is None and merged == review:
                return "pending"
            candidate = merged if verdict is None else decided(merged, verdict, self.clock())
            stored = await self.store.put(candidate)
            if stored is not None:
                if verdict is not None:
                    self._count_decision(verdict.decision, verdict.reasons)
                    spent = len(merged.judgments) * self.policy.cents_per_judgment
                    self.observer.count("ofof_crowd_spend_cents", spent, video=review.video)
                    log.info(
                        "decided",
                        extra={
                            "submission_id": review.submission_id,
                            "verdict": verdict.decision,
                            "via": via,
                        },
                    )
                    await self._perform_steps(stored)
                return "pending" if verdict is None else "decided"
            review = await self.review(review.submission_id)
        return "pending"

    def _count_decision(self, outcome: str, reasons: tuple[str, ...]) -> None:
        self.observer.count("ofof_verdicts", outcome=outcome, reason=next(iter(reasons), ""))

    # After a decision ----------------------------------------------------------------

    async def carry_out(self, review: Review) -> Review:
        """Perform the steps ``review``'s latest decision still owes (another use case's
        decision: :mod:`services.moderation.contributors`)."""
        return await self._perform_steps(review)

    async def _perform_steps(self, review: Review) -> Review:
        for step in review.open_steps():
            await self._perform(review, step)
            stored = await self.store.put(with_step_done(review, step))
            if stored is None:
                return await self.review(review.submission_id)
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
        elif step == STEP_SETTLE and self.hits is not None:
            await self.hits.settle(review)
        elif step == STEP_ERASE:
            await self.photos.delete(personal_keys(review))

    async def _change_slot(self, review: Review, event: Callable[[Slot], Slot]) -> None:
        if await self.slots.change(review.video, review.frame, event) is None:
            log.warning(
                "a decision about a slot that is not registered",
                extra={"video": review.video, "frame": review.frame},
            )

    # Reconcile -----------------------------------------------------------------------

    async def reconcile(self) -> int:
        """One pass over every open review; returns how many it looked at."""
        reviews = [review async for review in self.store.open_reviews()]
        self._gauge_backlog(reviews)
        limit = asyncio.Semaphore(self.policy.reconcile_concurrency)

        async def one(review: Review) -> None:
            async with limit:
                try:
                    await self._reconcile_one(review)
                except OfofError as exc:
                    log.warning(
                        "reconcile of one review failed; next pass retries it",
                        extra={"submission_id": review.submission_id, "problem": exc.detail},
                    )
                except Exception:
                    log.exception(
                        "reconcile of one review failed",
                        extra={"submission_id": review.submission_id},
                    )

        await asyncio.gather(*(one(review) for review in reviews))
        if self.hits is not None:
            await self._reconcile_reviewable(self.hits)
        return len(reviews)

    async def _reconcile_reviewable(self, hits: HitWork) -> None:
        """Every HIT MTurk holds as reviewable, looked at as if notified (a lost
        notification loses nothing)."""
        try:
            async for hit_id in hits.crowd.reviewable_hits():
                await self.receive_hit(hit_id, via="reconcile")
        except OfofError as exc:
            log.warning(
                "reviewable HITs not read; next pass retries", extra={"problem": exc.detail}
            )

    def _gauge_backlog(self, reviews: list[Review]) -> None:
        """The age of the oldest review still waiting for a verdict (0: none waits), and
        how many wait for an operator."""
        waiting = [review.created_at for review in reviews if review.is_pending]
        age = (self.clock() - min(waiting)).total_seconds() if waiting else 0.0
        self.observer.level("ofof_oldest_pending_review_seconds", max(age, 0.0))
        stuck = [r for r in reviews if r.is_pending and OPERATOR_REASONS & set(r.reasons)]
        self.observer.level("ofof_reviews_for_operator", len(stuck))

    async def _reconcile_one(self, review: Review) -> None:
        """Finish what ``review`` still needs; work a live request may still be doing
        (creating the unit, performing steps) is left alone for the grace period."""
        waiting = review.is_pending and review.unit_id is not None and not review.unit_ordered_at
        if waiting and self._is_quiet_since(review.created_at):
            await self._order(review)
        elif review.is_pending and review.crowd == "mturk" and self.hits is not None:
            await self._reconcile_hit(review, self.hits)
        elif review.is_pending and review.job_id is not None and review.unit_id is not None:
            found = await self.crowd.judgments(review.job_id, review.unit_id)
            if found or not await self._is_stranded(review, review.job_id, review.unit_id):
                await self._consider(review, found, via="reconcile")
            else:
                await self._order(review.changed(unit_ordered_at=None))
        elif review.is_pending and self._is_quiet_since(review.created_at):
            await self._request_unit(review)
        elif review.decided_at is not None and self._is_quiet_since(review.decided_at):
            await self._perform_steps(review)

    async def _reconcile_hit(self, review: Review, hits: HitWork) -> None:
        """Collect the HIT's answers; a HIT that can give no more and left the review
        short of quorum is topped up. Its state is read before its answers, so an answer
        arriving in between is never taken for missing."""
        state = await hits.state_of(review)
        if await self._collect_hit(review, hits, via="reconcile") != "pending" or state is None:
            return
        review = await self.review(review.submission_id)
        if hits.owes_round(review, state):
            await hits.apply_round(review, state)
            return
        change = hits.next_round(review, state)
        stored = await self.store.put(change) if change is not None else None
        if stored is None:
            return
        if stored.rounds > review.rounds:
            await hits.apply_round(stored, state)
        else:
            # Written once (a version-checked write of a new reason), so logged once.
            log.warning(
                "HIT short of quorum and not topped up: an operator decides",
                extra={"submission_id": review.submission_id, "reason": stored.reasons[0]},
            )

    async def _is_stranded(self, review: Review, job_id: str, unit_id: str) -> bool:
        """Is the review's unit still unordered long after its order? A v1 order takes the
        job's oldest ``new`` unit, so a unit left over from a crash (created twice, the
        first lost) can take this unit's order; ordering again reaches it in the end."""
        ordered_at = review.unit_ordered_at
        if ordered_at is None or not self._is_quiet_since(ordered_at):
            return False
        return await self.crowd.unit_state(job_id, unit_id) == "new"

    def _is_quiet_since(self, moment: datetime) -> bool:
        return moment + timedelta(seconds=self.policy.outbox_grace_seconds) <= self.clock()

    # Lost transport ------------------------------------------------------------------

    async def review_if_unknown(self, record: SubmissionRecord) -> bool:
        """Review a stored submission whose message was lost; True if it had no review."""
        if await self.store.get(record.submission_id) is not None:
            return False
        await self.ingest(SubmissionIngested.model_validate(record.model_dump()))
        return True

    async def reannounce_decisions(self) -> int:
        """Tell the renderer every approval again, and every withdrawal of one (a takedown,
        a report's hiding, a deletion), so a lost render queue leaves no withdrawn photo
        in the clip (the renderer's consumer is idempotent)."""
        approved = await self.store.recent_approved(EVERY_APPROVAL)
        for review in approved:
            await self.queues.announce(verdict_message(review))
        withdrawn = 0
        async for review in self.store.withdrawn():
            await self.queues.announce(verdict_message(review))
            withdrawn += 1
        return len(approved) + withdrawn

    # Operators -----------------------------------------------------------------------

    async def takedown(self, submission_id: str, reason: str = REASON_TAKEDOWN) -> Review:
        """Turn an approved photo into a rejection (idempotent)."""
        review = await self.review(submission_id)
        if review.is_taken_down:
            return review
        if review.status != "approved":
            raise Conflict(f"submission {submission_id} is {review.status}, not approved")
        return await self._operator_decision(review, taken_down(review, self.clock(), reason))

    async def restore(self, submission_id: str) -> Review:
        """Approve a taken-down photo again, the reverse of :meth:`takedown` (idempotent:
        restoring an approved photo changes nothing); the renderer hears it again."""
        review = await self.review(submission_id)
        if review.status == "approved":
            return review
        if not review.is_taken_down:
            raise Conflict(f"submission {submission_id} is {review.status}, not taken down")
        return await self._operator_decision(review, restored(review, self.clock()))

    async def _operator_decision(self, review: Review, decision: Review) -> Review:
        stored = await self.store.put(decision)
        if stored is None:
            raise Conflict(f"review of {review.submission_id} changed meanwhile; try again")
        outcome = "restored" if decision.status == "approved" else "taken_down"
        self._count_decision(outcome, decision.reasons)
        return await self._perform_steps(stored)
