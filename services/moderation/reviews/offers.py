"""Which slots of a video need a photo, and the order they are offered in.

A slot is one frame of an imported video; its :class:`SlotOffer` is moderation's durable
record of offering it for a photo (the renderer keeps what each slot shows in its own
table). The ``frames`` message is transport: the feeder sends one only while the slot is
``offered``, and a lost message is re-derived from this record. States:

- ``open``: wants a photo and has no message out; the feeder offers open slots first,
  never-attempted ones (``attempts`` 0) before retried ones, each group in ``rank`` order.
- ``offered``: a message is out (waiting in the video's frames queue, or leased).
- ``held``: nothing to offer now: a photo of it is under review, or it has an approved
  photo. Once every slot of a video has an approved photo, held slots with no review in
  flight are offered again (a second round, to beat the best photo so far).
- ``leased``: its message was lost with its queue (the queue was recreated), but a
  visitor may have received it before the loss and still hold a lease, which brings a
  photo until ``leased_until`` at most (the loss seen + the longest lease). Nothing is
  offered for it until then, unless a photo arrives first (it is ``held`` then).

Every change is a pure function from one slot to the next, applied by the adapter
through a version-checked write, and each is idempotent: repeating an event (an SQS
redelivery, a retried step) leaves the slot as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

OfferState = Literal["open", "offered", "held", "leased"]


@dataclass(frozen=True)
class SlotOffer:
    """How one frame of a video is offered for a photo, as the feeder and the decisions
    see it: its state, its photos under review and approved."""

    video: str
    frame: int
    rank: int
    state: OfferState = "open"
    attempts: int = 0
    approved: frozenset[str] = field(default_factory=frozenset)
    reviewing: frozenset[str] = field(default_factory=frozenset)
    # When the feeder marked it offered, and the SQS message id once the send returned.
    offered_at: datetime | None = None
    message_id: str | None = None
    # While ``leased``: the moment no lease of its lost message can bring a photo any more.
    leased_until: datetime | None = None
    version: int = 0

    @property
    def tier(self) -> int:
        """0 while the slot has no approved photo, 1 after: tier 0 is always offered first."""
        return 1 if self.approved else 0

    @property
    def is_offerable(self) -> bool:
        """Could the feeder offer it now (given the round allows its tier)?"""
        return self.state == "open" or (self.state == "held" and not self.reviewing)


def spread_ranks(frame_count: int) -> list[int]:
    """The rank of each frame: offering by rank spreads photos evenly over the clip.

    Frames are taken in the order of the van der Corput sequence scaled to the clip (0,
    1/2, 1/4, 3/4, 1/8, ... of its length), skipping frames already taken, so any prefix
    of the order covers the whole clip about evenly.
    """
    if frame_count <= 0:
        return []
    bits = (frame_count - 1).bit_length()
    order: dict[int, None] = {}
    for index in range(1 << bits):
        fraction = int(f"{index:0{bits}b}"[::-1] or "0", 2) / (1 << bits)
        order.setdefault(int(fraction * frame_count))
    ranks = [0] * frame_count
    for rank, frame in enumerate(order):
        ranks[frame] = rank
    return ranks


def settled(slot: SlotOffer) -> SlotOffer:
    """``slot`` with the state its photos call for, unless a message (or a lease of a lost
    one) is out for it."""
    if slot.state in ("offered", "leased"):
        return slot
    state: OfferState = "held" if slot.reviewing or slot.approved else "open"
    return replace(slot, state=state, offered_at=None, message_id=None)


def offered(slot: SlotOffer, now: datetime) -> SlotOffer:
    """The feeder is about to send a message for ``slot``."""
    return replace(slot, state="offered", offered_at=now, message_id=None)


def sent(slot: SlotOffer, message_id: str) -> SlotOffer:
    """The message of an offered slot was sent."""
    return replace(slot, message_id=message_id)


def ingested(slot: SlotOffer, submission_id: str) -> SlotOffer:
    """A photo of ``slot`` was stored and its lease finished: it is under review."""
    if submission_id in slot.reviewing or submission_id in slot.approved:
        return slot
    # The lease that brought the photo consumed the slot's message (or, when ``leased``,
    # the lost one: the hold ends). A duplicate left by a crash between two feeder steps
    # may still be out: it only offers the slot twice.
    reviewing = slot.reviewing | {submission_id}
    return settled(replace(slot, state="held", reviewing=reviewing, leased_until=None))


def decided(slot: SlotOffer, submission_id: str, approved: bool) -> SlotOffer:
    """The verdict on a photo of ``slot``; a rejection without approved photo reopens it."""
    if submission_id not in slot.reviewing and (not approved or submission_id in slot.approved):
        return slot
    reviewing = slot.reviewing - {submission_id}
    photos = slot.approved | {submission_id} if approved else slot.approved
    attempts = slot.attempts + (0 if approved else 1)
    return settled(replace(slot, reviewing=reviewing, approved=photos, attempts=attempts))


def taken_down(slot: SlotOffer, submission_id: str) -> SlotOffer:
    """An operator withdrew an approved photo; with none left the slot is open again."""
    if submission_id not in slot.approved:
        return slot
    return settled(replace(slot, approved=slot.approved - {submission_id}))


def transport_lost(slot: SlotOffer, leased_until: datetime) -> SlotOffer:
    """The video's frames queue was lost (recreated): the message of an offered slot is
    gone, but a lease of it may bring a photo until ``leased_until``."""
    if slot.state != "offered":
        return slot
    return replace(
        slot, state="leased", leased_until=leased_until, offered_at=None, message_id=None
    )


def lease_lapsed(slot: SlotOffer, now: datetime) -> SlotOffer:
    """No lease of a lost message can bring a photo after ``leased_until``: the slot takes
    the state its photos call for (open, most often) and is offered again."""
    if slot.state != "leased" or (slot.leased_until is not None and slot.leased_until > now):
        return slot
    return settled(replace(slot, state="open", leased_until=None))
