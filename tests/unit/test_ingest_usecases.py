"""ingest's use case in process, over in-memory ports (tests/fakes/ingest.py)."""

from datetime import UTC, datetime

import pytest

from services.ingest.imaging import UnusableImage
from services.ingest.keys import renditions_of
from shared.errors import DependencyUnavailable, NotFound
from shared.records import SubmissionRecord, submission_record_key
from tests.fakes.ingest import (
    CACHE_CONTROL,
    Crash,
    CrashOnce,
    IngestWorld,
    PartlyDownObjectStore,
    Recording,
)
from tests.images import jpeg

PHOTO = jpeg(640, 360, seed=1)
STORED = [
    f"submissions/lease-1/{name}"
    for name in ("announced", "large.jpg", "medium.jpg", "submission.json", "thumb.jpg")
]
# The port (role) that owns each step of the use case, in the order it runs them.
STEPS = {
    "renditions": "photos",
    "put_renditions": "store",
    "commit": "store",
    "finish": "frames",
    "announce": "announcer",
    "mark_announced": "store",
}


@pytest.fixture
async def world() -> IngestWorld:
    world = IngestWorld()
    await world.seed_video()
    return world


async def test_a_photo_is_stored_then_committed_then_its_lease_finished_then_announced(world):
    calls: list[str] = []
    parts = {role: Recording(port, role, calls) for role, port in world.parts().items()}

    outcome = await world.ingestor(parts).ingest(world.lease(), "image/jpeg", PHOTO, "Ada")

    assert calls == [
        "store.committed",
        "store.video",
        "photos.renditions",
        "store.put_renditions",
        "store.commit",
        "frames.finish",
        "store.was_announced",
        "announcer.announce",
        "store.mark_announced",
    ]
    assert outcome.created
    assert world.stored_keys() == STORED
    assert world.frames.finished == ["receipt-lease-1"] and not world.frames.live
    assert [m.submission_id for m in world.announced()] == ["lease-1"]


async def test_the_renditions_are_jpegs_browsers_may_cache_forever(world):
    await world.ingestor().ingest(world.lease(), "image/jpeg", PHOTO, None)

    for key in renditions_of("lease-1").model_dump().values():
        entry = world.objects.objects[key]
        assert entry.data.startswith(b"\xff\xd8") and entry.content_type == "image/jpeg"
        assert entry.cache_control == CACHE_CONTROL


async def test_the_commit_record_and_the_announcement_describe_the_same_submission(world):
    claims = world.lease(frame=2)

    outcome = await world.ingestor().ingest(claims, "image/jpeg", PHOTO, "Ada")

    stored = await world.objects.get_record(submission_record_key("lease-1"), SubmissionRecord)
    assert stored == outcome.record
    assert (stored.video, stored.frame, stored.client_id) == ("demo", 2, "client-1")
    assert (stored.display_name, stored.width, stored.height) == ("Ada", 640, 360)
    assert stored.renditions == renditions_of("lease-1")
    (announced,) = world.announced()
    assert announced.model_dump(exclude={"version"}) == stored.model_dump()


async def test_a_repeat_of_a_stored_photo_answers_the_stored_record_and_does_no_work_again(world):
    ingestor, claims = world.ingestor(), world.lease()
    first = await ingestor.ingest(claims, "image/jpeg", PHOTO, "Ada")

    again = await ingestor.ingest(claims, "image/jpeg", PHOTO, "Ada")

    assert not again.created and again.record == first.record
    assert world.photos.calls == 1
    assert len(world.announced()) == 1


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
@pytest.mark.parametrize("step", STEPS)
async def test_a_retry_after_a_crash_at_any_step_repairs_without_duplicating(world, step, after):
    parts = world.parts()
    parts[STEPS[step]] = CrashOnce(parts[STEPS[step]], step, after)
    ingestor, claims = world.ingestor(parts), world.lease()

    with pytest.raises(Crash):
        await ingestor.ingest(claims, "image/jpeg", PHOTO, "Ada")
    outcome = await ingestor.ingest(claims, "image/jpeg", PHOTO, "Ada")

    assert outcome.record.submission_id == "lease-1"
    assert world.stored_keys() == STORED
    assert world.frames.finished == ["receipt-lease-1"]
    # Only a crash between sending and remembering it announces twice (moderation
    # de-duplicates by submission id).
    twice = (step, after) in {("announce", True), ("mark_announced", False)}
    assert [m.submission_id for m in world.announced()] == ["lease-1"] * (2 if twice else 1)


async def test_a_second_different_photo_for_a_committed_lease_does_not_replace_the_first(world):
    ingestor, claims = world.ingestor(), world.lease()
    first = await ingestor.ingest(claims, "image/jpeg", PHOTO, "Ada")
    large = world.objects.objects["submissions/lease-1/large.jpg"].data

    second = await ingestor.ingest(claims, "image/jpeg", jpeg(640, 360, seed=7), "Bob")

    assert not second.created and second.record == first.record
    assert second.record.display_name == "Ada"
    assert world.objects.objects["submissions/lease-1/large.jpg"].data == large
    assert [m.display_name for m in world.announced()] == ["Ada"]


