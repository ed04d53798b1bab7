"""Queue depths for the operators' console, from SQS GetQueueAttributes (the one SQS
call the gateway's role allows on the fixed queues, besides GetQueueUrl)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from services.gateway.console.ports import QueueDepth
from shared.aws import AwsClients, is_missing_queue
from shared.errors import DependencyUnavailable
from shared.queues import dead_letter_queue


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
            answer = await self.aws.sqs.get_queue_attributes(
                QueueUrl=await self.aws.queue_url(queue),
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )
        except ClientError as exc:
            if is_missing_queue(exc):
                return None
            raise DependencyUnavailable("sqs", f"the depth of {queue} is unknown") from exc
        except BotoCoreError as exc:
            raise DependencyUnavailable("sqs", f"the depth of {queue} is unknown") from exc
        found = answer.get("Attributes", {})
        waiting = found.get("ApproximateNumberOfMessages", "0")
        return int(waiting), int(found.get("ApproximateNumberOfMessagesNotVisible", "0"))
