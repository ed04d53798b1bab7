"""ingest's two queues: finishing a lease on ``frames``, announcing on ``moderation``."""

from __future__ import annotations

import logging

from botocore.exceptions import BotoCoreError, ClientError

from shared.aws import AwsClients, is_stale_receipt
from shared.errors import DependencyUnavailable
from shared.messages import SubmissionIngested
from shared.queues import QueueSender

log = logging.getLogger(__name__)


class SqsLeaseFinisher:
    """:class:`~services.ingest.ports.LeaseFinisher` on the ``frames`` queue."""

    def __init__(self, aws: AwsClients, queue: str) -> None:
        self.aws = aws
        self.queue = queue

    async def finish(self, receipt_handle: str) -> None:
        """Delete the slot's message; a stale receipt handle is logged and ignored."""
        try:
            await self.aws.sqs.delete_message(
                QueueUrl=await self.aws.queue_url(self.queue), ReceiptHandle=receipt_handle
            )
        except ClientError as exc:
            if not is_stale_receipt(exc):
                raise DependencyUnavailable("sqs", "could not finish the lease") from exc
            # A late photo: the slot went to someone else, who may photograph it too.
            log.info("lease receipt was stale; the slot stays in the queue")
        except BotoCoreError as exc:
            raise DependencyUnavailable("sqs", "could not finish the lease") from exc


class SqsAnnouncer:
    """:class:`~services.ingest.ports.Announcer` on the ``moderation`` queue."""

    def __init__(self, sender: QueueSender, queue: str) -> None:
        self.sender = sender
        self.queue = queue

    async def announce(self, message: SubmissionIngested) -> None:
        """Send ``SubmissionIngested`` (the sender maps failures to a 503)."""
        await self.sender.send(self.queue, message)
