"""The gateway's use cases in process, over in-memory fakes of every port."""

from datetime import UTC, datetime

import pytest

from services.gateway.settings import GatewaySettings
from services.gateway.visitors.usecases import Visitors
from shared.errors import DependencyUnavailable, Forbidden, NotFound, RateLimited
from shared.leases import InvalidToken, LeaseGone
from shared.photos import PhotoBody
from shared.records import (
    ClipPointer,
    ReviewView,
    SubmissionRecord,
    current_clip_key,
    original_key,
    rendition_key,
    renditions_of,
    submission_record_key,
)
from tests.fakes.gateway import FakeClock, MemoryGatewayPorts, composed, memory_ports, store_video

ALICE, BOB = "alice-client-id-0001", "bob-client-id-00002"
PHOTO = PhotoBody("image/jpeg", b"\xff\xd8 a photo \xff\xd9")
WHEN = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
async def fakes() -> MemoryGatewayPorts:
    fakes = memory_ports()
    fakes.frames.add("demo", 0, 1, 2)
    await store_video(fakes)
    return fakes


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def gateway(fakes: MemoryGatewayPorts, clock: FakeClock) -> Visitors:
    settings = GatewaySettings(
        lease_secret="unit-test-secret",
        lease_seconds=120,
        max_lease_seconds=300,
        lease_rate_per_minute=3,
        no_frame_retry_after_seconds=15,
        reviews_cache_seconds=2,
        clip_cache_seconds=2,
        max_stale_seconds=60,
        video="demo",
    )
    return composed(fakes, settings, clock).visitors


def review(submission_id: str, frame: int = 1, status="approved", score=0.8) -> ReviewView:
    return ReviewView(
        submission_id=submission_id,
        video="demo",
        frame=frame,
        status=status,
        score=score,
        auto_score=None,
        reasons=[] if status != "rejected" else ["nudity"],
        judgments=3,
        display_name="Ada",
        thumb_key=rendition_key(submission_id, "thumb"),
        medium_key=rendition_key(submission_id, "medium"),
        large_key=rendition_key(submission_id, "large"),
        created_at=WHEN,
        decided_at=WHEN if status != "pending" else None,
    )


# Leases.


async def test_a_visitor_gets_the_next_waiting_frame_with_a_signed_token(gateway, fakes):
    answer = await gateway.lease(ALICE, "10.0.0.1", None)
    assert answer.is_new
    assert (answer.lease.video, answer.lease.frame) == ("demo", 0)
    assert answer.lease.original_url == "/api/frames/demo/0/original"
    assert answer.lease.token
    assert list(fakes.frames.visibility.values()) == [120]


async def test_one_live_lease_per_client_the_held_lease_is_answered_again(gateway, fakes):
    first = await gateway.lease(ALICE, "10.0.0.1", None)
    again = await gateway.lease(ALICE, "10.0.0.1", first.lease.token)
    assert not again.is_new
    assert again.lease == first.lease
    assert len(fakes.frames.leased) == 1


async def test_a_token_held_by_another_client_does_not_count_as_theirs(gateway, fakes):
    alices = await gateway.lease(ALICE, "10.0.0.1", None)
    bobs = await gateway.lease(BOB, "10.0.0.2", alices.lease.token)
    assert bobs.is_new
    assert bobs.lease.frame != alices.lease.frame


async def test_a_lapsed_lease_is_not_reused_and_a_new_frame_is_taken(gateway, clock):
    first = await gateway.lease(ALICE, "10.0.0.1", None)
    clock.advance(121)
    again = await gateway.lease(ALICE, "10.0.0.1", first.lease.token)
    assert again.is_new
    assert again.lease.lease_id != first.lease.lease_id


async def test_no_waiting_frame_is_unavailable_with_the_configured_retry_after(gateway, fakes):
    fakes.frames.waiting.clear()
    with pytest.raises(DependencyUnavailable) as refused:
        await gateway.lease(ALICE, "10.0.0.1", None)
    assert refused.value.code == "no_frame_available"
    assert refused.value.retry_after_seconds == 15


