"""A slot reopened after its frames queue was lost can get a photo from the lost
message's lease as well as from the new offer: both are kept, and the best one shows.

(The renderer keeps the best approved photo per slot: ``test_renderer_usecases.py``,
``tests/integration/test_renderer_slots.py``; the frame page lists a slot's approved
photos best first: ``test_gateway_usecases.py::test_slot_photos_are_the_approved_ones_best_first``.)
"""

from datetime import timedelta
from functools import partial

from services.moderation.reviews import offers
from tests.pictures import good_copy
from tests.unit.test_moderation_usecases import NOW, World, judgments, unit_for

MAX_LEASE = timedelta(seconds=900)


async def test_a_late_photo_for_a_reopened_slot_is_kept_beside_the_new_one_and_the_best_shows():
    world = World()
    slots = world.slots
    await slots.change("demo", 3, partial(offers.offered, now=NOW))
    await slots.change("demo", 3, partial(offers.transport_lost, leased_until=NOW + MAX_LEASE))
    # The hold ended with no photo: the slot is offered again, and then both leases deliver.
    await slots.change("demo", 3, partial(offers.lease_lapsed, now=NOW + MAX_LEASE))
    await slots.change("demo", 3, partial(offers.offered, now=NOW + MAX_LEASE))
    for sid in ("late", "new"):
        await world.moderator.ingest(world.submission(sid, good_copy(1)))
    assert slots.slots[("demo", 3)].reviewing == {"late", "new"}
    await world.receive_unit(unit_for("late", judgments(5)))
    await world.receive_unit(unit_for("new", judgments(4)))
    assert slots.slots[("demo", 3)].approved == {"late", "new"}
    shown = await world.moderator.of_slot("demo", 3)
    assert [(r.submission_id, r.score) for r in shown] == [("late", 1.0), ("new", 0.75)]
    announced = [(m.submission_id, m.verdict) for m in world.queues.verdicts]
    assert sorted(announced) == [("late", "approved"), ("new", "approved")]
