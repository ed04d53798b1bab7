"""Sending project messages to SQS: one port, one adapter, one error mapping.

The request id travels as a message attribute. ``ClientError`` and ``BotoCoreError``
become :class:`DependencyUnavailable` here; retries are botocore's ``standard`` mode,
set once in :func:`shared.aws.client_kwargs`. A send is safe to repeat: every consumer
is idempotent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from shared.aws import AwsClients
from shared.correlation import message_attributes
from shared.errors import DependencyUnavailable
from shared.messages import Message

T = TypeVar("T")
SQS_MAX_BATCH = 10
DLQ_SUFFIX = "-dlq"


def frames_queue_of(prefix: str, video: str) -> str:
    """The frames queue of one video: ``{prefix}-{video}`` (e.g. ``ofof-frames-demo``).

    Each video has its own, so a lease of one video is one receive however many other
    videos wait. Video names are at most 64 characters, so the name and its ``-dlq``
    stay within SQS's 80.
    """
    return f"{prefix}-{video}"


def dead_letter_queue(queue: str) -> str:
    """The name of ``queue``'s dead-letter queue (bootstrap creates one beside each queue)."""
    return queue + DLQ_SUFFIX


class QueueSender(Protocol):
    """Puts messages on named queues."""

    async def send(self, queue: str, message: Message, delay_seconds: int = 0) -> str:
        """Send one message to ``queue``; return its message id."""
        ...

    async def send_batch(self, queue: str, messages: Sequence[Message]) -> list[str]:
        """Send ``messages`` to ``queue``, all or raise; return their ids, in order."""
        ...


class SqsQueueSender:
    """:class:`QueueSender` on SQS (queue URLs resolved once by :class:`AwsClients`)."""

    def __init__(self, aws: AwsClients) -> None:
        self.aws = aws

    async def send(self, queue: str, message: Message, delay_seconds: int = 0) -> str:
        """Send one message to ``queue``; return its SQS message id."""

        async def call() -> str:
            answer = await self.aws.sqs.send_message(
                QueueUrl=await self.aws.queue_url(queue),
                MessageBody=message.to_body(),
                MessageAttributes=message_attributes(),
                DelaySeconds=delay_seconds,
            )
            return answer["MessageId"]

        return await _call(queue, call)

    async def send_batch(self, queue: str, messages: Sequence[Message]) -> list[str]:
        """Send ``messages`` to ``queue`` in batches of ten; raise if any entry failed.

        Returns the message ids in the order of ``messages``."""
        ids: list[str] = []
        for start in range(0, len(messages), SQS_MAX_BATCH):
            chunk = messages[start : start + SQS_MAX_BATCH]
            ids += await _call(queue, lambda c=chunk: self._send_chunk(queue, c))  # type: ignore[misc]
        return ids

    async def _send_chunk(self, queue: str, chunk: Sequence[Message]) -> list[str]:
        answer = await self.aws.sqs.send_message_batch(
            QueueUrl=await self.aws.queue_url(queue),
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
            raise DependencyUnavailable(
                "sqs", f"SQS refused {len(answer['Failed'])} of a batch to {queue}: {failed}"
            )
        by_entry = {entry["Id"]: entry["MessageId"] for entry in answer.get("Successful", [])}
        return [by_entry[str(index)] for index in range(len(chunk))]


async def _call(queue: str, call: Callable[[], Awaitable[T]]) -> T:
    try:
        return await call()
    except (ClientError, BotoCoreError) as exc:
        raise DependencyUnavailable("sqs", f"could not send to the {queue} queue") from exc
