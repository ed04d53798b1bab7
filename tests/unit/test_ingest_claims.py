"""One photo per submission, over in-memory ports: the claim and the in-process turns."""

import asyncio

import pytest

from services.ingest.claims import SubmissionInProgress, SubmissionLocks, photo_digest
from services.ingest.imaging import make_renditions
from services.ingest.keys import RENDITION_NAMES, claim_key
from shared.records import rendition_key
from tests.fakes.ingest import IngestWorld
from tests.images import jpeg

# Different sizes, so the record's width tells which photo it was made of.
FIRST, SECOND = jpeg(640, 360, seed=1), jpeg(800, 450, seed=2)


@pytest.fixture
async def world() -> IngestWorld:
    world = IngestWorld()
    await world.seed_video()
    return world


def renditions_of_photo(body: bytes) -> dict[str, bytes]:
    made = make_renditions(body, "image/jpeg", (320, 180), 40_000_000)
    return {"large": made.large, "medium": made.medium, "thumb": made.thumb}


def stored_renditions(world: IngestWorld) -> dict[str, bytes]:
    return {r: world.objects.objects[rendition_key("lease-1", r)].data for r in RENDITION_NAMES}


class TogetherPhotoProcessor:
    """Makes renditions, then waits until every racing upload has made its own: each has
    checked for a commit before any of them claims."""

    def __init__(self, world: IngestWorld, racers: int) -> None:
        self.world = world
        self.barrier = asyncio.Barrier(racers)

    async def renditions(self, body: bytes, content_type: str, clip_size: tuple[int, int]):
        made = await self.world.photos.renditions(body, content_type, clip_size)
        await self.barrier.wait()
        return made


async def test_the_claim_holds_the_sha256_of_the_stored_photo(world):
    await world.ingestor().ingest(world.lease(), "image/jpeg", FIRST, None)

    assert world.objects.objects[claim_key("lease-1")].data == photo_digest(FIRST).encode()


async def test_a_different_photo_while_another_replica_stores_the_first_is_a_409_writing_nothing(
    world,
):
    # Another replica claimed the submission for its photo and has not committed yet.
    await world.objects.create(claim_key("lease-1"), photo_digest(FIRST).encode(), "text/plain")

    with pytest.raises(SubmissionInProgress) as raised:
        await world.ingestor().ingest(world.lease(), "image/jpeg", SECOND, "Bob")

    error = raised.value
    assert (error.status_code, error.code, error.retry_after_seconds) == (
        409,
        "submission_in_progress",
        1,
    )
    assert world.stored_keys() == []
    assert world.frames.live == {"receipt-lease-1"} and world.announced() == []


async def test_the_same_photo_as_the_claim_continues_where_a_crashed_attempt_stopped(world):
    await world.objects.create(claim_key("lease-1"), photo_digest(FIRST).encode(), "text/plain")

    outcome = await world.ingestor().ingest(world.lease(), "image/jpeg", FIRST, "Ada")

    assert outcome.created and outcome.record.width == 640
    assert stored_renditions(world) == renditions_of_photo(FIRST)
    assert len(world.announced()) == 1


async def test_two_replicas_racing_with_different_photos_store_one_photo_whole(world):
    parts = {**world.parts(), "photos": TogetherPhotoProcessor(world, racers=2)}
    # Two ingestors are two replicas: each has its own in-process locks.
    replicas = [world.ingestor(dict(parts)), world.ingestor(dict(parts))]
    claims = world.lease()

    answers = await asyncio.gather(
        replicas[0].ingest(claims, "image/jpeg", FIRST, "Ada"),
        replicas[1].ingest(claims, "image/jpeg", SECOND, "Bob"),
        return_exceptions=True,
    )

    (winner,) = [a for a in answers if not isinstance(a, Exception) and a.created]
    photo = FIRST if winner.record.width == 640 else SECOND
    assert stored_renditions(world) == renditions_of_photo(photo)
    (loser,) = [a for a in answers if a is not winner]
    # The loser gets the winner's answer, or 409 while the winner has not committed.
    assert isinstance(loser, SubmissionInProgress) or loser.record == winner.record
    assert [m.display_name for m in world.announced()] == [winner.record.display_name]


async def test_in_one_process_the_second_upload_waits_and_gets_the_first_answer(world):
    ingestor, claims = world.ingestor(), world.lease()

    first, second = await asyncio.gather(
        ingestor.ingest(claims, "image/jpeg", FIRST, "Ada"),
        ingestor.ingest(claims, "image/jpeg", SECOND, "Bob"),
    )

    assert first.created and not second.created and second.record == first.record
    assert world.photos.calls == 1
    assert stored_renditions(world) == renditions_of_photo(FIRST)
    assert len(ingestor.locks) == 0


async def test_a_lock_table_entry_lives_only_while_someone_holds_or_awaits_it():
    locks = SubmissionLocks(wait_seconds=5)

    async with locks.hold("a"), locks.hold("b"):  # another submission does not wait for "a"
        assert locks.is_held("a") and locks.is_held("b") and len(locks) == 2

    assert len(locks) == 0 and not locks.is_held("a")


async def test_an_upload_waiting_longer_than_its_bound_is_a_409_and_leaves_no_entry():
    locks = SubmissionLocks(wait_seconds=0.05)

    async with locks.hold("a"):
        with pytest.raises(SubmissionInProgress):
            async with locks.hold("a"):
                pytest.fail("ran while the first upload still held the submission")
        assert len(locks) == 1

    assert len(locks) == 0
