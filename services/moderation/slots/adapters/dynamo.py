"""Slot offer records and video feed records in moderation's DynamoDB table.

Item layout (beside the reviews of :mod:`.dynamo`):

- slot: ``pk = slot#{video}#{frame:06d}``, ``sk = slot``; the fields of
  :class:`~services.moderation.reviews.offers.SlotOffer` (the photo sets as string sets, absent when
  empty). Indexed under ``gsi1pk = slots#{video}#{state}#{tier}`` so the feeder finds
  open slots in offering order (``gsi1sk = {attempts:05d}#{rank:06d}``), every offered
  one (``gsi1sk = {offered_at}``) and the ``leased`` ones whose hold has ended
  (``gsi1sk = {leased_until}``) with one query. Items written before ``leased_until``
  existed have none, and read as before.
- video feed: ``pk = feed#{video}``, ``sk = feed``: frame count, slots registered,
  and the creation time of the frames queue the offered slots were sent to.
- queue seen: ``pk = queue#{name}``, ``sk = queue``: the creation time of the
  moderation or render queue when the sweep last looked.

A slot changes only through a write conditional on its ``version``; a lost race reads
the slot again and reapplies the event (events are idempotent). AWS calls retry
transient failures in botocore (standard mode).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from services.moderation.reviews.adapters.table import (
    Item,
    index_items,
    number_attr,
    string_attr,
)
from services.moderation.reviews.offers import OfferState, SlotOffer
from services.moderation.slots.ports import VideoFeed
from shared.errors import DependencyUnavailable
from shared.tables import table_errors, write_if

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

# Version races one change tolerates before giving up (each one means another writer
# changed the slot in between; the event is simply applied to the newer slot), and the
# longest random pause after a lost race, which grows with each one.
MAX_RACES = 20
RACE_PAUSE_SECONDS = 0.005
# DynamoDB's BatchWriteItem takes at most 25 items.
BATCH_ITEMS = 25


def slot_key(video: str, frame: int) -> Item:
    """The key of one slot's item."""
    return {"pk": string_attr(f"slot#{video}#{frame:06d}"), "sk": string_attr("slot")}


def feed_key(video: str) -> Item:
    """The key of one video's feed item."""
    return {"pk": string_attr(f"feed#{video}"), "sk": string_attr("feed")}


def queue_key(queue: str) -> Item:
    """The key of the item remembering which incarnation of a fixed queue was seen."""
    return {"pk": string_attr(f"queue#{queue}"), "sk": string_attr("queue")}


def partition(video: str, state: OfferState, tier: int) -> str:
    """The ``gsi1pk`` of a video's slots in ``state`` and ``tier``."""
    return f"slots#{video}#{state}#{tier}"


def to_item(slot: SlotOffer) -> Item:
    """``slot`` as its DynamoDB item, index keys included."""
    order = f"{slot.attempts:05d}#{slot.rank:06d}"
    item: Item = {
        **slot_key(slot.video, slot.frame),
        "video": string_attr(slot.video),
        "frame": number_attr(slot.frame),
        "rank": number_attr(slot.rank),
        "state": string_attr(slot.state),
        "attempts": number_attr(slot.attempts),
        "version": number_attr(slot.version),
        "gsi1pk": string_attr(partition(slot.video, slot.state, slot.tier)),
        "gsi1sk": string_attr(_order_of(slot) or order),
    }
    if slot.approved:
        item["approved"] = {"SS": sorted(slot.approved)}
    if slot.reviewing:
        item["reviewing"] = {"SS": sorted(slot.reviewing)}
    if slot.offered_at is not None:
        item["offered_at"] = string_attr(slot.offered_at.isoformat())
    if slot.message_id is not None:
        item["message_id"] = string_attr(slot.message_id)
    if slot.leased_until is not None:
        item["leased_until"] = string_attr(slot.leased_until.isoformat())
    return item


def _order_of(slot: SlotOffer) -> str | None:
    """The index order of an offered slot (when offered) or a leased one (when its hold
    ends); None for the others, ordered by attempts and rank."""
    moment = slot.offered_at or slot.leased_until
    return moment.isoformat() if moment else None


def from_item(item: Item) -> SlotOffer:
    """The slot an item holds."""
    offered_at = item.get("offered_at", {}).get("S")
    leased_until = item.get("leased_until", {}).get("S")
    return SlotOffer(
        video=item["video"]["S"],
        frame=int(item["frame"]["N"]),
        rank=int(item["rank"]["N"]),
        state=cast(OfferState, item["state"]["S"]),
        attempts=int(item["attempts"]["N"]),
        approved=frozenset(item.get("approved", {}).get("SS", [])),
        reviewing=frozenset(item.get("reviewing", {}).get("SS", [])),
        offered_at=datetime.fromisoformat(offered_at) if offered_at else None,
        message_id=item.get("message_id", {}).get("S"),
        leased_until=datetime.fromisoformat(leased_until) if leased_until else None,
        version=int(item["version"]["N"]),
    )


