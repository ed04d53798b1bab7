"""ingest's two queues: finishing a lease on ``frames``, announcing on ``moderation``."""

from __future__ import annotations

import logging

from shared.aws import AwsClients
from shared.errors import QueueMissing, StaleReceipt
from shared.messages import SubmissionIngested
from shared.queues import QueueSender, frames_queue_of, queue_errors

log = logging.getLogger(__name__)


class SqsLeaseFinisher:
    """:class:`~services.ingest.ports.LeaseFinisher` on each video's frames queue
    (:func:`shared.queues.frames_queue_of`)."""

    def __init__(self, aws: AwsClients, prefix: str) -> None:
        self.aws = aws
        self.prefix = prefix

    async def finish(self, video: str, receipt_handle: str) -> None:
        """Delete the slot's message; a stale receipt handle is logged and ignored."""
        queue = frames_queue_of(self.prefix, video)
        try:
            with queue_errors(queue, "finishing the lease"):
                queue_url = await self.aws.queue_url(queue)
                await self.aws.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=receipt_handle)
        except (StaleReceipt, QueueMissing):
            # A late photo: the slot went to someone else, who may photograph it too. (Or
            # the queue was lost and recreated: the feeder has reopened the slot.)
            log.info("lease receipt was stale; the slot stays in the queue")


class SqsAnnouncer:
    """:class:`~services.ingest.ports.Announcer` on the ``moderation`` queue."""

    def __init__(self, sender: QueueSender, queue: str) -> None:
        self.sender = sender
        self.queue = queue

    async def announce(self, message: SubmissionIngested) -> None:
        """Send ``SubmissionIngested`` (the sender maps failures to a 503)."""
        await self.sender.send(self.queue, message)
