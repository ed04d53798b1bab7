"""The feeder: moderation's second use-case object, which hands slots out to visitors.

Each imported video has its own frames queue; the feeder keeps a small window of its
slots waiting there (``window`` messages), taking them from the slot records in
offering order (:mod:`services.moderation.reviews.offers`). So a lease is one receive from a
short queue however long the video, and the records, not the queue, say which slots
still need a photo. Every pass is idempotent and runs under one lock for all replicas:

- a newly imported video gets its slot records (in batches, resumable);
- a frames queue that is missing is created, and one that was recreated (its messages
  lost: e.g. the local AWS restarted) has its offered slots marked ``leased``: any of
  their messages may have been received before the loss, and its lease may still bring
  a photo until the loss was seen + the longest lease (``max_lease_seconds``), so they
  are offered again only after that (or never, if a photo comes first);
- the window is topped up from the open slots (so it fills from other slots meanwhile;
  a video with nothing else open simply waits for the holds to end);
- on a sweep pass, offered slots whose send never completed (a crash between marking
  and sending) are sent again, and leased slots whose hold has ended are reopened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

from services.moderation.reviews import offers
from services.moderation.reviews.offers import SlotOffer
from services.moderation.slots.ports import FeedRegistry, FramesTransport, QueueState, VideoFeed
from shared.leases import MAX_LEASE_SECONDS
from shared.messages import utcnow
from shared.metrics import Observer, Tally
from shared.objects import ObjectStore
from shared.records import (
    ORIGINALS_PREFIX,
    VideoRecord,
    video_of_prefix,
    video_record_key,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedPolicy:
    """How many slots wait in each video's queue, and how registration is paced."""

    # Messages kept waiting in a video's frames queue (leased ones are not waiting).
    window: int = 50
    # Slot records written per step of a new video's registration.
    register_step: int = 500
    # An offered slot with no message id this long after it was offered was never sent.
    unsent_grace_seconds: float = 30.0
    # The gateway's hard maximum of a lease: how long a lease of a lost message may live.
    max_lease_seconds: float = MAX_LEASE_SECONDS


@dataclass(frozen=True)
class FeedReport:
    """What one pass over one video did."""

    video: str
    registered: int = 0
    # Offered slots whose message a recreated queue lost: held until no lease can live.
    reopened: int = 0
    offered: int = 0
    resent: int = 0
    # Leased slots whose hold ended: open again.
    released: int = 0


