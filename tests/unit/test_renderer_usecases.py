"""The renderer's use cases in process, over the fakes of its ports."""

from datetime import UTC, datetime, timedelta

import pytest

from services.renderer.publishing.adapters.s3 import S3ClipPublisher
from services.renderer.renders.clips import BlobRef, EncodingPrefs
from services.renderer.renders.consumers import VerdictConsumer
from services.renderer.renders.scheduling import RenderPolicy
from services.renderer.renders.usecases import BUSY_RETRY_SECONDS, RenderBusy, Renderer
from shared.errors import Conflict, NotFound
from shared.messages import SubmissionModerated
from shared.records import (
    VideoRecord,
    audio_key,
    clip_version_prefix,
    original_key,
    rendition_key,
    video_record_key,
)
from tests.fakes.objects import MemoryObjectStore
from tests.fakes.renderer import (
    FakeClipEncoder,
    FakeClock,
    MemoryLocks,
    MemorySlotStore,
    RecordingBlobCache,
    RecordingPublisher,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
FRAMES = 12
# 2 fps and 2 s segments: 4 frames a segment, so a 12-frame clip is 3 segments.
PREFS = EncodingPrefs(preset="veryfast", crf=23, threads=1, segment_seconds=2.0)
POLICY = RenderPolicy("debounce", 30.0, 300.0, 3600.0, retry_seconds=60.0)


class World:
    def __init__(self, tmp_path, publishers=None) -> None:
        self.store, self.slots, self.cache = (
            MemoryObjectStore(),
            MemorySlotStore(),
            RecordingBlobCache(),
        )
        self.encoder, self.locks, self.clock = FakeClipEncoder(tmp_path), MemoryLocks(), FakeClock()
        self.publisher = RecordingPublisher()
        self.renderer = Renderer(
            self.store,
            self.slots,
            self.cache,
            self.encoder,
            publishers if publishers is not None else [self.publisher],
            self.locks.lock_for,
            PREFS,
            POLICY,
            clock=self.clock,
        )

    async def import_video(self, video="demo") -> None:
        record = VideoRecord(
            video=video,
            fps_num=2,
            fps_den=1,
            frame_count=FRAMES,
            width=64,
            height=48,
            has_audio=True,
            imported_at=T0,
        )
        await self.store.put_record(video_record_key(video), record)
        for n in range(FRAMES):
            await self.store.put(original_key(video, n), f"frame {n}".encode(), "image/jpeg")
        await self.store.put(audio_key(video), b"audio", "audio/x-matroska")

    async def photo(self, submission) -> BlobRef:
        key = rendition_key(submission, "large")
        return BlobRef(key, await self.store.put(key, submission.encode(), "image/jpeg"))

    async def verdict(self, submission, verdict="approved", score=0.5, minutes=0, frame=3) -> bool:
        return await self.renderer.record_verdict(
            message(submission, verdict, score, minutes, frame)
        )

    async def shown(self, frame=3) -> BlobRef | None:
        return (await self.slots.filled_slots("demo")).get(frame)


def message(submission, verdict="approved", score=0.5, minutes=0, frame=3):
    return SubmissionModerated(
        submission_id=submission,
        video="demo",
        frame=frame,
        verdict=verdict,
        score=score,
        judgments=3,
        decided_at=T0 + timedelta(minutes=minutes),
    )


@pytest.fixture
async def world(tmp_path):
    world = World(tmp_path)
    await world.import_video()
    return world


async def test_an_approval_makes_the_slot_show_the_photo_and_notes_a_render(world):
    photo = await world.photo("a")
    assert await world.verdict("a", score=0.6)
    assert await world.shown() == photo
    assert list(world.renderer.agenda.pending) == ["demo"]


async def test_a_lower_score_does_not_replace_a_higher_one(world):
    best = await world.photo("a")
    await world.photo("b")
    await world.verdict("a", score=0.9)
    assert not await world.verdict("b", score=0.4, minutes=1)
    assert await world.shown() == best


async def test_a_higher_score_replaces_a_lower_one(world):
    await world.photo("a")
    better = await world.photo("b")
    await world.verdict("a", score=0.4)
    assert await world.verdict("b", score=0.9, minutes=1)
    assert await world.shown() == better


async def test_a_takedown_removes_the_photo_and_the_slot_falls_back_to_the_next_best(
    world,
):
    next_best = await world.photo("a")
    await world.photo("b")
    await world.verdict("a", score=0.6)
    await world.verdict("b", score=0.9)
    assert await world.verdict("b", "rejected", score=0.9, minutes=5)
    assert await world.shown() == next_best
    assert await world.verdict("a", "rejected", score=0.6, minutes=6)
    assert await world.shown() is None


async def test_a_duplicate_verdict_message_is_a_no_op(world):
    await world.photo("a")
    consume = VerdictConsumer(world.renderer)
    body = message("a", score=0.7).to_body()
    await consume(body)
    world.renderer.agenda.pending.clear()
    saves = world.slots.saves
    await consume(body)
    assert (world.slots.saves, world.renderer.agenda.pending) == (saves, {})


async def test_a_late_older_verdict_does_not_undo_a_newer_one(world):
    await world.photo("a")
    await world.verdict("a", "rejected", minutes=5)
    assert not await world.verdict("a", "approved", minutes=1)
    assert await world.shown() is None


async def test_an_approval_whose_photo_is_not_stored_yet_fails_so_the_message_comes_back(world):
    with pytest.raises(NotFound):
        await world.verdict("missing")
    assert await world.slots.candidates("demo", 3) == []


async def test_a_slot_write_that_loses_a_race_is_recomputed_and_saved(world):
    photo = await world.photo("a")
    world.slots.races_to_lose = 3
    assert await world.verdict("a")
    assert await world.shown() == photo


async def test_a_slot_that_keeps_changing_is_a_conflict_for_a_later_retry(world):
    await world.photo("a")
    world.slots.races_to_lose = 1000
    with pytest.raises(Conflict):
        await world.verdict("a")


async def test_a_render_uses_each_filled_slot_photo_and_the_originals_elsewhere(world):
    photo = await world.photo("a")
    await world.verdict("a", frame=5)
    report = await world.renderer.render("demo")
    frames = world.encoder.inputs[-1].frames
    assert frames[5] == photo
    assert frames[4].key == original_key("demo", 4)
    assert world.encoder.inputs[-1].audio.key == audio_key("demo")
    assert (report.frame_count, report.filled_slots, report.encoded_segments) == (FRAMES, 1, 3)
    assert world.publisher.published == [("demo", report.version, [5])]


async def test_a_render_with_nothing_new_encodes_and_publishes_nothing(world):
    first = await world.renderer.render("demo")
    again = await world.renderer.render("demo")
    assert again.published == {"recording": "unchanged"}
    assert (again.encoded_segments, again.clip_hash) == (0, first.clip_hash)
    assert len(world.publisher.published) == 1


async def test_a_new_photo_re_encodes_only_its_segment(world):
    await world.renderer.render("demo")
    await world.photo("a")
    await world.verdict("a", frame=9)
    report = await world.renderer.render("demo")
    assert (report.encoded_segments, report.reused_segments) == (1, 2)


async def test_a_failing_publisher_is_retried_by_the_next_render(tmp_path):
    flaky = RecordingPublisher("flaky", failing=True)
    world = World(tmp_path, publishers=[RecordingPublisher("steady"), flaky])
    await world.import_video()
    report = await world.renderer.render_now("demo")
    assert report.failed_targets == ["flaky"]
    assert "demo" in world.renderer.agenda.pending  # noted again, for a retry
    flaky.failing = False
    world.clock.advance(POLICY.retry_seconds)
    assert world.renderer.agenda.ready(world.clock()) == "demo"
    retry = await world.renderer.render_now("demo")
    assert retry.published == {"steady": "unchanged", "flaky": "published"}
    assert world.renderer.agenda.pending == {}


async def test_a_render_while_another_holds_the_lock_is_busy_and_tried_again_later(world):
    world.locks.taken.add("render#demo")
    with pytest.raises(RenderBusy):
        await world.renderer.render("demo")
    assert await world.renderer.render_now("demo") is None
    assert world.renderer.agenda.ready(world.clock()) is None
    world.clock.advance(POLICY.min_interval_seconds)
    assert world.renderer.agenda.ready(world.clock()) == "demo"


async def test_a_busy_render_is_tried_again_within_seconds_not_a_min_interval_later(world):
    # After a crash the dead renderer's lock lapses within seconds; the retry must follow.
    world.locks.taken.add("render#demo")
    assert await world.renderer.render_now("demo") is None
    world.clock.advance(BUSY_RETRY_SECONDS)
    assert POLICY.min_interval_seconds > BUSY_RETRY_SECONDS
    assert world.renderer.agenda.ready(world.clock()) == "demo"


async def test_a_forced_render_of_an_unknown_video_is_not_found(world):
    with pytest.raises(NotFound) as caught:
        await world.renderer.force_render("nope")
    assert caught.value.status_code == 404
    assert world.renderer.agenda.pending == {}


async def test_a_forced_render_is_due_at_once_even_right_after_a_render(world):
    await world.renderer.render_now("demo")
    world.renderer.note_change("demo")
    assert world.renderer.agenda.ready(world.clock()) is None  # debounced
    await world.renderer.force_render("demo")
    assert world.renderer.agenda.ready(world.clock()) == "demo"


async def test_each_imported_video_is_noted_once_and_only_once_its_import_finished(world):
    await world.store.put(original_key("half", 0), b"frame", "image/jpeg")  # no record yet
    await world.renderer.note_new_videos()
    assert list(world.renderer.agenda.pending) == ["demo"]
    world.renderer.agenda.pending.clear()
    await world.import_video("half")
    await world.renderer.note_new_videos()
    assert list(world.renderer.agenda.pending) == ["half"]


async def test_the_published_clip_is_the_pointer_the_s3_publisher_swapped(tmp_path):
    world = World(tmp_path, publishers=[])
    world.renderer.publishers = [S3ClipPublisher(world.store, retained=2)]
    await world.import_video()
    with pytest.raises(NotFound, match="no published clip"):
        await world.renderer.current_clip("demo")
    await world.photo("a")
    await world.verdict("a", frame=7)
    report = await world.renderer.render("demo")
    pointer = await world.renderer.current_clip("demo")
    assert (pointer.version, pointer.filled_frames) == (report.version, [7])
    assert pointer.mp4_key.startswith(clip_version_prefix("demo", report.version))


async def test_the_latest_render_is_this_process_report_else_the_published_clip(tmp_path):
    world = World(tmp_path, publishers=[])
    world.renderer.publishers = [S3ClipPublisher(world.store, retained=2)]
    await world.import_video()
    report = await world.renderer.render("demo")
    assert await world.renderer.latest_render("demo") is report
    world.renderer.latest.clear()  # as after a restart
    assert (await world.renderer.latest_render("demo")).version == report.version


async def test_every_render_is_kept_in_the_history_newest_first(world):
    first = await world.renderer.render("demo")
    await world.photo("a")
    await world.verdict("a", frame=9)
    second = await world.renderer.render("demo")
    history = await world.renderer.history("demo", 10)
    assert [run.version for run in history] == [second.version, first.version]
    assert (history[0].segments_encoded, history[0].segments_reused) == (1, 2)
    assert history[0].publishers == {"recording": "published"}
    assert [run.version for run in await world.renderer.history("demo", 1)] == [second.version]


async def test_a_render_is_counted_for_metrics(world):
    report = await world.renderer.render("demo")
    tally = world.renderer.tally
    assert tally.value("ofof_renders", outcome="ok") == 1
    assert tally.value("ofof_render_segments", kind="encoded") == report.encoded_segments
    assert tally.value("ofof_publishes", target="recording", outcome="published") == 1
    built = tally.value("ofof_clip_built_timestamp_seconds", video="demo")
    assert built == report.built_at.timestamp()
