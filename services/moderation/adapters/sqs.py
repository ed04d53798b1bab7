"""Where moderation's decisions go: verdicts to ``render``, rejected slots to ``frames``."""

from __future__ import annotations

from shared.messages import FrameSlot, SubmissionModerated
from shared.queues import QueueSender


class SqsVerdictQueues:
    """:class:`~services.moderation.ports.VerdictQueues` on two SQS queues.

    ``sender`` is :class:`shared.queues.SqsQueueSender` (botocore retries transient
    failures); both sends are safe to repeat, every consumer is idempotent.
    """

    def __init__(self, sender: QueueSender, render_queue: str, frames_queue: str) -> None:
        self.sender = sender
        self.render_queue = render_queue
        self.frames_queue = frames_queue

    async def announce(self, verdict: SubmissionModerated) -> None:
        """Send ``verdict`` to the render queue."""
        await self.sender.send(self.render_queue, verdict)

    async def return_slot(self, slot: FrameSlot) -> None:
        """Send ``slot`` to the frames queue."""
        await self.sender.send(self.frames_queue, slot)
