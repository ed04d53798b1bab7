"""The guard of the fixed queues: a lost moderation or render queue re-derived from the
durable records (the feeder's sweep runs it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from services.moderation.reviews.moderator import EVERY_APPROVAL, Moderator
from services.moderation.reviews.review import verdict_message
from services.moderation.slots.ports import FeedRegistry, QueueWatch
from shared.messages import SubmissionIngested
from shared.objects import ObjectStore
from shared.records import SUBMISSIONS_PREFIX, SubmissionRecord, submission_record_key

log = logging.getLogger(__name__)


class TransportGuard:
    """Notices a lost moderation or render queue and re-derives what was in it.

    SQS loses nothing on AWS, but the local AWS keeps no queues across a restart, and an
    operator may delete and recreate a queue: a queue whose creation time changed lost
    its messages. Then every stored submission without a review is reviewed (the
    moderation queue's content), and every approval and every withdrawal of one is
    announced again (the render queue's; the renderer is idempotent).
    """

    def __init__(
        self,
        moderator: Moderator,
        registry: FeedRegistry,
        watch: QueueWatch,
        submissions: ObjectStore,
        queues: QueueNames,
    ) -> None:
        self.moderator, self.registry, self.watch = moderator, registry, watch
        self.submissions = submissions
        self.queues = queues

    async def check(self) -> dict[str, int]:
        """Repair each queue found recreated; what was repaired, by queue."""
        repaired: dict[str, int] = {}
        for queue, repair in (
            (self.queues.moderation, self._review_unknown),
            (self.queues.render, self._reannounce_decisions),
        ):
            created = await self.watch.created(queue)
            seen = await self.registry.queue_seen(queue)
            if created is None or created == seen:
                continue
            if seen is not None:
                repaired[queue] = await repair()
                self.moderator.observer.count("ofof_sweep_repairs", kind="queue_recreated")
                log.warning("queue was recreated; its messages re-derived", extra={"queue": queue})
            await self.registry.save_queue_seen(queue, created)
        return repaired

    async def _review_unknown(self) -> int:
        count = 0
        for prefix in await self.submissions.prefixes(SUBMISSIONS_PREFIX):
            sid = prefix.removeprefix(SUBMISSIONS_PREFIX).strip("/")
            record = await self.submissions.find_record(
                submission_record_key(sid), SubmissionRecord
            )
            if record is not None and await self._review_if_unknown(record):
                count += 1
        return count

    async def _review_if_unknown(self, record: SubmissionRecord) -> bool:
        """Review a stored submission whose message was lost; True if it had no review."""
        if await self.moderator.store.get(record.submission_id) is not None:
            return False
        await self.moderator.ingest(SubmissionIngested.model_validate(record.model_dump()))
        return True

    async def _reannounce_decisions(self) -> int:
        """Tell the renderer every approval again, and every withdrawal of one (a takedown,
        a report's hiding, a deletion), so a lost render queue leaves no withdrawn photo
        in the clip (the renderer's consumer is idempotent)."""
        store, queues = self.moderator.store, self.moderator.queues
        approved = await store.recent_approved(EVERY_APPROVAL)
        for review in approved:
            await queues.announce(verdict_message(review))
        withdrawn = 0
        async for review in store.withdrawn():
            await queues.announce(verdict_message(review))
            withdrawn += 1
        return len(approved) + withdrawn


@dataclass(frozen=True)
class QueueNames:
    """The fixed queues whose loss :class:`TransportGuard` repairs."""

    moderation: str
    render: str
