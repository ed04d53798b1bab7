"""The importer's use cases in process, over an in-memory fake of the store."""

from fractions import Fraction

import pytest

from importer.ports import VideoShape
from importer.usecases import VideoImporter
from shared.records import VideoRecord, audio_key, original_key, video_record_key
from tests.fakes.objects import MemoryObjectStore


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
        self.importer = VideoImporter(self.store, uploads_in_flight=4)


@pytest.fixture
def world():
    return World()


async def test_an_import_stores_every_frame_the_audio_and_then_the_record(world):
    result = await world.importer.import_video(FakeVideo(), "clip")
    assert result.frames_uploaded == 25
    assert (await world.store.get(original_key("clip", 7))).data == b"jpeg 7"
    assert (await world.store.get(audio_key("clip"))).data == b"matroska audio"
    record = await world.store.get_record(video_record_key("clip"), VideoRecord)
    assert (record.frame_count, record.width, record.height, record.fps) == (25, 64, 48, 25)
    assert record.has_audio


async def test_the_record_counts_the_frames_decoded_not_the_containers_estimate(world):
    result = await world.importer.import_video(FakeVideo(frames=12, estimate=1), "clip")
    assert result.record.frame_count == 12


async def test_importing_again_uploads_nothing(world):
    await world.importer.import_video(FakeVideo(), "clip")
    again = await world.importer.import_video(FakeVideo(), "clip")
    assert again.frames_uploaded == 0


async def test_a_run_that_died_before_its_record_uploads_only_the_missing_frames(world):
    video = FakeVideo()
    await world.importer.import_video(video, "clip")
    await world.store.delete(
        [video_record_key("clip")] + [original_key("clip", n) for n in range(10, 25)]
    )
    again = await world.importer.import_video(video, "clip")
    assert again.frames_uploaded == 15
    assert video.audio_reads == 1, "the stored audio is not remuxed twice"


async def test_a_video_without_audio_it_can_keep_is_imported_silent(world):
    result = await world.importer.import_video(FakeVideo(audio=False), "clip")
    assert not result.record.has_audio
    assert not await world.store.exists(audio_key("clip"))


async def test_status_tells_what_is_stored_of_a_video(world):
    empty = await world.importer.status("clip")
    assert (empty.frames_stored, empty.record) == (0, None)
    assert not empty.is_complete
    await world.importer.import_video(FakeVideo(), "clip")
    done = await world.importer.status("clip")
    assert (done.frames_stored, done.audio_stored) == (25, True)
    assert done.is_complete
