"""Sending project messages to SQS, with the request id as a message attribute."""

from __future__ import annotations

from collections.abc import Sequence

from shared.aws import AwsClients
from shared.correlation import message_attributes
from shared.messages import Message

SQS_MAX_BATCH = 10


async def send(aws: AwsClients, queue: str, message: Message, delay_seconds: int = 0) -> str:
    """Send one message to ``queue``; return its SQS message id."""
    answer = await aws.sqs.send_message(
        QueueUrl=await aws.queue_url(queue),
        MessageBody=message.to_body(),
        MessageAttributes=message_attributes(),
        DelaySeconds=delay_seconds,
    )
    return answer["MessageId"]


async def send_batch(aws: AwsClients, queue: str, messages: Sequence[Message]) -> None:
    """Send ``messages`` to ``queue`` in batches of ten; raise if any entry failed."""
    url = await aws.queue_url(queue)
    for start in range(0, len(messages), SQS_MAX_BATCH):
        chunk = messages[start : start + SQS_MAX_BATCH]
        answer = await aws.sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {
                    "Id": str(index),
                    "MessageBody": message.to_body(),
                    "MessageAttributes": message_attributes(),
                }
                for index, message in enumerate(chunk)
            ],
        )
        if answer.get("Failed"):
            failed = ", ".join(
                f"{f['Id']}: {f.get('Message', f['Code'])}" for f in answer["Failed"]
            )
            raise RuntimeError(f"SQS refused {len(answer['Failed'])} of a batch: {failed}")
