"""Mechanical Turk as moderation's crowd: a HIT per submission, its answers, the pay.

The :class:`~services.moderation.reviews.ports.Crowd` port's adapter for
``MODERATION_CROWD_PROVIDER=mturk``:

- **One HIT type per video, remembered** in the reviews table (``hittype#{video}``,
  like the Crowdflower job); notifications for it are switched on once per process
  (:class:`.hit_types.HitTypes`).
- **One HIT per submission** (``MaxAssignments`` = judgments wanted, the submission id
  as annotation and, through the adapter, as ``UniqueRequestToken``), its cost recorded
  on the review and, idempotently, in the video's spend.
- **Judgments**: each submitted assignment's answers, weighed by the worker's trust kept
  in our table; an unreadable answer is recorded on the review and not counted.
- **Settle**: approve, reject or leave each assignment (:func:`hits.payment_for`), count
  each worker's agreement, take the HIT off the reviewable list.
- **Top up** a HIT that can give no more judgments and still lacks a quorum
  (:meth:`.topup.TopUp.next_round` decides, the round is recorded on the review,
  :meth:`.topup.TopUp.apply_round` then asks MTurk): more assignments (the round's token) and,
  for an expired HIT, a new life; at the cap the review waits for an operator.
- **Heal** what MTurk forgot ("… does not exist."): a HIT type is registered again and
  remembered in place of the old one (a conditional write); a pending review's HIT is
  created again — its heal generation recorded on the review first (a version-checked
  write, so one caller heals it), then the HIT made with that generation's token and
  recorded. Each healing is reported once; a forgotten HIT of a decided review has
  nothing left to pay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from services.moderation.crowd.healing import CrowdForgot, Healings
from services.moderation.crowd.jobs import CrowdJobs
from services.moderation.crowd.links import PhotoLinkDown, PhotoLinks
from services.moderation.crowd.mturk.hit_types import HitTypes
from services.moderation.crowd.mturk.hits import (
    REJECT_FEEDBACK,
    Answers,
    Fees,
    MalformedAnswer,
    TopUpRules,
    agrees,
    hit_cost,
    parse_answers,
    payment_for,
    question_xml,
)
from services.moderation.crowd.mturk.ports import (
    HitCrowd,
    HitRequest,
    SpendLedger,
    WorkAssignment,
    WorkerTrust,
)
from services.moderation.crowd.mturk.topup import ANSWERED, TopUp
from services.moderation.reviews.ports import (
    CrowdUnavailable,
    Judged,
    Outcome,
    PhotoStore,
    Receive,
    ReviewStore,
    SpendTotal,
    latest,
)
from services.moderation.reviews.review import Review
from services.moderation.reviews.verdicts import Judgment, VerdictRules
from shared.errors import OfofError
from shared.records import original_key

log = logging.getLogger(__name__)
APPROVE_FEEDBACK = "Thank you: your answers agreed with the verdict."


@dataclass(frozen=True)
class HitPlan:
    """How HITs are made and paid (from the settings)."""

    assignments: int
    reward: Decimal
    fees: Fees
    submit_url: str
    photo_url_seconds: int
    verdict_rules: VerdictRules
    approve_all: bool = False
    top_up: TopUpRules = field(default_factory=TopUpRules)


class HitWork:
    """Reviews submissions on Mechanical Turk."""

    def __init__(
        self,
        crowd: HitCrowd,
        types: CrowdJobs,
        photos: PhotoStore,
        trust: WorkerTrust,
        ledger: SpendLedger,
        store: ReviewStore,
        plan: HitPlan,
        clock: Callable[[], datetime],
        healings: Healings,
        links: PhotoLinks | None = None,
    ) -> None:
        self.crowd, self.types, self.photos = crowd, types, photos
        self.healings = healings
        self.trust, self.ledger, self.store = trust, ledger, store
        self.plan, self.clock = plan, clock
        # None: links are not checked before a HIT or a top-up (tests over fakes).
        self.links = links
        self.top_up = TopUp(crowd, ledger, store, plan, clock, sight=self.photo_loads)
        self.hit_types = HitTypes(crowd, types, healings)

    async def submit(self, review: Review) -> Review:
        """Create the review's HIT (MTurk finds it again on a retry) and store it; a
        failure leaves the review for reconcile."""
        try:
            asked = await self._asked(review)
        except CrowdUnavailable as exc:
            log.warning(
                "HIT not created; reconcile retries it",
                extra={"submission_id": review.submission_id, "problem": exc.detail},
            )
            return review
        return await self.store.put(asked) or await latest(self.store, review.submission_id)

    async def _asked(self, review: Review) -> Review:
        """Create the review's HIT (found again on a retry); the review, with it."""
        type_id = await self.hit_types.type_for(review.video)
        request = await self._request(review)
        try:
            hit_id = await self.crowd.create_hit(type_id, request)
        except CrowdForgot:
            type_id = await self.hit_types.type_for(review.video, forgotten=type_id)
            hit_id = await self.crowd.create_hit(type_id, request)
        cost = hit_cost(self.plan.reward, self.plan.assignments, self.plan.fees)
        await self.ledger.record(review.video, review.submission_id, cost)
        return review.changed(
            crowd="mturk",
            job_id=type_id,
            unit_id=hit_id,
            unit_requested=True,
            unit_ordered_at=self.clock(),
            crowd_cost=str(cost),
            hit_assignments=self.plan.assignments,
            reasons=(),
        )

    async def _request(self, review: Review) -> HitRequest:
        """The HIT's question; :class:`PhotoLinkDown` when a link it shows does not load."""
        photo, original = await self._links_of(review)
        if self.links is not None and not await self.links.load(
            review.submission_id, (photo, original)
        ):
            raise PhotoLinkDown(review.submission_id)
        return HitRequest(
            submission_id=review.submission_id,
            question=question_xml(photo, original, self.plan.submit_url),
            generation=review.crowd_generation or 0,
        )

    async def _links_of(self, review: Review) -> tuple[str, str]:
        """The photo's and the original frame's presigned URLs a question shows."""
        seconds = self.plan.photo_url_seconds
        photo = await self.photos.url(review.renditions.medium, seconds)
        original = await self.photos.url(original_key(review.video, review.frame), seconds)
        return photo, original

    async def photo_loads(self, review: Review) -> bool:
        """Do the photo and the original load now (checked before more work is asked)?"""
        if self.links is None:
            return True
        return await self.links.load(review.submission_id, await self._links_of(review))

    async def collect(self, hit_id: str, receive: Receive, via: str = "notification") -> Outcome:
        """Hand the answers of a HIT that MTurk told us about (or reconcile found) to
        ``receive``; a stranger's HIT is ignored."""
        submission_id = await self.crowd.submission_of(hit_id)
        if submission_id is None:
            log.warning("a HIT of no known submission", extra={"hit_id": hit_id})
            return "ignored"
        return await receive([await self.judged(submission_id, hit_id, via)])

    async def judged(self, submission_id: str, hit_id: str, via: str) -> Judged:
        """The HIT's readable judgments, and one error line per unreadable answer."""
        answered = [a for a in await self.crowd.assignments(hit_id) if a.status in ANSWERED]
        read, errors = read_assignments(answered)
        trust = await self.trust.trust(sorted({a.worker_id for a, _ in read}))
        judgments = tuple(judgment_of(a, answers, trust[a.worker_id]) for a, answers in read)
        return Judged(submission_id, judgments, via, errors)

    async def refresh(self, review: Review, receive: Receive) -> None:
        """Collect the HIT's answers; a HIT that can give no more and left the review
        short of quorum is topped up. Its state is read before its answers, so an answer
        arriving in between is never taken for missing."""
        if review.unit_id is None:
            return
        try:
            state = await self.top_up.state_of(review.unit_id)
        except CrowdForgot:
            await self._recreate(review)
            return
        judged = await self.judged(review.submission_id, review.unit_id, "reconcile")
        if await receive([judged]) == "pending":
            await self.top_up.follow(await latest(self.store, review.submission_id), state)

    async def _recreate(self, review: Review) -> None:
        """Create the HIT of pending ``review`` again, MTurk having forgotten it: the next
        heal generation is recorded first (with no HIT: a crash after it leaves the review
        to be asked again, with the same generation's token), then the HIT made."""
        generation = (review.crowd_generation or 0) + 1
        fields = {"unit_id": None, "unit_ordered_at": None, "crowd_generation": generation}
        marked = await self.store.put(review.changed(**fields))
        if marked is None:
            return
        await self.healings.healed(
            "hit",
            "HIT forgotten by MTurk: created again",
            video=review.video,
            submission_id=review.submission_id,
            hit_id=review.unit_id or "",
        )
        await self.submit(marked)

    async def recover(self, receive: Receive) -> None:
        """Every HIT MTurk holds as reviewable, looked at as if notified (a lost
        notification loses nothing)."""
        try:
            async for hit_id in self.crowd.reviewable_hits():
                await self.collect(hit_id, receive, via="reconcile")
        except OfofError as exc:
            log.warning(
                "reviewable HITs not read; next pass retries", extra={"problem": exc.detail}
            )

    async def settle(self, review: Review) -> None:
        """Pay for honest work on the review's HIT, count agreement, close the HIT."""
        if review.unit_id is None:
            return
        approved = review.status == "approved"
        try:
            assignments = await self.crowd.assignments(review.unit_id)
        except CrowdForgot:
            log.warning(
                "settled HIT unknown to MTurk: nothing to pay", extra={"hit_id": review.unit_id}
            )
            return
        read, _ = read_assignments([a for a in assignments if a.status == "Submitted"])
        trust = await self.trust.trust(sorted({a.worker_id for a, _ in read}))
        for assignment, answers in read:
            judgment = judgment_of(assignment, answers, trust[assignment.worker_id])
            await self._pay(assignment, judgment, answers, approved)
            if answers.loads:
                # A worker who could not see the photo neither agreed nor disagreed.
                await self.trust.record(
                    assignment.worker_id, agrees(judgment, approved, self.plan.verdict_rules)
                )
        await self.crowd.reviewed(review.unit_id)

    async def _pay(
        self, assignment: WorkAssignment, judgment: Judgment, answers: Answers, approved: bool
    ) -> None:
        rules, every = self.plan.verdict_rules, self.plan.approve_all
        payment = payment_for(judgment, answers, approved, rules, every)
        if payment == "approve":
            await self.crowd.approve(assignment.assignment_id, APPROVE_FEEDBACK)
        elif payment == "reject":
            await self.crowd.reject(assignment.assignment_id, REJECT_FEEDBACK)
        log.info(
            "assignment settled",
            extra={"assignment_id": assignment.assignment_id, "payment": payment},
        )

    async def spend(self, video: str) -> SpendTotal:
        """What the crowd cost for ``video`` so far."""
        return await self.ledger.of_video(video)

    async def healed(self) -> dict[str, int]:
        """How often forgotten crowd work was re-created, by kind."""
        return await self.healings.counts()


def read_assignments(
    assignments: list[WorkAssignment],
) -> tuple[list[tuple[WorkAssignment, Answers]], tuple[str, ...]]:
    """The assignments whose answers read, and an error line for each that does not."""
    read: list[tuple[WorkAssignment, Answers]] = []
    errors: list[str] = []
    for assignment in assignments:
        try:
            read.append((assignment, parse_answers(assignment.answer)))
        except MalformedAnswer as exc:
            errors.append(f"assignment {assignment.assignment_id}: malformed answer: {exc}")
    return read, tuple(errors)


def judgment_of(assignment: WorkAssignment, answers: Answers, trust: float) -> Judgment:
    """An assignment's answers as a judgment (its id is the assignment's)."""
    return Judgment(
        judgment_id=assignment.assignment_id,
        worker_id=assignment.worker_id,
        trust=trust,
        nudity=answers.nudity,
        mimic=answers.mimic,
        trying=answers.trying,
        loads=answers.loads,
    )