async def test_lease_creation_is_rate_limited_per_address_for_a_minute(gateway, fakes, clock):
    fakes.frames.add("demo", 3, 4, 5)
    for visitor in range(3):
        await gateway.lease(f"visitor-{visitor:014d}", "10.0.0.9", None)
    with pytest.raises(RateLimited):
        await gateway.lease("visitor-00000000000003", "10.0.0.9", None)
    assert (await gateway.lease(BOB, "10.0.0.2", None)).is_new
    clock.advance(60)
    assert (await gateway.lease("visitor-00000000000004", "10.0.0.9", None)).is_new


async def test_heartbeat_extends_the_lease_up_to_the_maximum(gateway, fakes, clock):
    lease = (await gateway.lease(ALICE, "10.0.0.1", None)).lease
    clock.advance(100)
    extended = await gateway.heartbeat(lease.lease_id, lease.token, ALICE)
    assert (extended.expires_at - lease.expires_at).total_seconds() == 100
    assert list(fakes.frames.visibility.values()) == [120]
    clock.advance(150)
    capped = await gateway.heartbeat(lease.lease_id, extended.token, ALICE)
    assert capped.expires_at == lease.max_expires_at
    assert list(fakes.frames.visibility.values()) == [50]


async def test_heartbeat_at_the_maximum_is_gone(gateway, clock):
    lease = (await gateway.lease(ALICE, "10.0.0.1", None)).lease
    clock.advance(300)
    with pytest.raises(LeaseGone):
        await gateway.heartbeat(lease.lease_id, lease.token, ALICE)


async def test_heartbeat_after_the_queue_gave_the_slot_away_is_gone(gateway, fakes):
    lease = (await gateway.lease(ALICE, "10.0.0.1", None)).lease
    fakes.frames.expire(next(iter(fakes.frames.leased)))
    with pytest.raises(LeaseGone):
        await gateway.heartbeat(lease.lease_id, lease.token, ALICE)


async def test_release_gives_the_slot_back_at_once(gateway, fakes):
    lease = (await gateway.lease(ALICE, "10.0.0.1", None)).lease
    await gateway.release(lease.lease_id, lease.token, ALICE)
    assert fakes.frames.leased == {}
    again = await gateway.lease(BOB, "10.0.0.2", None)
    assert (again.lease.video, again.lease.frame) == (lease.video, lease.frame)


async def test_another_visitor_cannot_heartbeat_or_release_a_lease(gateway, fakes):
    lease = (await gateway.lease(ALICE, "10.0.0.1", None)).lease
    with pytest.raises(Forbidden):
        await gateway.heartbeat(lease.lease_id, lease.token, BOB)
    with pytest.raises(Forbidden):
        await gateway.release(lease.lease_id, lease.token, BOB)
    assert len(fakes.frames.leased) == 1


# Photos.


async def test_a_photo_is_handed_to_ingest_under_the_lease_id(gateway, fakes):
    lease = (await gateway.lease(ALICE, "10.0.0.1", None)).lease
    accepted = await gateway.submit_photo(lease.lease_id, lease.token, ALICE, PHOTO, "Ada")
    assert accepted.submission_id == lease.lease_id
    assert accepted.status_url == f"/api/submissions/{lease.lease_id}"
    [upload] = fakes.ingest.uploads
    assert (upload.lease_id, upload.token, upload.display_name) == (
        lease.lease_id,
        lease.token,
        "Ada",
    )
    assert (upload.content_type, upload.body) == (PHOTO.content_type, PHOTO.data)


async def test_a_photo_for_an_unknown_lease_is_refused(gateway, fakes):
    lease = (await gateway.lease(ALICE, "10.0.0.1", None)).lease
    with pytest.raises(Forbidden):
        gateway.check_photo_lease("some-other-lease", lease.token, ALICE)
    with pytest.raises(InvalidToken):
        await gateway.submit_photo(lease.lease_id, lease.token + "x", ALICE, PHOTO, None)
    assert fakes.ingest.uploads == []


