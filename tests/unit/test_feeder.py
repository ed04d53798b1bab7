"""The feeder in process: registration, the window, the offering order, rounds, repairs."""

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from services.moderation.reviews import offers
from services.moderation.slots.feeder import FeedPolicy, SlotFeeder
from shared.records import VideoRecord, video_record_key
from tests.fakes.moderation import FakeFramesTransport, FakeSlotRegistry
from tests.fakes.objects import MemoryObjectStore

NOW = datetime(2027, 1, 1, tzinfo=UTC)
MAX_LEASE = timedelta(seconds=900)


class World:
    def __init__(self, window: int = 4) -> None:
        self.registry, self.transport = FakeSlotRegistry(), FakeFramesTransport()
        self.store = MemoryObjectStore()
        self.now = NOW
        policy = FeedPolicy(
            window=window, register_step=7, unsent_grace_seconds=30, max_lease_seconds=900
        )
        self.feeder = SlotFeeder(
            self.registry, self.transport, self.store, policy, clock=lambda: self.now
        )

    async def import_video(self, video: str, frames: int) -> None:
        record = VideoRecord(
            video=video, fps_num=25, fps_den=1, frame_count=frames, width=64, height=36,
            has_audio=False, imported_at=NOW,
        )  # fmt: skip
        await self.store.put_record(video_record_key(video), record)

    def lease_all(self, video: str) -> list[int]:
        """Visitors take (and photograph) every waiting frame."""
        taken, self.transport.queues[video] = self.transport.queues[video], []
        return taken

    async def photograph(self, video: str, frames: list[int], approved: bool) -> None:
        for frame in frames:
            sid = f"{video}-{frame}-{self.now.timestamp()}"
            await self.registry.change(video, frame, partial(offers.ingested, submission_id=sid))
            event = partial(offers.decided, submission_id=sid, approved=approved)
            await self.registry.change(video, frame, event)


@pytest.fixture
def world() -> World:
    return World()


async def test_a_new_video_is_registered_and_its_window_offered_spread_over_the_clip(world):
    await world.import_video("clip", 16)
    assert await world.feeder.discover() == ["clip"]
    [report] = await world.feeder.feed_all()
    assert (report.registered, report.offered) == (16, 4)
    assert world.transport.queues["clip"] == [0, 8, 4, 12]
    assert len(world.registry.slots) == 16


async def test_the_window_is_topped_up_only_as_frames_are_taken(world):
    await world.import_video("clip", 16)
    await world.feeder.discover()
    await world.feeder.feed_all()
    assert (await world.feeder.feed_all())[0].offered == 0
    world.transport.queues["clip"].pop(0)
    assert (await world.feeder.feed_all())[0].offered == 1
    assert world.transport.queues["clip"] == [8, 4, 12, 2]


async def test_never_attempted_slots_come_before_rejected_ones(world):
    await world.import_video("clip", 8)
    await world.feeder.discover()
    await world.feeder.feed_all()
    await world.photograph("clip", world.lease_all("clip"), approved=False)
    await world.feeder.feed_all()
    assert world.transport.queues["clip"] == [1, 5, 3, 7]
    await world.photograph("clip", world.lease_all("clip"), approved=False)
    await world.feeder.feed_all()
    assert world.transport.queues["clip"] == [0, 4, 2, 6], "retries, once nothing is new"


async def test_approved_slots_come_back_only_when_every_slot_has_a_photo(world):
    await world.import_video("clip", 8)
    await world.feeder.discover()
    await world.feeder.feed_all()
    await world.photograph("clip", world.lease_all("clip"), approved=True)
    await world.feeder.feed_all()
    await world.photograph("clip", world.lease_all("clip")[:3], approved=True)
    assert (await world.feeder.feed_all())[0].offered == 0, "slot 7 lacks a photo: no round 2"
    await world.photograph("clip", [7], approved=True)
    assert (await world.feeder.feed_all())[0].offered == 4
    assert world.transport.queues["clip"] == [0, 4, 2, 6]