class RivalCommitsFirst:
    """Makes the renditions, while a concurrent retry of the same lease commits first."""

    def __init__(self, world: IngestWorld, rival: SubmissionRecord) -> None:
        self.world, self.rival = world, rival

    async def renditions(self, body: bytes, content_type: str, clip_size: tuple[int, int]):
        await self.world.objects.put_record(submission_record_key("lease-1"), self.rival)
        return await self.world.photos.renditions(body, content_type, clip_size)


async def test_when_a_concurrent_retry_commits_first_its_record_is_the_answer(world):
    claims = world.lease()
    rival = SubmissionRecord(
        submission_id="lease-1",
        video="demo",
        frame=0,
        client_id="client-1",
        display_name="Rival",
        renditions=renditions_of("lease-1"),
        width=640,
        height=360,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    parts = {**world.parts(), "photos": RivalCommitsFirst(world, rival)}

    outcome = await world.ingestor(parts).ingest(claims, "image/jpeg", PHOTO, "Late")

    assert outcome.record == rival
    assert [m.display_name for m in world.announced()] == ["Rival"]
    assert world.frames.finished == ["receipt-lease-1"]


async def test_a_photo_for_an_unknown_video_is_a_404_and_nothing_is_stored(world):
    with pytest.raises(NotFound) as raised:
        await world.ingestor().ingest(world.lease(video="nope"), "image/jpeg", PHOTO, None)

    assert (raised.value.status_code, raised.value.code) == (404, "unknown_video")
    assert world.stored_keys() == [] and world.photos.calls == 0
    assert world.frames.finished == [] and world.announced() == []


async def test_an_unusable_photo_is_a_422_and_the_lease_stays_open(world):
    with pytest.raises(UnusableImage) as raised:
        await world.ingestor().ingest(world.lease(), "image/jpeg", b"not a jpeg", None)

    assert raised.value.status_code == 422
    assert world.stored_keys() == [] and world.frames.live == {"receipt-lease-1"}


async def test_s3_down_is_a_503_and_nothing_is_written_or_announced(world):
    world.objects.down = True

    with pytest.raises(DependencyUnavailable) as raised:
        await world.ingestor().ingest(world.lease(), "image/jpeg", PHOTO, None)

    assert raised.value.status_code == 503
    world.objects.down = False
    assert world.stored_keys() == []
    assert world.frames.live == {"receipt-lease-1"} and world.announced() == []


@pytest.mark.parametrize(
    "down", ["submissions/lease-1/thumb.jpg", "submissions/lease-1/submission.json"]
)
async def test_s3_failing_mid_write_is_a_503_with_nothing_committed_and_a_retry_completes(down):
    world = IngestWorld(objects=PartlyDownObjectStore({down}))
    await world.seed_video()
    ingestor, claims = world.ingestor(), world.lease()

    with pytest.raises(DependencyUnavailable) as raised:
        await ingestor.ingest(claims, "image/jpeg", PHOTO, None)

    assert raised.value.status_code == 503
    # Renditions without a commit are invisible: nobody reads a submission before it.
    assert await world.parts()["store"].committed("lease-1") is None
    assert world.frames.live == {"receipt-lease-1"} and world.announced() == []
    world.objects.down_keys.clear()
    assert (await ingestor.ingest(claims, "image/jpeg", PHOTO, None)).created
    assert world.stored_keys() == STORED and len(world.announced()) == 1


async def test_sqs_down_while_announcing_is_a_503_and_a_retry_announces_once(world):
    ingestor, claims = world.ingestor(), world.lease()
    world.queues.down = True

    with pytest.raises(DependencyUnavailable) as raised:
        await ingestor.ingest(claims, "image/jpeg", PHOTO, None)

    assert raised.value.status_code == 503
    assert "submissions/lease-1/announced" not in world.stored_keys()
    world.queues.down = False
    again = await ingestor.ingest(claims, "image/jpeg", PHOTO, None)
    assert not again.created and len(world.announced()) == 1


async def test_a_stale_lease_receipt_is_fine_and_the_photo_is_still_stored(world):
    claims = world.lease()
    world.frames.live.clear()  # the lease expired and the slot went to someone else

    outcome = await world.ingestor().ingest(claims, "image/jpeg", PHOTO, "Ada")

    assert outcome.created and world.stored_keys() == STORED
    assert world.frames.stale == ["receipt-lease-1"] and world.frames.finished == []
    assert len(world.announced()) == 1


async def test_the_video_record_is_read_once_per_store(world):
    store = world.parts()["store"]
    first = await store.video("demo")
    world.objects.down = True

    assert await store.video("demo") == first
