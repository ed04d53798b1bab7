"""Where verdicts go: the render queue."""

from __future__ import annotations

from shared.messages import SubmissionModerated
from shared.queues import QueueSender


class SqsVerdictQueues:
    """:class:`~services.moderation.reviews.ports.VerdictQueues` on the render queue.

    ``sender`` is :class:`shared.queues.SqsQueueSender` (botocore retries transient
    failures); a send is safe to repeat, the renderer is idempotent.
    """

    def __init__(self, sender: QueueSender, render_queue: str) -> None:
        self.sender = sender
        self.render_queue = render_queue

    async def announce(self, verdict: SubmissionModerated) -> None:
        """Send ``verdict`` to the render queue."""
        await self.sender.send(self.render_queue, verdict)
