"""Reports and the operators' decisions on them: a use-case object over the moderator
and the report store (no HTTP, no boto).

A visitor's report about a shown photo is stored once per visitor; the photo joins the
operators' report queue, and once ``hide_after`` visitors reported it, it is taken down
at once (reason ``reported``) through the same path as an operator's takedown, so the
slot and the renderer drop it until an operator restores it. An operator's takedown,
restore or bulk revert takes the photo(s) out of the queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.moderation.reports.ports import ReportStore
from services.moderation.reports.report import (
    Report,
    ReportedPhoto,
    cleaned_note,
    should_hide,
)
from services.moderation.reviews.moderator import EVERY_APPROVAL, Moderator
from services.moderation.reviews.review import REASON_REPORTED, Review
from shared.errors import NotFound
from shared.messages import utcnow
from shared.records import ReportOutcome, ReportReason

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueuedReport:
    """One entry of the operators' queue: the photo's review and every report on it."""

    photo: ReportedPhoto
    review: Review
    reports: list[Report]


class ReportDesk:
    """Takes visitors' reports and the operators' decisions on reported photos."""

    def __init__(
        self,
        moderator: Moderator,
        reports: ReportStore,
        hide_after: int,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.moderator, self.reports = moderator, reports
        self.hide_after = hide_after
        self.clock = clock

    async def report(
        self, submission_id: str, visitor: str, reason: ReportReason, note: str | None
    ) -> ReportOutcome:
        """Count one visitor's report (once per visitor); hide the photo after enough."""
        review = await self.moderator.review(submission_id)
        if review.status != "approved" and not review.is_taken_down:
            raise NotFound(f"submission {submission_id} is not a shown photo")
        report = Report(submission_id, visitor, reason, cleaned_note(note), self.clock())
        is_new = await self.reports.add(report)
        count = len(await self.reports.of_photo(submission_id))
        if review.status == "approved" and should_hide(count, self.hide_after):
            log.info("hidden by reports", extra={"submission_id": submission_id})
            review = await self.moderator.takedown(submission_id, REASON_REPORTED)
        return ReportOutcome(counted=is_new, hidden=review.is_taken_down)

    async def queue(self, limit: int) -> list[QueuedReport]:
        """The oldest ``limit`` reported photos awaiting an operator, with their reports."""
        photos = await self.reports.queued(limit)
        return list(await asyncio.gather(*(self._entry(photo) for photo in photos)))

    async def _entry(self, photo: ReportedPhoto) -> QueuedReport:
        review = await self.moderator.review(photo.submission_id)
        reports = await self.reports.of_photo(photo.submission_id)
        return QueuedReport(photo, review, reports)

    async def takedown(self, submission_id: str) -> Review:
        """An operator's takedown; the photo leaves the report queue."""
        review = await self.moderator.takedown(submission_id)
        await self.reports.resolve(submission_id)
        return review

    async def restore(self, submission_id: str) -> Review:
        """An operator's restore; the photo leaves the report queue."""
        review = await self.moderator.restore(submission_id)
        await self.reports.resolve(submission_id)
        return review

    async def revert_contributor(self, client_id: str) -> list[Review]:
        """Take down every approved photo of one contributor (a visitor's client id)."""
        approved = await self.moderator.store.recent_approved(EVERY_APPROVAL)
        mine = [review for review in approved if review.client_id == client_id]
        return [await self.takedown(review.submission_id) for review in mine]
