"""Slot rules: the offering order, and each event's effect (and its repeat's: none)."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from services.moderation.reviews import offers
from services.moderation.reviews.offers import SlotOffer

NOW = datetime(2027, 1, 1, tzinfo=UTC)
MAX_LEASE = timedelta(seconds=900)


def test_ranks_spread_the_first_offers_evenly_over_the_clip():
    ranks = offers.spread_ranks(4500)
    order = sorted(range(4500), key=ranks.__getitem__)
    assert sorted(ranks) == list(range(4500))
    assert order[:4] == [0, 2250, 1125, 3375]
    first_hundred = sorted(order[:100])
    assert max(b - a for a, b in pairwise(first_hundred)) <= 90


def test_ranks_of_tiny_videos():
    assert offers.spread_ranks(1) == [0]
    assert offers.spread_ranks(0) == []
    assert sorted(offers.spread_ranks(3)) == [0, 1, 2]


def test_an_ingested_photo_holds_the_slot_and_a_repeat_changes_nothing():
    slot = offers.sent(offers.offered(SlotOffer("v", 3, rank=0), NOW), "m1")
    held = offers.ingested(slot, "s1")
    assert (held.state, held.reviewing) == ("held", {"s1"})
    assert offers.ingested(held, "s1") == held


def test_a_rejection_reopens_the_slot_once_with_one_more_attempt():
    held = offers.ingested(SlotOffer("v", 3, rank=0), "s1")
    open_again = offers.decided(held, "s1", approved=False)
    assert (open_again.state, open_again.attempts, open_again.reviewing) == ("open", 1, set())
    assert offers.decided(open_again, "s1", approved=False) == open_again


def test_a_rejection_leaves_a_slot_with_an_approved_photo_held():
    slot = offers.decided(offers.ingested(SlotOffer("v", 3, rank=0), "s1"), "s1", approved=True)
    slot = offers.decided(offers.ingested(slot, "s2"), "s2", approved=False)
    assert (slot.state, slot.approved, slot.tier) == ("held", {"s1"}, 1)


def test_an_approval_holds_the_slot_in_tier_one_and_a_repeat_changes_nothing():
    slot = offers.decided(offers.ingested(SlotOffer("v", 3, rank=0), "s1"), "s1", approved=True)
    assert (slot.state, slot.approved, slot.tier, slot.attempts) == ("held", {"s1"}, 1, 0)
    assert slot.is_offerable  # in the second round
    assert offers.decided(slot, "s1", approved=True) == slot


def test_a_verdict_while_a_message_is_out_keeps_the_slot_offered():
    slot = offers.ingested(SlotOffer("v", 3, rank=0), "s1")
    slot = offers.sent(offers.offered(slot, NOW), "m2")
    after = offers.decided(slot, "s1", approved=False)
    assert (after.state, after.message_id, after.attempts) == ("offered", "m2", 1)


def test_a_takedown_of_the_only_approved_photo_reopens_the_slot():
    slot = offers.decided(offers.ingested(SlotOffer("v", 3, rank=0), "s1"), "s1", approved=True)
    down = offers.taken_down(slot, "s1")
    assert (down.state, down.approved) == ("open", set())
    assert offers.taken_down(down, "s1") == down


def test_a_lost_queue_reopens_offered_slots_only():
    offered = offers.sent(offers.offered(SlotOffer("v", 3, rank=0), NOW), "m1")
    lost = offers.transport_lost(offered, NOW + MAX_LEASE)
    assert offers.lease_lapsed(lost, NOW + MAX_LEASE).state == "open"
    held = offers.ingested(SlotOffer("v", 4, rank=1), "s1")
    assert offers.transport_lost(held, NOW + MAX_LEASE) == held


def test_a_lost_message_holds_its_slot_while_a_lease_of_it_could_live():
    offered = offers.sent(offers.offered(SlotOffer("v", 3, rank=0), NOW), "m1")
    lost = offers.transport_lost(offered, NOW + MAX_LEASE)
    assert (lost.state, lost.leased_until, lost.message_id) == ("leased", NOW + MAX_LEASE, None)
    assert not lost.is_offerable
    assert offers.transport_lost(lost, NOW + 2 * MAX_LEASE) == lost, "a second loss: same hold"
    assert offers.lease_lapsed(lost, NOW + MAX_LEASE - timedelta(seconds=1)) == lost


def test_a_lapsed_hold_opens_the_slot_once():
    lost = offers.transport_lost(offers.offered(SlotOffer("v", 3, rank=0), NOW), NOW + MAX_LEASE)
    reopened = offers.lease_lapsed(lost, NOW + MAX_LEASE)
    assert (reopened.state, reopened.leased_until, reopened.attempts) == ("open", None, 0)
    assert reopened.is_offerable
    assert offers.lease_lapsed(reopened, NOW + 2 * MAX_LEASE) == reopened


def test_a_photo_from_the_lost_message_ends_the_hold():
    lost = offers.transport_lost(offers.offered(SlotOffer("v", 3, rank=0), NOW), NOW + MAX_LEASE)
    held = offers.ingested(lost, "s1")
    assert (held.state, held.leased_until, held.reviewing) == ("held", None, {"s1"})
    rejected = offers.decided(held, "s1", approved=False)
    assert (rejected.state, rejected.attempts) == ("open", 1), "offered again, with no wait"


def test_a_verdict_on_an_earlier_photo_keeps_the_hold():
    slot = offers.ingested(SlotOffer("v", 3, rank=0), "s1")
    slot = offers.decided(slot, "s1", approved=True)
    offered = offers.sent(offers.offered(slot, NOW), "m2")  # the second round
    lost = offers.transport_lost(offered, NOW + MAX_LEASE)
    down = offers.taken_down(lost, "s1")
    assert (down.state, down.approved, down.leased_until) == ("leased", set(), NOW + MAX_LEASE)
    assert offers.lease_lapsed(down, NOW + MAX_LEASE).state == "open"


def test_a_lapsed_hold_of_a_slot_with_an_approved_photo_holds_it_in_tier_one():
    slot = offers.decided(offers.ingested(SlotOffer("v", 3, rank=0), "s1"), "s1", approved=True)
    lost = offers.transport_lost(offers.offered(slot, NOW), NOW + MAX_LEASE)
    after = offers.lease_lapsed(lost, NOW + MAX_LEASE)
    assert (after.state, after.tier, after.is_offerable) == ("held", 1, True)
