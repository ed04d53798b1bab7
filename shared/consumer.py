"""An idempotent-minded SQS consumer loop.

Receive (long poll) → restore the request id → handle → delete. A handler that raises
leaves the message on the queue: it comes back after a backoff visibility timeout and,
after ``max_receive_count`` receives, lands in the dead-letter queue. A malformed body
is made visible again at once, so it reaches the dead-letter queue quickly. SQS is
at-least-once: handlers must be safe to run twice for the same message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol

from shared.aws import AwsClients
from shared.background import sleep_unless_stopping
from shared.correlation import request_id_from_message, request_id_var
from shared.errors import QueueMissing, StaleReceipt
from shared.messages import MalformedMessage
from shared.queues import queue_errors

if TYPE_CHECKING:
    from types_aiobotocore_sqs.type_defs import MessageTypeDef

log = logging.getLogger(__name__)

MAX_LONG_POLL_SECONDS = 20
MAX_RETRY_DELAY_SECONDS = 300
QUEUE_WAIT_SECONDS = 1.0


class MessageHandler(Protocol):
    """Handles one SQS message body; raising means "not done, deliver again"."""

    async def __call__(self, body: str) -> None: ...


def retry_delay_seconds(receive_count: int) -> int:
    """Visibility timeout after a failure: doubling from 2 s, capped at 5 min."""
    return int(min(2 ** max(receive_count, 1), MAX_RETRY_DELAY_SECONDS))


class QueueConsumer:
    """Feeds the messages of one queue to a handler until stopped."""

    def __init__(
        self,
        aws: AwsClients,
        queue: str,
        handler: MessageHandler,
        *,
        wait_seconds: int = 10,
        batch_size: int = 10,
        visibility_seconds: int = 60,
    ) -> None:
        self.aws = aws
        self.queue = queue
        self.handler = handler
        self.wait_seconds = min(wait_seconds, MAX_LONG_POLL_SECONDS)
        self.batch_size = batch_size
        self.visibility_seconds = visibility_seconds

    async def run(self, stopping: asyncio.Event) -> None:
        """Receive and handle batches until ``stopping`` is set."""
        url = await self._wait_for_queue(stopping)
        while url is not None and not stopping.is_set():
            messages = await self._receive(url, stopping)
            # Each message of a batch is handled concurrently; a batch finishes before stop.
            await asyncio.gather(*(self.handle_one(url, m) for m in messages))

    async def _wait_for_queue(self, stopping: asyncio.Event) -> str | None:
        """The queue's URL; while the queue does not exist yet (a stack still being
        bootstrapped), wait quietly. None if stopped meanwhile."""
        while not stopping.is_set():
            try:
                with queue_errors(self.queue, "looking up"):
                    return await self.aws.queue_url(self.queue)
            except QueueMissing:
                log.warning("queue does not exist yet; waiting", extra={"queue": self.queue})
            await sleep_unless_stopping(stopping, QUEUE_WAIT_SECONDS)
        return None

    async def _receive(self, url: str, stopping: asyncio.Event) -> list[MessageTypeDef]:
        receive = asyncio.ensure_future(
            self.aws.sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=self.batch_size,
                WaitTimeSeconds=self.wait_seconds,
                VisibilityTimeout=self.visibility_seconds,
                MessageAttributeNames=["All"],
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            )
        )
        stop = asyncio.ensure_future(stopping.wait())
        await asyncio.wait({receive, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not receive.done():
            # Stopping during a long poll: nothing was received yet, so nothing is lost.
            receive.cancel()
            return []
        with queue_errors(self.queue, "receiving"):
            return list(receive.result().get("Messages", []))

    async def handle_one(self, url: str, message: MessageTypeDef) -> None:
        """Handle one message; delete it on success, schedule a retry on failure."""
        token = request_id_var.set(request_id_from_message(message))
        receive_count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        try:
            await self.handler(message["Body"])
        except MalformedMessage as exc:
            log.error(
                "malformed message; it will be dead-lettered",
                extra={"queue": self.queue, "problem": exc.detail},
            )
            await self._retry_in(url, message, 0)
        except Exception:
            delay = retry_delay_seconds(receive_count)
            log.exception(
                "handler failed; retrying later",
                extra={
                    "queue": self.queue,
                    "receive_count": receive_count,
                    "retry_in_seconds": delay,
                },
            )
            await self._retry_in(url, message, delay)
        else:
            await self._delete(url, message)
        finally:
            request_id_var.reset(token)

    async def _delete(self, url: str, message: MessageTypeDef) -> None:
        """Delete a handled message. A stale receipt (the queue was recreated, or another
        receive holds the message now) or a lost queue only means the message comes again,
        and every handler is idempotent: logged, and the consumer runs on."""
        try:
            with queue_errors(self.queue, "deleting a handled message"):
                await self.aws.sqs.delete_message(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"]
                )
        except (StaleReceipt, QueueMissing) as exc:
            log.warning(
                "handled message not deleted; it may come again",
                extra={"queue": self.queue, "problem": exc.detail},
            )

    async def _retry_in(self, url: str, message: MessageTypeDef, seconds: int) -> None:
        try:
            await self.aws.sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=seconds
            )
        except Exception:
            log.warning("could not reschedule message; it returns after its visibility timeout")
