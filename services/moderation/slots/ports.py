"""The slots wing's ports: the slot records as the feeder keeps them, and the frames
queues (adapters: :mod:`services.moderation.slots.adapters`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.moderation.reviews.offers import SlotOffer
from services.moderation.reviews.ports import SlotRegistry


@dataclass(frozen=True)
class VideoFeed:
    """What the feeder knows of one video: its size, how many slots it registered, and
    which incarnation of the video's frames queue its offered slots were sent to."""

    video: str
    frame_count: int
    registered: int = 0
    queue_created: str | None = None

    @property
    def is_registered(self) -> bool:
        """Is every slot of the video recorded?"""
        return self.registered >= self.frame_count


class FeedRegistry(SlotRegistry, Protocol):
    """The slot records, as the feeder reads and writes them."""

    async def feed_of(self, video: str) -> VideoFeed | None:
        """The video's feed record, or None before the feeder first saw it."""
        ...

    async def save_feed(self, feed: VideoFeed) -> None:
        """Write the video's feed record."""
        ...

    async def register(self, video: str, ranks: Sequence[int], start: int, count: int) -> None:
        """Record slots ``start`` .. ``start + count - 1`` of ``video`` as new and open."""
        ...

    async def offerable(self, video: str, tier: int, limit: int) -> list[SlotOffer]:
        """Up to ``limit`` slots of ``tier`` the feeder may offer, in offering order."""
        ...

    async def has_unapproved(self, video: str) -> bool:
        """Does any slot of the video still lack an approved photo?"""
        ...

    async def offered(self, video: str) -> list[SlotOffer]:
        """Every slot of the video whose message is out."""
        ...

    async def lapsed(self, video: str, now: datetime) -> list[SlotOffer]:
        """Every ``leased`` slot of the video whose hold ended by ``now``."""
        ...

    async def queue_seen(self, queue: str) -> str | None:
        """The creation time of ``queue`` when it was last checked, or None."""
        ...

    async def save_queue_seen(self, queue: str, created: str) -> None:
        """Remember the creation time of ``queue``."""
        ...


@dataclass(frozen=True)
class QueueState:
    """A frames queue as the feeder sees it: messages waiting, and when it was created
    (a different creation time means the queue, and the messages in it, were lost)."""

    waiting: int
    created: str


class QueueWatch(Protocol):
    """The fixed queues' identities: a queue recreated since we last looked lost its
    messages."""

    async def created(self, queue: str) -> str | None:
        """When ``queue`` was created, or None when it does not exist."""
        ...


class FramesTransport(Protocol):
    """Each video's frames queue: the messages that hand slots out to visitors."""

    async def state(self, video: str) -> QueueState | None:
        """The queue of ``video``, or None when it does not exist."""
        ...

    async def create(self, video: str) -> QueueState:
        """Create the queue of ``video`` (and its dead-letter queue); idempotent."""
        ...

    async def offer(self, video: str, frames: Sequence[int]) -> list[str]:
        """Send one message per frame; their message ids, in order."""
        ...