async def test_a_recreated_queue_holds_its_offered_slots_and_fills_the_window_from_others(world):
    await world.import_video("clip", 16)
    await world.feeder.discover()
    await world.feeder.feed_all()
    world.transport.lose("clip")
    [report] = await world.feeder.feed_all()
    assert (report.reopened, report.offered) == (4, 4)
    assert world.transport.queues["clip"] == [2, 10, 6, 14], "the next slots, not the lost ones"
    lost = [0, 8, 4, 12]
    assert {world.registry.slots[("clip", n)].state for n in lost} == {"leased"}
    assert {world.registry.slots[("clip", n)].leased_until for n in lost} == {NOW + MAX_LEASE}


async def test_a_lost_frame_is_not_offered_again_before_the_loss_plus_the_longest_lease(world):
    await world.import_video("clip", 16)
    await world.feeder.discover()
    await world.feeder.feed_all()
    world.transport.lose("clip")
    await world.feeder.feed_all()
    world.now += MAX_LEASE - timedelta(seconds=1)
    assert (await world.feeder.feed_all(sweep=True))[0].released == 0
    for _ in range(3):
        world.lease_all("clip")
        await world.feeder.feed_all(sweep=True)
    offered = [n for (_, n), slot in world.registry.slots.items() if slot.state == "offered"]
    assert sorted(offered) == [1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15]
    assert world.transport.queues["clip"] == [], "nothing else is open: the lost ones wait"


async def test_a_lost_frame_is_offered_again_once_no_lease_of_it_can_live(world):
    await world.import_video("clip", 16)
    await world.feeder.discover()
    await world.feeder.feed_all()
    world.transport.lose("clip")
    await world.feeder.feed_all()
    world.now += MAX_LEASE
    [report] = await world.feeder.feed_all(sweep=True)
    assert (report.released, report.offered) == (4, 0), "the window is full"
    assert world.feeder.observer.value("ofof_sweep_repairs", kind="released") == 4
    world.lease_all("clip")
    await world.feeder.feed_all()
    assert world.transport.queues["clip"] == [0, 8, 4, 12], "first in the offering order again"


async def test_a_photo_from_a_lost_frame_ends_its_hold(world):
    await world.import_video("clip", 4)
    await world.feeder.discover()
    await world.feeder.feed_all()
    world.transport.lose("clip")
    assert (await world.feeder.feed_all())[0].offered == 0, "every slot may still be leased"
    await world.photograph("clip", [2], approved=False)
    [report] = await world.feeder.feed_all(sweep=True)
    assert (report.released, report.offered) == (0, 1)
    assert world.transport.queues["clip"] == [2], "rejected, so offered again at once"
    world.now += MAX_LEASE
    assert (await world.feeder.feed_all(sweep=True))[0].released == 3
    assert world.transport.queues["clip"] == [2, 0, 1, 3]


async def test_an_offer_whose_send_never_happened_is_sent_by_a_later_sweep(world):
    await world.import_video("clip", 16)
    await world.feeder.discover()
    await world.feeder.feed_all()
    event = partial(offers.offered, now=world.now)
    await world.registry.change("clip", 2, event)  # marked, then the process died
    world.now += timedelta(seconds=10)
    assert (await world.feeder.feed_all(sweep=True))[0].resent == 0, "still within the grace"
    world.now += timedelta(seconds=30)
    assert (await world.feeder.feed_all(sweep=True))[0].resent == 1
    assert world.transport.queues["clip"].count(2) == 1
    assert world.registry.slots[("clip", 2)].message_id is not None


async def test_registration_resumes_where_a_crash_left_it(world):
    await world.import_video("clip", 20)
    await world.feeder.discover()
    world.registry.feeds["clip"] = offers_feed = world.registry.feeds.get("clip")  # none yet
    assert offers_feed is None
    await world.feeder.feed_all()
    assert world.registry.feeds["clip"].registered == 20


async def test_two_videos_each_get_their_own_window(world):
    await world.import_video("one", 8)
    await world.import_video("two", 8)
    assert await world.feeder.discover() == ["one", "two"]
    await world.feeder.feed_all()
    assert len(world.transport.queues["one"]) == len(world.transport.queues["two"]) == 4


async def test_a_video_whose_record_is_not_written_yet_is_not_fed(world):
    await world.store.put("originals/half/000000.jpg", b"jpeg", "image/jpeg")
    assert await world.feeder.discover() == []
