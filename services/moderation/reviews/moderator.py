"""The core use case: a review from its submission to its verdict, over the ports.

Every entry point is safe to repeat: a review changes only through a version-checked
write, so a redelivered message, a duplicate delivery of judgments or a reconcile pass
racing one decide a submission exactly once; the steps a decision owes are recorded one
by one as they are performed. The crowd is one port (:class:`~.ports.Crowd`): which
platform judges a review is chosen outside this module.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from services.moderation.reviews import offers
from services.moderation.reviews.ports import (
    Crowd,
    Judged,
    Outcome,
    PhotoStore,
    ReviewStore,
    SlotRegistry,
    SpendTotal,
    VerdictQueues,
    latest,
)
from services.moderation.reviews.prescreen import Prescreen
from services.moderation.reviews.review import (
    Review,
    decided,
    is_quiet_since,
    new_review,
    restored,
    taken_down,
    with_errors,
    with_judgments,
)
from services.moderation.reviews.screening import ScreeningRules
from services.moderation.reviews.steps import DecisionSteps
from services.moderation.reviews.verdicts import REASON_TAKEDOWN, VerdictRules, decide
from shared.errors import Conflict, OfofError
from shared.messages import SubmissionIngested, utcnow
from shared.metrics import Observer, Tally

log = logging.getLogger(__name__)

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
    # What one judgment costs (pay per page / photos per page), for ofof_crowd_spend_cents.
    cents_per_judgment: float = 0.0


class Moderator:
    """Reviews submissions with the crowd and announces the verdicts."""

    def __init__(
        self,
        store: ReviewStore,
        slots: SlotRegistry,
        crowd: Crowd,
        photos: PhotoStore,
        queues: VerdictQueues,
        policy: ModerationPolicy,
        clock: Callable[[], datetime] = utcnow,
        *,
        observer: Observer | None = None,
    ) -> None:
        # Decisions, crowd spend, the pending backlog (/metrics).
        self.observer: Observer = observer or Tally()
        self.store, self.slots, self.crowd = store, slots, crowd
        self.photos, self.queues = photos, queues
        self.policy = policy
        self.clock = clock
        self.steps = DecisionSteps(store, slots, crowd, photos, queues)
        self.prescreen = Prescreen(photos, policy.screening_rules, policy.prescreen_enabled)

    # Reads ---------------------------------------------------------------------------

    async def review(self, submission_id: str) -> Review:
        """The review of ``submission_id``; :class:`NotFound` if there is none."""
        return await latest(self.store, submission_id)

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
        """What the crowd cost for ``video``, as its crowd records it (a crowd that bills
        per job records nothing here)."""
        return await self.crowd.spend(video)

    async def healed(self) -> dict[str, int]:
        """How often work the crowd forgot was re-created, by kind (for the console)."""
        return await self.crowd.healed()

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
                new_review(message, await self.prescreen(message), self.clock())
            )
            if review is None:
                return await self.review(message.submission_id)
            if review.status == "rejected":
                self._count_decision(review.status, review.reasons)
        return await self._advance(review)

    async def _advance(self, review: Review) -> Review:
        if review.is_pending and not review.is_asked:
            return await self.crowd.submit(review)
        if not review.is_pending:
            return await self.steps.carry_out(review)
        return review

    # Judgments arrive ----------------------------------------------------------------

    async def receive(self, arrivals: Sequence[Judged]) -> Outcome:
        """Take judgments from the crowd, however they came (a webhook, a notification,
        reconcile): ``decided`` if any decided a review, else ``pending`` if any was
        counted, else ``ignored``."""
        outcomes: set[Outcome] = set()
        for judged in arrivals:
            review = await self.store.get(judged.submission_id)
            if review is None:
                log.warning(
                    "judgments for an unknown submission",
                    extra={"submission_id": judged.submission_id, "via": judged.via},
                )
                continue
            outcomes.add(await self._consider(review, judged))
        return next((o for o in ("decided", "pending") if o in outcomes), "ignored")

    async def _consider(self, review: Review, judged: Judged) -> Outcome:
        """Merge the judgments (and unreadable answers' errors); decide once there is a
        quorum. Stale input changes nothing."""
        judgments, errors, via = list(judged.judgments), judged.errors, judged.via
        for error in errors:
            if error not in review.error_lines():
                log.warning(
                    "unreadable crowd answer recorded, not counted",
                    extra={"submission_id": review.submission_id, "problem": error},
                )
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
                    await self.steps.carry_out(stored)
                return "pending" if verdict is None else "decided"
            review = await self.review(review.submission_id)
        return "pending"

    def _count_decision(self, outcome: str, reasons: tuple[str, ...]) -> None:
        self.observer.count("ofof_verdicts", outcome=outcome, reason=next(iter(reasons), ""))

    # After a decision ----------------------------------------------------------------

    async def carry_out(self, review: Review) -> Review:
        """Perform the steps ``review``'s latest decision still owes (another use case's
        decision: :mod:`services.moderation.reviews.contributors`)."""
        return await self.steps.carry_out(review)

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
        await self.crowd.recover(self.receive)
        return len(reviews)

    def _gauge_backlog(self, reviews: list[Review]) -> None:
        """The age of the oldest review still waiting for a verdict (0: none waits), and
        how many wait for an operator."""
        waiting = [review.created_at for review in reviews if review.is_pending]
        age = (self.clock() - min(waiting)).total_seconds() if waiting else 0.0
        self.observer.level("ofof_oldest_pending_review_seconds", max(age, 0.0))
        stuck = [review for review in reviews if review.waits_for_operator]
        self.observer.level("ofof_reviews_for_operator", len(stuck))

    async def _reconcile_one(self, review: Review) -> None:
        """Finish what ``review`` still needs; work a live request may still be doing
        (asking the crowd, performing steps) is left alone for the grace period."""
        if review.is_pending and review.is_asked:
            await self.crowd.refresh(review, self.receive)
        elif review.is_pending and self._is_quiet_since(review.created_at):
            await self.crowd.submit(review)
        elif review.decided_at is not None and self._is_quiet_since(review.decided_at):
            await self.steps.carry_out(review)

    def _is_quiet_since(self, moment: datetime) -> bool:
        return is_quiet_since(moment, self.policy.outbox_grace_seconds, self.clock())

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
        return await self.steps.carry_out(stored)