async def test_a_photo_for_a_lease_past_its_maximum_is_refused_as_gone(gateway, fakes, clock):
    lease = (await gateway.lease(ALICE, "10.0.0.1", None)).lease
    clock.advance(200)
    gateway.check_photo_lease(lease.lease_id, lease.token, ALICE)  # late is still fine
    clock.advance(101)
    with pytest.raises(LeaseGone):
        await gateway.submit_photo(lease.lease_id, lease.token, ALICE, PHOTO, None)
    assert fakes.ingest.uploads == []


async def test_ingest_down_is_unavailable_and_the_lease_stays_with_the_visitor(gateway, fakes):
    lease = (await gateway.lease(ALICE, "10.0.0.1", None)).lease
    fakes.ingest.down = True
    with pytest.raises(DependencyUnavailable):
        await gateway.submit_photo(lease.lease_id, lease.token, ALICE, PHOTO, None)
    fakes.ingest.down = False
    await gateway.submit_photo(lease.lease_id, lease.token, ALICE, PHOTO, None)
    assert len(fakes.ingest.uploads) == 1
    assert len(fakes.frames.leased) == 1


# What the pages show.


async def test_status_of_a_submission_before_and_after_moderation(gateway, fakes, clock):
    record = SubmissionRecord(
        submission_id="s1",
        video="demo",
        frame=2,
        client_id=ALICE,
        display_name="Ada",
        renditions=renditions_of("s1"),
        width=64,
        height=36,
        created_at=WHEN,
    )
    await fakes.objects.put_record(submission_record_key("s1"), record)
    received = await gateway.submission_status("s1")
    assert (received.status, received.frame, received.display_name) == ("received", 2, "Ada")
    assert received.thumb_url == "/media/submissions/s1/thumb.jpg"
    assert received.frame_url == "/frames/demo/2"
    fakes.reviews.add(review("s1", frame=2, status="rejected", score=0.1))
    clock.advance(2)
    rejected = await gateway.submission_status("s1")
    assert (rejected.status, rejected.score, rejected.reasons) == ("rejected", 0.1, ["nudity"])


async def test_a_submission_nobody_stored_is_not_found(gateway):
    with pytest.raises(NotFound):
        await gateway.submission_status("never-submitted")


async def test_what_cannot_be_a_submission_id_is_not_found_without_asking_anyone(gateway, fakes):
    fakes.reviews.down = True
    for text in ("a?limit=1", "../reviews", "x#y", "", "a" * 65):
        with pytest.raises(NotFound, match="/api/frames/recent"):
            await gateway.submission_status(text)
    assert fakes.reviews.calls == 0


async def test_recent_frames_serve_the_last_good_answer_while_moderation_is_down(
    gateway, fakes, clock
):
    fakes.reviews.add(review("s1", frame=1))
    fakes.reviews.add(review("s2", frame=2, status="pending"))
    first = await gateway.recent_frames(10)
    assert [photo.submission_id for photo in first.frames] == ["s1"]
    assert first.frames[0].medium_url == "/media/submissions/s1/medium.jpg"
    fakes.reviews.down = True
    clock.advance(30)
    assert await gateway.recent_frames(10) == first
    with pytest.raises(DependencyUnavailable):
        await gateway.recent_frames(3)  # never fetched: nothing to stand in
    clock.advance(31)
    with pytest.raises(DependencyUnavailable):
        await gateway.recent_frames(10)  # too stale by now


async def test_answers_are_reused_while_fresh(gateway, fakes, clock):
    await gateway.recent_frames(10)
    await gateway.recent_frames(10)
    assert fakes.reviews.calls == 1
    clock.advance(2)
    await gateway.recent_frames(10)
    assert fakes.reviews.calls == 2


async def test_the_clip_is_none_before_the_first_render(gateway, fakes):
    await store_video(fakes)
    status = await gateway.clip()
    assert (status.video, status.frame_count, status.fps) == ("demo", 3, 25.0)
    assert (status.filled, status.filled_frames, status.clip) == (0, [], None)


