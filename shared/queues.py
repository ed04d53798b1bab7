"""SQS: its one error map, and sending project messages (one port, one adapter).

Every SQS call of every service runs inside :func:`queue_errors`, so ``ClientError``,
``BotoCoreError`` and the transport's ``aiohttp.ClientError`` never leave such a block.
One mapping:

    a queue that does not exist                    → :class:`QueueMissing`
    a receipt handle that is no longer current     → :class:`StaleReceipt` (a Gone)
    throttling, after botocore's retries           → :class:`Throttled`
    anything else, or no answer                    → :class:`DependencyUnavailable`

One retry policy: botocore's ``standard`` mode, set once in
:func:`shared.aws.client_kwargs`; nothing here retries again. The request id travels as
a message attribute. A send is safe to repeat: every consumer is idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from aiohttp import ClientError as TransportError
from botocore.exceptions import BotoCoreError, ClientError

from shared.aws import AwsClients, error_code, is_missing_queue, is_stale_receipt
from shared.correlation import message_attributes
from shared.errors import (
    DependencyUnavailable,
    OfofError,
    QueueMissing,
    StaleReceipt,
    Throttled,
)
from shared.messages import Message

SQS_MAX_BATCH = 10
DLQ_SUFFIX = "-dlq"
# What SQS answers (by protocol: query or JSON) when the request rate is exceeded.
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "RequestThrottled", "AWS.SimpleQueueService.RequestThrottled"}
)


def translate_queue_error(exc: ClientError, queue: str, action: str) -> OfofError:
    """Our error for an SQS ``ClientError`` raised while doing ``action`` on ``queue``."""
    code = error_code(exc)
    if is_missing_queue(exc):
        return QueueMissing("sqs", f"queue {queue} does not exist")
    if is_stale_receipt(exc):
        return StaleReceipt(f"{action} on {queue}: the receipt handle is stale ({code})")
    if code in THROTTLING_CODES:
        return Throttled("sqs", f"{action} on {queue} was throttled ({code})")
    return DependencyUnavailable("sqs", f"{action} on {queue} failed ({code})")


@contextmanager
def queue_errors(queue: str, action: str) -> Iterator[None]:
    """Within the block, SQS failures about ``queue`` become the project's errors.

    ``action`` says what was being done, e.g. ``"finishing a lease"``. Wrap the queue URL
    lookup (:meth:`AwsClients.queue_url`) too: a missing queue shows there first.
    """
    try:
        yield
    except ClientError as exc:
        raise translate_queue_error(exc, queue, action) from exc
    except (BotoCoreError, TransportError) as exc:
        detail = f"{action} on {queue} failed ({type(exc).__name__})"
        raise DependencyUnavailable("sqs", detail) from exc


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
        with queue_errors(queue, "sending"):
            answer = await self.aws.sqs.send_message(
                QueueUrl=await self.aws.queue_url(queue),
                MessageBody=message.to_body(),
                MessageAttributes=message_attributes(),
                DelaySeconds=delay_seconds,
            )
        return answer["MessageId"]

    async def send_batch(self, queue: str, messages: Sequence[Message]) -> list[str]:
        """Send ``messages`` to ``queue`` in batches of ten; raise if any entry failed.

        Returns the message ids in the order of ``messages``."""
        ids: list[str] = []
        for start in range(0, len(messages), SQS_MAX_BATCH):
            with queue_errors(queue, "sending a batch"):
                ids += await self._send_chunk(queue, messages[start : start + SQS_MAX_BATCH])
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