class SlotFeeder:
    """Keeps every imported video's frames queue stocked from its slot records."""

    def __init__(
        self,
        registry: FeedRegistry,
        transport: FramesTransport,
        videos: ObjectStore,
        policy: FeedPolicy,
        clock: Callable[[], datetime] = utcnow,
        observer: Observer | None = None,
    ) -> None:
        # Sweep repairs (/metrics).
        self.observer: Observer = observer or Tally()
        self.registry, self.transport, self.videos = registry, transport, videos
        self.policy = policy
        self.clock = clock
        self.known: dict[str, VideoRecord] = {}

    async def discover(self) -> list[str]:
        """Every imported video (its record is written last, so its import is complete)."""
        for prefix in await self.videos.prefixes(ORIGINALS_PREFIX):
            video = video_of_prefix(prefix)
            if video not in self.known:
                record = await self.videos.find_record(video_record_key(video), VideoRecord)
                if record is not None:
                    self.known[video] = record
        return sorted(self.known)

    async def feed_all(self, sweep: bool = False) -> list[FeedReport]:
        """One pass over every known video; ``sweep`` also resends unsent offers."""
        return [await self.feed(record, sweep) for record in self.known.values()]

    async def feed(self, record: VideoRecord, sweep: bool = False) -> FeedReport:
        """One pass over one video (see the module docstring)."""
        video = record.video
        feed = await self.registry.feed_of(video) or VideoFeed(video, record.frame_count)
        report = FeedReport(video)
        if not feed.is_registered:
            feed = await self._register(feed)
            report = replace(report, registered=feed.registered)
        queue = await self.transport.state(video) or await self.transport.create(video)
        if queue.created != feed.queue_created:
            report = replace(report, reopened=await self._reopen(feed, queue))
        if sweep:
            report = replace(report, resent=await self._resend_unsent(video))
            report = replace(report, released=await self._release_lapsed(video))
        self.observer.count("ofof_sweep_repairs", report.reopened, kind="reopened")
        self.observer.count("ofof_sweep_repairs", report.resent, kind="resent")
        self.observer.count("ofof_sweep_repairs", report.released, kind="released")
        return replace(report, offered=await self._top_up(video, queue.waiting))

    async def _register(self, feed: VideoFeed) -> VideoFeed:
        ranks = offers.spread_ranks(feed.frame_count)
        while not feed.is_registered:
            step = self.policy.register_step
            await self.registry.register(feed.video, ranks, feed.registered, step)
            feed = replace(feed, registered=min(feed.registered + step, feed.frame_count))
            await self.registry.save_feed(feed)
        log.info("slots registered", extra={"video": feed.video, "slots": feed.frame_count})
        return feed

    async def _reopen(self, feed: VideoFeed, queue: QueueState) -> int:
        """The queue is new: the messages of offered slots (if any) are gone, but a
        visitor may have received any of them before the loss, now at the latest, and
        hold its lease for up to ``max_lease_seconds``."""
        lost = await self.registry.offered(feed.video) if feed.queue_created else []
        until = self.clock() + timedelta(seconds=self.policy.max_lease_seconds)
        event = partial(offers.transport_lost, leased_until=until)
        for slot in lost:
            await self.registry.change(feed.video, slot.frame, event)
        await self.registry.save_feed(replace(feed, queue_created=queue.created))
        if lost:
            log.warning(
                "frames queue was recreated; its offered slots wait for their leases to end",
                extra={"video": feed.video, "slots": len(lost), "until": until.isoformat()},
            )
        return len(lost)

    async def _release_lapsed(self, video: str) -> int:
        """Leased slots whose hold has ended are open again (offered by the top-up)."""
        now = self.clock()
        lapsed = await self.registry.lapsed(video, now)
        for slot in lapsed:
            await self.registry.change(video, slot.frame, partial(offers.lease_lapsed, now=now))
        if lapsed:
            log.info("leases of lost frames ended", extra={"video": video, "slots": len(lapsed)})
        return len(lapsed)

    async def _top_up(self, video: str, waiting: int) -> int:
        """Offer slots until ``window`` messages wait; tier 1 only once all are approved."""
        wanted = self.policy.window - waiting
        if wanted <= 0:
            return 0
        candidates = await self.registry.offerable(video, 0, wanted)
        if not candidates and not await self.registry.has_unapproved(video):
            candidates = await self.registry.offerable(video, 1, wanted)
        return await self._offer(video, candidates)

    async def _offer(self, video: str, candidates: list[SlotOffer]) -> int:
        now = self.clock()
        marked: list[SlotOffer] = []
        for slot in candidates:
            after = await self.registry.change(
                video, slot.frame, partial(_offer_if_offerable, now=now)
            )
            if after is not None and after.state == "offered" and after.offered_at == now:
                marked.append(after)
        await self._send(video, marked)
        return len(marked)

    async def _send(self, video: str, slots: list[SlotOffer]) -> None:
        if not slots:
            return
        ids = await self.transport.offer(video, [slot.frame for slot in slots])
        for slot, message_id in zip(slots, ids, strict=True):
            event = partial(_sent_if_same_offer, offered_at=slot.offered_at, message_id=message_id)
            await self.registry.change(video, slot.frame, event)

    async def _resend_unsent(self, video: str) -> int:
        """Offered slots whose send never completed (marked, then a crash) are sent now."""
        cutoff = self.clock() - timedelta(seconds=self.policy.unsent_grace_seconds)
        unsent = [
            slot
            for slot in await self.registry.offered(video)
            if slot.message_id is None and slot.offered_at is not None and slot.offered_at < cutoff
        ]
        await self._send(video, unsent)
        return len(unsent)


def _offer_if_offerable(slot: SlotOffer, now: datetime) -> SlotOffer:
    return offers.offered(slot, now) if slot.is_offerable else slot


def _sent_if_same_offer(slot: SlotOffer, offered_at: datetime | None, message_id: str) -> SlotOffer:
    if slot.state != "offered" or slot.offered_at != offered_at or slot.message_id:
        return slot
    return offers.sent(slot, message_id)