class DynamoSlotRegistry:
    """:class:`~services.moderation.slots.ports.FeedRegistry` in moderation's table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    async def get(self, video: str, frame: int) -> SlotOffer | None:
        """The slot, read consistently, or None."""
        with table_errors("reading a slot"):
            answer = await self.dynamodb.get_item(
                TableName=self.table, Key=slot_key(video, frame), ConsistentRead=True
            )
        return from_item(answer["Item"]) if "Item" in answer else None

    async def approved_of(self, video: str, frame: int) -> list[str]:
        """The submission ids of the slot's approved photos."""
        slot = await self.get(video, frame)
        return sorted(slot.approved) if slot else []

    async def change(
        self, video: str, frame: int, event: Callable[[SlotOffer], SlotOffer]
    ) -> SlotOffer | None:
        """Apply ``event`` through a version-checked put; reapplied after a lost race."""
        for race in range(MAX_RACES):
            slot = await self.get(video, frame)
            if slot is None:
                return None
            after = event(slot)
            if after == slot:
                return slot
            if await self._put(after, expected_version=slot.version):
                return after
            # Jitter only, not a secret.
            await asyncio.sleep(random.uniform(0, RACE_PAUSE_SECONDS * (race + 1)))  # noqa: S311
        raise DependencyUnavailable("dynamodb", f"slot {video}/{frame} kept changing; try again")

    async def _put(self, slot: SlotOffer, expected_version: int) -> bool:
        """Write ``slot`` as the next version; False when another write came first."""
        write = self.dynamodb.put_item(
            TableName=self.table,
            Item=to_item(replace(slot, version=expected_version + 1)),
            ConditionExpression="version = :v",
            ExpressionAttributeValues={":v": number_attr(expected_version)},
        )
        return await write_if("writing a slot", write)

    async def feed_of(self, video: str) -> VideoFeed | None:
        """The video's feed record, or None."""
        with table_errors("reading a video feed"):
            answer = await self.dynamodb.get_item(
                TableName=self.table, Key=feed_key(video), ConsistentRead=True
            )
        item = answer.get("Item")
        if item is None:
            return None
        return VideoFeed(
            video=video,
            frame_count=int(item["frame_count"]["N"]),
            registered=int(item["registered"]["N"]),
            queue_created=item.get("queue_created", {}).get("S"),
        )

    async def save_feed(self, feed: VideoFeed) -> None:
        """Write the video's feed record (only the feeder, under its lock, writes it)."""
        item: Item = {
            **feed_key(feed.video),
            "frame_count": number_attr(feed.frame_count),
            "registered": number_attr(feed.registered),
        }
        if feed.queue_created is not None:
            item["queue_created"] = string_attr(feed.queue_created)
        with table_errors("writing a video feed"):
            await self.dynamodb.put_item(TableName=self.table, Item=item)

    async def register(self, video: str, ranks: Sequence[int], start: int, count: int) -> None:
        """Write slots ``start`` .. ``start + count - 1`` as new, open slots.

        Unconditional batch puts: only the feeder registers, before any of these slots
        is offered, so a repeat after a crash rewrites identical items.
        """
        frames = range(start, min(start + count, len(ranks)))
        for first in range(frames.start, frames.stop, BATCH_ITEMS):
            batch = range(first, min(first + BATCH_ITEMS, frames.stop))
            items = [to_item(SlotOffer(video=video, frame=n, rank=ranks[n])) for n in batch]
            await self._batch_put(items)

    async def _batch_put(self, items: list[Item]) -> None:
        requests: list[Any] = [{"PutRequest": {"Item": item}} for item in items]
        while requests:
            with table_errors("registering slots"):
                answer = await self.dynamodb.batch_write_item(RequestItems={self.table: requests})
            requests = list(answer.get("UnprocessedItems", {}).get(self.table, []))

    async def offerable(self, video: str, tier: int, limit: int) -> list[SlotOffer]:
        """Open slots (tier 0), or held slots with no review in flight (tier 1), in order."""
        state: OfferState = "open" if tier == 0 else "held"
        found: list[SlotOffer] = []
        async for slot in self._query(partition(video, state, tier), page_size=limit):
            if slot.is_offerable:
                found.append(slot)
            if len(found) >= limit:
                break
        return found

    async def has_unapproved(self, video: str) -> bool:
        """True while any slot (open, offered, under review or leased) has no approved photo."""
        for state in ("open", "offered", "held", "leased"):
            async for _ in self._query(partition(video, state, 0), page_size=1):
                return True
        return False

    async def offered(self, video: str) -> list[SlotOffer]:
        """Every slot of the video whose message is out, either tier."""
        return [
            slot
            for tier in (0, 1)
            async for slot in self._query(partition(video, "offered", tier), page_size=100)
        ]

    async def lapsed(self, video: str, now: datetime) -> list[SlotOffer]:
        """``leased`` slots of the video whose hold ended by ``now`` (either tier)."""
        found: list[SlotOffer] = []
        for tier in (0, 1):
            async for slot in self._query(partition(video, "leased", tier), page_size=100):
                if slot.leased_until is not None and slot.leased_until > now:
                    break  # in the order holds end: the rest end later
                found.append(slot)
        return found

    async def queue_seen(self, queue: str) -> str | None:
        """The creation time of ``queue`` last seen by the feeder, or None."""
        with table_errors("reading a queue record"):
            answer = await self.dynamodb.get_item(
                TableName=self.table, Key=queue_key(queue), ConsistentRead=True
            )
        return answer.get("Item", {}).get("created", {}).get("S")

    async def save_queue_seen(self, queue: str, created: str) -> None:
        """Remember the creation time of ``queue``."""
        with table_errors("writing a queue record"):
            await self.dynamodb.put_item(
                TableName=self.table, Item={**queue_key(queue), "created": string_attr(created)}
            )

    async def _query(self, gsi1pk: str, page_size: int) -> AsyncIterator[SlotOffer]:
        items = index_items(self.dynamodb, self.table, gsi1pk, forward=True, page_size=page_size)
        async for item in items:
            yield from_item(item)
