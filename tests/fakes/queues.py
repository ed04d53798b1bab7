"""``MemoryQueueSender``: the :class:`shared.queues.QueueSender` port as lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from shared.errors import DependencyUnavailable
from shared.messages import Message


class MemoryQueueSender:
    """Remembers every message sent, by queue name, in order."""

    def __init__(self) -> None:
        self.sent: defaultdict[str, list[Message]] = defaultdict(list)
        self.down = False

    async def send(self, queue: str, message: Message, delay_seconds: int = 0) -> str:
        if self.down:
            raise DependencyUnavailable("sqs", f"could not send to the {queue} queue")
        self.sent[queue].append(message)
        return f"{queue}-{len(self.sent[queue])}"

    async def send_batch(self, queue: str, messages: Sequence[Message]) -> list[str]:
        return [await self.send(queue, message) for message in messages]
