"""A photo nobody could see is asked again (the Crowdflower wing).

A worker who cannot load the photo answers ``photo_loads: no``; such a judgment never
counts (:func:`~services.moderation.reviews.verdicts.is_short_of_sight`). The platform
finalizes a unit once it has the job's judgments per unit, whatever they say, so a unit
whose judgments were broken-image answers ends short of a quorum. Reconcile then asks
again with a new unit for the same submission (v1 has no call that adds judgments to
one unit; a new unit, ordered, is the platform's way), once the photo links load again:

- the round is recorded on the review first (``topup_rounds``, a version-checked
  write, so two reconcilers never both ask), then the unit is made with an ``ask``
  column naming the round, and the review records it (``unit_id``, ``unit_round``); a
  crash in between is healed by finding the unit by its round before making one;
- the new unit is ordered like the first (its links checked again first);
- at most ``max_asks`` rounds: past them the review waits for an operator
  (:data:`~services.moderation.reviews.review.REASON_SHORT_AT_CAP`).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from services.moderation.crowd.crowdflower.ports import CrowdClient
from services.moderation.crowd.crowdflower.work import CrowdWork
from services.moderation.crowd.links import PhotoLinks
from services.moderation.reviews.ports import ReviewStore
from services.moderation.reviews.review import REASON_SHORT_AT_CAP, Review
from services.moderation.reviews.verdicts import VerdictRules, is_short_of_sight
from shared.metrics import Observer, Tally

log = logging.getLogger(__name__)
# Rounds of asking again before an operator decides (each round is one more unit).
MAX_ASKS = 3
FINALIZED = "finalized"


class SecondLook:
    """Asks again about photos whose units ended short of sight."""

    def __init__(
        self,
        client: CrowdClient,
        work: CrowdWork,
        store: ReviewStore,
        rules: VerdictRules,
        *,
        links: PhotoLinks | None = None,
        max_asks: int = MAX_ASKS,
        observer: Observer | None = None,
    ) -> None:
        self.client, self.work, self.store = client, work, store
        self.rules, self.links, self.max_asks = rules, links, max_asks
        # Photos asked again (/metrics).
        self.observer: Observer = observer or Tally()

    async def follow(self, review: Review) -> Review | None:
        """``review`` with a new, unordered unit when its photo must be asked again;
        None when it needs none (yet)."""
        if review.job_id is None or review.unit_id is None or not review.is_pending:
            return None
        if not is_short_of_sight(review.judgments, self.rules):
            return None
        if self.owes_unit(review):
            return await self._make_unit(review)
        if await self.client.unit_state(review.job_id, review.unit_id) != FINALIZED:
            return None
        if review.rounds >= self.max_asks:
            await self._wait_for_operator(review)
            return None
        return await self._next_round(review)

    def owes_unit(self, review: Review) -> bool:
        """Was a round recorded on ``review`` whose unit is not recorded yet?"""
        return review.rounds > (review.unit_round or 0)

    async def _next_round(self, review: Review) -> Review | None:
        unit = await self.work.unit_of(review)
        urls = (unit.photo_url, unit.original_url)
        if self.links is not None and not await self.links.load(review.submission_id, urls):
            return None
        stored = await self.store.put(review.changed(topup_rounds=review.rounds + 1, reasons=()))
        if stored is None:
            return None
        self.observer.count("ofof_photos_asked_again")
        log.info(
            "photo asked again: its workers could not load it",
            extra={"submission_id": review.submission_id, "round": stored.rounds},
        )
        return await self._make_unit(stored)

    async def _make_unit(self, review: Review) -> Review | None:
        """The unit of the round recorded on ``review``, found again or made; recorded."""
        if review.job_id is None:
            return None
        ask = review.rounds
        unit_id = await self.client.find_asked(review.job_id, review.submission_id, ask)
        if unit_id is None:
            unit = replace(await self.work.unit_of(review), ask=ask)
            unit_id = await self.client.create_unit(review.job_id, unit)
        return await self.store.put(
            review.changed(unit_id=unit_id, unit_round=ask, unit_ordered_at=None)
        )

    async def _wait_for_operator(self, review: Review) -> None:
        if REASON_SHORT_AT_CAP in review.reasons:
            return
        if await self.store.put(review.changed(reasons=(REASON_SHORT_AT_CAP,))):
            # Written once (a version-checked write of a new reason), so logged once.
            log.warning(
                "photo asked again as often as allowed and still unseen: an operator decides",
                extra={"submission_id": review.submission_id},
            )
