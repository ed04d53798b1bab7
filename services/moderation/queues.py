"""Where moderation's decisions go: verdicts to ``render``, rejected slots to ``frames``."""

from __future__ import annotations

from typing import Protocol

from shared.aws import AwsClients
from shared.messages import FrameSlot, SubmissionModerated
from shared.queues import SqsQueueSender


class VerdictQueues(Protocol):
    """The two queues moderation writes to."""

    async def announce(self, verdict: SubmissionModerated) -> None:
        """Tell the renderer about a verdict."""
        ...

    async def return_slot(self, slot: FrameSlot) -> None:
        """Hand a slot out to visitors again."""
        ...


class SqsVerdictQueues:
    """:class:`VerdictQueues` on SQS (botocore retries transient failures)."""

    def __init__(self, aws: AwsClients, render_queue: str, frames_queue: str) -> None:
        self.aws = aws
        self.render_queue = render_queue
        self.frames_queue = frames_queue

    async def announce(self, verdict: SubmissionModerated) -> None:
        """Send ``verdict`` to the render queue."""
        await SqsQueueSender(self.aws).send(self.render_queue, verdict)

    async def return_slot(self, slot: FrameSlot) -> None:
        """Send ``slot`` to the frames queue."""
        await SqsQueueSender(self.aws).send(self.frames_queue, slot)