async def test_the_clip_status_follows_the_published_pointer(gateway, fakes, clock):
    await store_video(fakes)
    await gateway.clip()
    pointer = ClipPointer(
        video="demo",
        version="v2",
        clip_hash="abc",
        mp4_key="clips/demo/v2/clip.mp4",
        poster_key="clips/demo/v2/poster.jpg",
        hls_key="clips/demo/v2/index.m3u8",
        frame_count=3,
        filled_slots=1,
        filled_frames=[1],
        duration_seconds=0.12,
        built_at=WHEN,
        render_seconds=1.5,
        published_at=WHEN,
    )
    await fakes.objects.put_record(current_clip_key("demo"), pointer)
    clock.advance(2)
    status = await gateway.clip()
    assert (status.filled, status.filled_frames) == (1, [1])
    assert status.clip is not None
    assert status.clip.mp4_url == "/media/clips/demo/v2/clip.mp4"
    assert status.clip.hls_url == "/media/clips/demo/v2/index.m3u8"


async def test_the_clip_of_a_video_never_imported_is_not_found(gateway):
    with pytest.raises(NotFound):
        await gateway.clip("never-imported")


async def test_a_lease_of_a_video_never_imported_is_not_found(gateway):
    with pytest.raises(NotFound):
        await gateway.lease(ALICE, "10.0.0.1", None, video="never-imported")


async def test_leases_come_from_the_asked_video_and_a_live_one_elsewhere_is_given_back(
    gateway, fakes
):
    await store_video(fakes, video="other")
    fakes.frames.add("other", 7)
    demo = await gateway.lease(ALICE, "10.0.0.1", None)
    other = await gateway.lease(ALICE, "10.0.0.1", demo.lease.token, video="other")
    assert (demo.lease.video, other.lease.video, other.lease.frame) == ("demo", "other", 7)
    assert other.is_new
    assert 0 in {slot.frame for slot in fakes.frames.waiting if slot.video == "demo"}


async def test_videos_lists_every_imported_one_the_featured_first(gateway, fakes):
    await store_video(fakes, video="alpha")
    assert [record.video for record in await gateway.videos()] == ["demo", "alpha"]


async def test_slot_photos_are_the_approved_ones_best_first(gateway, fakes):
    await store_video(fakes)
    fakes.reviews.add(review("low", frame=1, score=0.6))
    fakes.reviews.add(review("high", frame=1, score=0.9))
    fakes.reviews.add(review("other-slot", frame=2))
    fakes.reviews.add(review("waiting", frame=1, status="pending"))
    slot = await gateway.slot("demo", 1)
    assert [photo.submission_id for photo in slot.photos] == ["high", "low"]
    assert (slot.frame_count, slot.fps) == (3, 25.0)
    assert slot.original_url == "/api/frames/demo/1/original"


async def test_a_slot_outside_the_video_is_not_found(gateway, fakes):
    await store_video(fakes)
    with pytest.raises(NotFound):
        await gateway.slot("demo", 3)
    with pytest.raises(NotFound):
        await gateway.slot("never-imported", 0)


# Media.


async def test_public_media_streams_whole_or_by_range_and_private_keys_are_not_found(
    gateway, fakes
):
    await fakes.objects.put(original_key("demo", 1), b"0123456789", "image/jpeg")
    whole = await gateway.original_frame("demo", 1, None)
    assert (whole.content_length, whole.content_range) == (10, None)
    part = await gateway.media(original_key("demo", 1), "bytes=2-5")
    assert part.content_range == "bytes 2-5/10"
    assert b"".join([chunk async for chunk in part.chunks]) == b"2345"
    ignored = await gateway.media(original_key("demo", 1), "lines=1-2")
    assert ignored.content_range is None
    await fakes.objects.put("originals/demo/video.json", b"{}", "application/json")
    with pytest.raises(NotFound, match="no such media"):
        await gateway.media("originals/demo/video.json", None)


async def test_a_missing_frame_or_range_is_not_found_and_a_store_outage_is_unavailable(
    gateway, fakes
):
    await fakes.objects.put(original_key("demo", 1), b"0123456789", "image/jpeg")
    with pytest.raises(NotFound, match="has no frame 7"):
        await gateway.original_frame("demo", 7, None)
    with pytest.raises(NotFound, match="no such media"):
        await gateway.media(original_key("demo", 1), "bytes=50-60")
    fakes.objects.down = True
    with pytest.raises(DependencyUnavailable):
        await gateway.original_frame("demo", 1, None)
