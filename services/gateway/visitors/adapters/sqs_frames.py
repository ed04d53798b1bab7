"""Each video's frames queue on SQS: a lease is a received message's visibility timeout.

A video's queue (:func:`shared.queues.frames_queue_of`) holds only the small window of
slots moderation's feeder keeps waiting there, so a receive is cheap however long the
video. A queue that does not exist (yet, or any more) simply has no slot waiting.

Frames queues have no redrive policy (see :mod:`shared.bootstrap`): leases come and go as
receives, and a receive limit would dead-letter a slot after a few released or expired
leases. So this adapter is the one that dead-letters: a body that is not a
:class:`~shared.messages.FrameSlot` is copied to the dead-letter queue, then deleted.
Copy before delete means a crash in between leaves a second copy, never a lost one.
"""

from __future__ import annotations

import contextlib
import logging

from services.gateway.visitors.ports import LeasedSlot
from shared.aws import AwsClients
from shared.correlation import message_attributes
from shared.errors import DependencyUnavailable, QueueMissing, StaleReceipt
from shared.leases import LeaseGone
from shared.messages import FrameSlot, MalformedMessage, parse_message
from shared.queues import dead_letter_queue, frames_queue_of, queue_errors

log = logging.getLogger(__name__)

# Malformed messages moved aside within one lease before it answers "no slot now".
_MALFORMED_SKIPS = 3


class SqsFrameQueue:
    """:class:`~services.gateway.visitors.ports.FrameQueue` on one SQS queue per video."""

    def __init__(self, aws: AwsClients, prefix: str) -> None:
        self.aws = aws
        self.prefix = prefix

    async def lease(self, video: str, visibility_seconds: int) -> LeasedSlot | None:
        queue = frames_queue_of(self.prefix, video)
        for _ in range(_MALFORMED_SKIPS):
            message = await self._receive_one(queue, visibility_seconds)
            if message is None:
                return None
            body, receipt_handle = message
            try:
                slot = parse_message(body, FrameSlot)
            except MalformedMessage as exc:
                log.error("malformed frames message", extra={"problem": exc.detail})
                await self._dead_letter(queue, body, receipt_handle)
                continue
            return LeasedSlot(slot=slot, receipt_handle=receipt_handle)
        return None

    async def _receive_one(self, queue: str, visibility_seconds: int) -> tuple[str, str] | None:
        try:
            with queue_errors(queue, "leasing a frame"):
                answer = await self.aws.sqs.receive_message(
                    QueueUrl=await self.aws.queue_url(queue),
                    MaxNumberOfMessages=1,
                    VisibilityTimeout=visibility_seconds,
                    WaitTimeSeconds=0,
                )
        except QueueMissing:
            return None
        messages = answer.get("Messages", [])
        if not messages:
            return None
        return messages[0]["Body"], messages[0]["ReceiptHandle"]

    async def _dead_letter(self, queue: str, body: str, receipt_handle: str) -> None:
        """Move a malformed body to the dead-letter queue; if SQS fails, it comes back
        after the lease's visibility timeout and is moved then."""
        try:
            with queue_errors(queue, "dead-lettering a malformed frames message"):
                await self.aws.sqs.send_message(
                    QueueUrl=await self.aws.queue_url(dead_letter_queue(queue)),
                    MessageBody=body,
                    MessageAttributes=message_attributes(),
                )
                await self.aws.sqs.delete_message(
                    QueueUrl=await self.aws.queue_url(queue), ReceiptHandle=receipt_handle
                )
        except (DependencyUnavailable, StaleReceipt):
            log.warning("could not dead-letter a malformed frames message; it will come back")

    async def extend(self, video: str, receipt_handle: str, visibility_seconds: int) -> None:
        await self._change_visibility(video, receipt_handle, visibility_seconds)

    async def release(self, video: str, receipt_handle: str) -> None:
        # Already visible again, or done: then there is nothing left to release.
        with contextlib.suppress(LeaseGone):
            await self._change_visibility(video, receipt_handle, 0)

    async def _change_visibility(self, video: str, receipt_handle: str, seconds: int) -> None:
        queue = frames_queue_of(self.prefix, video)
        try:
            with queue_errors(queue, "changing a lease's visibility"):
                await self.aws.sqs.change_message_visibility(
                    QueueUrl=await self.aws.queue_url(queue),
                    ReceiptHandle=receipt_handle,
                    VisibilityTimeout=seconds,
                )
        except (StaleReceipt, QueueMissing) as exc:
            raise LeaseGone("the lease expired and its frame went back to the queue") from exc
