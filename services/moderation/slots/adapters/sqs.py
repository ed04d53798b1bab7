"""Each video's frames queue, where the feeder offers slots to visitors."""

from __future__ import annotations

from collections.abc import Sequence

from services.moderation.slots.ports import QueueState
from shared.aws import AwsClients
from shared.bootstrap import ensure_work_queue
from shared.errors import DependencyUnavailable, QueueMissing
from shared.messages import FrameSlot
from shared.queues import QueueSender, frames_queue_of, queue_errors


class SqsFramesTransport:
    """:class:`~services.moderation.slots.ports.FramesTransport`: one SQS queue per video,
    named by :func:`shared.queues.frames_queue_of`, with a dead-letter queue beside it."""

    def __init__(self, aws: AwsClients, sender: QueueSender, prefix: str) -> None:
        self.aws, self.sender, self.prefix = aws, sender, prefix

    async def state(self, video: str) -> QueueState | None:
        """Messages waiting and creation time, or None when the queue does not exist."""
        attributes = await self._attributes(frames_queue_of(self.prefix, video))
        if attributes is None:
            return None
        return QueueState(
            waiting=int(attributes["ApproximateNumberOfMessages"]),
            created=attributes["CreatedTimestamp"],
        )

    async def _attributes(self, name: str) -> dict[str, str] | None:
        try:
            with queue_errors(name, "reading the queue's attributes"):
                url = (await self.aws.sqs.get_queue_url(QueueName=name))["QueueUrl"]
                answer = await self.aws.sqs.get_queue_attributes(
                    QueueUrl=url,
                    AttributeNames=["ApproximateNumberOfMessages", "CreatedTimestamp"],
                )
        except QueueMissing:
            return None
        return {str(name): value for name, value in answer["Attributes"].items()}

    async def create(self, video: str) -> QueueState:
        """Create the video's queue and dead-letter queue (14-day retention, no redrive:
        a lease is a receive); idempotent."""
        name = frames_queue_of(self.prefix, video)
        with queue_errors(name, "creating the queue"):
            await ensure_work_queue(self.aws, name, None)
        state = await self.state(video)
        if state is None:
            raise DependencyUnavailable("sqs", f"the {name} queue vanished after creation")
        return state

    async def created(self, queue: str) -> str | None:
        """:class:`~services.moderation.slots.ports.QueueWatch`: when ``queue`` was created."""
        attributes = await self._attributes(queue)
        return None if attributes is None else attributes["CreatedTimestamp"]

    async def offer(self, video: str, frames: Sequence[int]) -> list[str]:
        """One :class:`FrameSlot` message per frame; their ids."""
        slots = [FrameSlot(video=video, frame=frame) for frame in frames]
        return await self.sender.send_batch(frames_queue_of(self.prefix, video), slots)
