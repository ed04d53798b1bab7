"""Service layer, Mechanical Turk side: a HIT per submission, its answers, the pay.

The crowd seam of moderation: the :class:`~services.moderation.usecases.Moderator`
asks a provider three things — ``submit`` a review, read its ``judgments``, ``settle``
after the verdict. With Crowdflower (the default) that is
:class:`~services.moderation.crowdwork.CrowdWork` over the v1 client, unchanged; with
``MODERATION_CROWD_PROVIDER=mturk`` it is :class:`HitWork`:

- **One HIT type per video, remembered** in the reviews table (``hittype#{video}``,
  like the Crowdflower job); notifications for it are switched on once per process.
- **One HIT per submission** (``MaxAssignments`` = judgments wanted, the submission id
  as annotation and, through the adapter, as ``UniqueRequestToken``), its cost recorded
  on the review and, idempotently, in the video's spend.
- **Judgments**: each submitted assignment's answers, weighed by the worker's trust kept
  in our table; an unreadable answer is recorded on the review and not counted.
- **Settle**: approve, reject or leave each assignment (:func:`hits.payment_for`), count
  each worker's agreement, take the HIT off the reviewable list.
- **Top up** a HIT that can give no more judgments and still lacks a quorum
  (:meth:`HitWork.next_round` decides, the use case records the round on the review,
  :meth:`HitWork.apply_round` then asks MTurk): more assignments (the round's token) and,
  for an expired HIT, a new life; at the cap the review waits for an operator.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from services.moderation.hits import (
    REASON_HIT_TOO_OLD,
    REASON_SHORT_AT_CAP,
    REJECT_FEEDBACK,
    Answers,
    Fees,
    HitState,
    MalformedAnswer,
    TopUpRules,
    agrees,
    assignments_allowed,
    assignments_to_add,
    can_give_more,
    hit_cost,
    new_expiry,
    parse_answers,
    payment_for,
    question_xml,
)
from services.moderation.ports import (
    CrowdJob,
    CrowdJobs,
    CrowdSpend,
    HitCrowd,
    HitRequest,
    PhotoStore,
    SpendTotal,
    WorkAssignment,
    WorkerTrust,
)
from services.moderation.reviews import Review
from services.moderation.verdicts import Judgment, VerdictRules, trusted
from shared.records import original_key

log = logging.getLogger(__name__)
APPROVE_FEEDBACK = "Thank you: your answers agreed with the verdict."
# Assignments in these states carry answers (Approved/Rejected once we settled them).
ANSWERED = frozenset({"Submitted", "Approved", "Rejected"})


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
        spend: CrowdSpend,
        plan: HitPlan,
        clock: Callable[[], datetime],
    ) -> None:
        self.crowd, self.types, self.photos = crowd, types, photos
        self.trust, self.spend, self.plan, self.clock = trust, spend, plan, clock
        self._listening: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def type_for(self, video: str) -> str:
        """The HIT type of ``video``: remembered, or created once; its notifications on."""
        async with self._lock:
            if video in self._listening:
                return self._listening[video]
            known = await self.types.job_of(video)
            if known is None:
                created = await self.crowd.create_hit_type(video)
                known = await self.types.remember(CrowdJob(video=video, job_id=created))
            await self.crowd.listen(known.job_id)
            self._listening[video] = known.job_id
            return known.job_id

    async def submit(self, review: Review) -> Review:
        """Create the review's HIT (found again on a retry); the review, with it."""
        type_id = await self.type_for(review.video)
        hit_id = await self.crowd.create_hit(type_id, await self._request(review))
        cost = hit_cost(self.plan.reward, self.plan.assignments, self.plan.fees)
        await self.spend.record(review.video, review.submission_id, cost)
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
        seconds = self.plan.photo_url_seconds
        photo = await self.photos.url(review.renditions.medium, seconds)
        original = await self.photos.url(original_key(review.video, review.frame), seconds)
        return HitRequest(
            submission_id=review.submission_id,
            question=question_xml(photo, original, self.plan.submit_url),
        )

    async def judgments(self, review: Review) -> tuple[list[Judgment], tuple[str, ...]]:
        """The HIT's readable judgments, and one error line per unreadable answer."""
        if review.unit_id is None:
            return [], ()
        answered = [a for a in await self.crowd.assignments(review.unit_id) if a.status in ANSWERED]
        read, errors = read_assignments(answered)
        trust = await self.trust.trust(sorted({a.worker_id for a, _ in read}))
        return [judgment_of(a, answers, trust[a.worker_id]) for a, answers in read], errors

    async def settle(self, review: Review) -> None:
        """Pay for honest work on the review's HIT, count agreement, close the HIT."""
        if review.unit_id is None:
            return
        approved = review.status == "approved"
        assignments = await self.crowd.assignments(review.unit_id)
        read, _ = read_assignments([a for a in assignments if a.status == "Submitted"])
        trust = await self.trust.trust(sorted({a.worker_id for a, _ in read}))
        for assignment, answers in read:
            judgment = judgment_of(assignment, answers, trust[assignment.worker_id])
            await self._pay(assignment, judgment, answers, approved)
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

    async def state_of(self, review: Review) -> HitState | None:
        """The capacity of the review's HIT, its answered assignments counted."""
        if review.unit_id is None:
            return None
        state = await self.crowd.hit_state(review.unit_id)
        answered = [a for a in await self.crowd.assignments(review.unit_id) if a.status in ANSWERED]
        return replace(state, answered=len(answered))

    def next_round(self, review: Review, state: HitState) -> Review | None:
        """``review`` with its HIT's next top-up round recorded (assignments in all, cost),
        or waiting for an operator with a reason; None when the HIT needs nothing."""
        now, rules, top = self.clock(), self.plan.verdict_rules, self.plan.top_up
        needed = rules.min_judgments - len(trusted(review.judgments, rules))
        if needed <= 0 or can_give_more(state, now):
            return None
        add = assignments_to_add(needed, state)
        reason = None
        if add > assignments_allowed(state.max_assignments, top):
            reason = REASON_SHORT_AT_CAP
        elif now >= state.expires_at and self._new_expiry(review) is None:
            reason = REASON_HIT_TOO_OLD
        if reason is not None:
            return None if reason in review.reasons else review.changed(reasons=(reason,))
        total = state.max_assignments + add
        return review.changed(
            topup_rounds=review.rounds + 1,
            hit_assignments=total,
            crowd_cost=str(hit_cost(self.plan.reward, total, self.plan.fees)),
            reasons=(),
        )

    def owes_round(self, review: Review, state: HitState) -> bool:
        """Was a round recorded on ``review`` whose assignments MTurk does not show yet?"""
        return (review.hit_assignments or 0) > state.max_assignments

    async def apply_round(self, review: Review, state: HitState) -> None:
        """Ask MTurk for the round recorded on ``review`` (repeatable: its token); record
        the HIT's new cost; give an expired HIT a new life."""
        if review.unit_id is None:
            return
        missing = (review.hit_assignments or 0) - state.max_assignments
        if missing > 0:
            await self.crowd.add_assignments(
                review.unit_id, missing, review.submission_id, review.rounds
            )
        if review.crowd_cost is not None:
            await self.spend.record(review.video, review.submission_id, Decimal(review.crowd_cost))
        until = self._new_expiry(review)
        if self.clock() >= state.expires_at and until is not None:
            await self.crowd.extend(review.unit_id, until)
        log.info(
            "HIT topped up",
            extra={"submission_id": review.submission_id, "round": review.rounds},
        )

    def _new_expiry(self, review: Review) -> datetime | None:
        created = review.unit_ordered_at or review.created_at
        return new_expiry(self.clock(), created, self.plan.top_up)

    async def spend_of(self, video: str) -> SpendTotal:
        """What the crowd cost for ``video`` so far."""
        return await self.spend.of_video(video)


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
    )
