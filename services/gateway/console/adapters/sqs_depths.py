"""Queue depths for the operators' console, from SQS GetQueueAttributes (the one SQS
call the gateway's role allows on the fixed queues, besides GetQueueUrl)."""

from __future__ import annotations

from services.gateway.console.ports import QueueDepth
from shared.aws import AwsClients
from shared.errors import QueueMissing
from shared.queues import dead_letter_queue, queue_errors


class SqsQueueDepths:
    """:class:`~services.gateway.console.ports.QueueDepths` on SQS."""

    def __init__(self, aws: AwsClients) -> None:
        self.aws = aws

    async def depth(self, queue: str) -> QueueDepth | None:
        counts = await self._counts(queue)
        if counts is None:
            return None
        dead = await self._counts(dead_letter_queue(queue))
        return QueueDepth(queue, counts[0], counts[1], None if dead is None else dead[0])

    async def _counts(self, queue: str) -> tuple[int, int] | None:
        """(waiting, in flight) of ``queue``, or None when it does not exist."""
        try:
            with queue_errors(queue, "reading its depth"):
                answer = await self.aws.sqs.get_queue_attributes(
                    QueueUrl=await self.aws.queue_url(queue),
                    AttributeNames=[
                        "ApproximateNumberOfMessages",
                        "ApproximateNumberOfMessagesNotVisible",
                    ],
                )
        except QueueMissing:
            return None
        found = answer.get("Attributes", {})
        waiting = found.get("ApproximateNumberOfMessages", "0")
        return int(waiting), int(found.get("ApproximateNumberOfMessagesNotVisible", "0"))
