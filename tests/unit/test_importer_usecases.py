"""The importer's use cases in process, over in-memory fakes of the store and the queue."""

from fractions import Fraction

import pytest

from importer.ports import VideoShape
from importer.slots import SlotsSent, unsent_batches
from importer.usecases import VideoImporter
from shared.errors import DependencyUnavailable
from shared.records import VideoRecord, audio_key, original_key, slots_sent_key, video_record_key
from tests.fakes.objects import MemoryObjectStore
from tests.fakes.queues import MemoryQueueSender

QUEUE = "frames"


class FakeVideo:
    """A video file of ``frames`` frames, 64×48 at 25 fps, with or without audio."""

    def __init__(self, frames=25, audio=True, estimate=None):
        self.frames = frames
        self.audio_track = audio
        self.estimate = frames if estimate is None else estimate
        self.audio_reads = 0

    def shape(self):
        return VideoShape(64, 48, Fraction(25), self.estimate)

    def jpeg_frames(self):
        for n in range(self.frames):
            yield n, f"jpeg {n}".encode()

    def has_audio(self):
        return self.audio_track

    def audio(self):
        self.audio_reads += 1
        return b"matroska audio"


class World:
    def __init__(self):
        self.store = MemoryObjectStore()
        self.queues = MemoryQueueSender()
        self.importer = VideoImporter(self.store, self.queues, QUEUE, uploads_in_flight=4)

    def slots(self):
        return [slot.frame for slot in self.queues.sent[QUEUE]]


@pytest.fixture
def world():
    return World()


async def test_an_import_stores_every_frame_the_audio_and_the_record_then_sends_every_slot(world):
    result = await world.importer.import_video(FakeVideo(), "clip")
    assert (result.frames_uploaded, result.slots_sent) == (25, 25)
    assert (await world.store.get(original_key("clip", 7))).data == b"jpeg 7"
    assert (await world.store.get(audio_key("clip"))).data == b"matroska audio"
    record = await world.store.get_record(video_record_key("clip"), VideoRecord)
    assert (record.frame_count, record.width, record.height, record.fps) == (25, 64, 48, 25)
    assert record.has_audio
    assert world.slots() == list(range(25))
    marker = await world.store.get_record(slots_sent_key("clip"), SlotsSent)
    assert marker.sent == 25


async def test_the_record_counts_the_frames_decoded_not_the_containers_estimate(world):
    result = await world.importer.import_video(FakeVideo(frames=12, estimate=1), "clip")
    assert result.record.frame_count == 12


async def test_importing_again_uploads_nothing_and_sends_nothing(world):
    await world.importer.import_video(FakeVideo(), "clip")
    again = await world.importer.import_video(FakeVideo(), "clip")
    assert (again.frames_uploaded, again.slots_sent) == (0, 0)
    assert world.slots() == list(range(25))


async def test_a_run_that_died_before_its_record_uploads_only_the_missing_frames(world):
    video = FakeVideo()
    await world.importer.import_video(video, "clip")
    await world.store.delete(
        [video_record_key("clip"), slots_sent_key("clip")]
        + [original_key("clip", n) for n in range(10, 25)]
    )
    again = await world.importer.import_video(video, "clip")
    assert again.frames_uploaded == 15
    assert video.audio_reads == 1, "the stored audio is not remuxed twice"


async def test_slot_messages_resume_after_the_last_recorded_batch(world):
    record = (await world.importer.import_video(FakeVideo(), "clip")).record
    await world.store.put_record(slots_sent_key("clip"), SlotsSent(sent=20))
    again = await world.importer.finish(record)
    assert again.slots_sent == 5
    assert world.slots()[25:] == list(range(20, 25))


async def test_a_video_without_audio_it_can_keep_is_imported_silent(world):
    result = await world.importer.import_video(FakeVideo(audio=False), "clip")
    assert not result.record.has_audio
    assert not await world.store.exists(audio_key("clip"))


async def test_status_tells_what_is_stored_of_a_video(world):
    empty = await world.importer.status("clip")
    assert (empty.frames_stored, empty.record, empty.slots_sent) == (0, None, 0)
    assert not empty.is_complete
    await world.importer.import_video(FakeVideo(), "clip")
    done = await world.importer.status("clip")
    assert (done.frames_stored, done.audio_stored, done.slots_sent) == (25, True, 25)
    assert done.is_complete


async def test_an_unreachable_queue_fails_the_import_and_records_no_slots_sent(world):
    world.queues.down = True
    with pytest.raises(DependencyUnavailable):
        await world.importer.import_video(FakeVideo(), "clip")
    assert await world.store.find(slots_sent_key("clip")) is None
    assert await world.store.exists(video_record_key("clip"))


def test_unsent_slots_come_in_batches_of_ten_after_those_already_sent():
    assert list(unsent_batches(25, 0, 10)) == [range(0, 10), range(10, 20), range(20, 25)]
    assert list(unsent_batches(25, 20, 10)) == [range(20, 25)]
    assert list(unsent_batches(25, 25, 10)) == []
