"""Topping up a HIT short of quorum (the Mechanical Turk wing): when a HIT can give no
more judgments (expired, or every assignment in) and the review still lacks a quorum,
the next round is recorded on the review (assignments in all, cost), then MTurk is
asked for it (its ``UniqueRequestToken`` from the round's number, so a replay adds
nothing twice); an expired HIT gets a new life. At the cap, or when the photo URLs die
too soon, the review waits for an operator with a reason. Judgments of workers who
could not load the photo never count, so a HIT they answered is short of quorum and
topped up like any other; a round is asked only once the photo loads again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from services.moderation.crowd.mturk.hits import (
    HitState,
    assignments_allowed,
    assignments_to_add,
    can_give_more,
    hit_cost,
    new_expiry,
)
from services.moderation.crowd.mturk.ports import HitCrowd, SpendLedger
from services.moderation.reviews.ports import ReviewStore
from services.moderation.reviews.review import REASON_HIT_TOO_OLD, REASON_SHORT_AT_CAP, Review
from services.moderation.reviews.verdicts import judgments_needed

if TYPE_CHECKING:
    from services.moderation.crowd.mturk.work import HitPlan

log = logging.getLogger(__name__)
# Assignments in these states carry answers (Approved/Rejected once we settled them).
ANSWERED = frozenset({"Submitted", "Approved", "Rejected"})


class TopUp:
    """Tops up the HITs of reviews short of quorum."""

    def __init__(
        self,
        crowd: HitCrowd,
        ledger: SpendLedger,
        store: ReviewStore,
        plan: HitPlan,
        clock: Callable[[], datetime],
        sight: Callable[[Review], Awaitable[bool]] | None = None,
    ) -> None:
        self.crowd, self.ledger, self.store = crowd, ledger, store
        self.plan, self.clock = plan, clock
        # Does the review's photo load now? (None: not checked.)
        self.sight = sight

    async def state_of(self, hit_id: str) -> HitState:
        """The capacity of a HIT, its answered assignments counted."""
        state = await self.crowd.hit_state(hit_id)
        answered = [a for a in await self.crowd.assignments(hit_id) if a.status in ANSWERED]
        return replace(state, answered=len(answered))

    async def follow(self, review: Review, state: HitState) -> None:
        """Top up the HIT of ``review``, still short of quorum, when it can give no more:
        the round is recorded on the review first, then asked of MTurk (a round recorded
        and not yet shown by MTurk is asked again)."""
        if self.owes_round(review, state):
            await self.apply_round(review, state)
            return
        change = self.next_round(review, state)
        if change is not None and change.rounds > review.rounds and not await self._sees(review):
            return
        stored = await self.store.put(change) if change is not None else None
        if stored is None:
            return
        if stored.rounds > review.rounds:
            await self.apply_round(stored, state)
        else:
            # Written once (a version-checked write of a new reason), so logged once.
            log.warning(
                "HIT short of quorum and not topped up: an operator decides",
                extra={"submission_id": review.submission_id, "reason": stored.reasons[0]},
            )

    def next_round(self, review: Review, state: HitState) -> Review | None:
        """``review`` with its HIT's next top-up round recorded (assignments in all, cost),
        or waiting for an operator with a reason; None when the HIT needs nothing."""
        now, rules, top = self.clock(), self.plan.verdict_rules, self.plan.top_up
        needed = judgments_needed(review.judgments, rules)
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

    async def _sees(self, review: Review) -> bool:
        """Does the photo load now, so a new round is worth asking for?"""
        return self.sight is None or await self.sight(review)

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
            await self.ledger.record(review.video, review.submission_id, Decimal(review.crowd_cost))
        until = self._new_expiry(review)
        if self.clock() >= state.expires_at and until is not None:
            await self.crowd.extend(review.unit_id, until)
        log.info(
            "HIT topped up",
            extra={"submission_id": review.submission_id, "round": review.rounds},
        )

    def _new_expiry(self, review: Review) -> datetime | None:
        created = review.unit_ordered_at or review.created_at
        return new_expiry(self.clock(), created, self.plan.top_up, self.plan.photo_url_seconds)
