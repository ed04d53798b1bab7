"""ingest's sweep over in-memory ports: a crash after the commit is announced, once."""

from datetime import timedelta

import pytest

from services.ingest.keys import pending_announcement_key
from services.ingest.usecases import Ingestor
from shared.errors import DependencyUnavailable
from shared.messages import utcnow
from tests.fakes.ingest import Crash, CrashOnce, IngestWorld, PartlyDownObjectStore
from tests.images import jpeg

PHOTO = jpeg(640, 360, seed=1)
GRACE = timedelta(seconds=60)
PENDING = pending_announcement_key("lease-1")


@pytest.fixture
async def world() -> IngestWorld:
    world = IngestWorld()
    await world.seed_video()
    return world


async def crash(world: IngestWorld, step: str, role: str, after: bool = False) -> None:
    """One ingest of lease-1 that dies at ``step``; the visitor never retries."""
    parts = world.parts()
    parts[role] = CrashOnce(parts[role], step, after)
    with pytest.raises(Crash):
        await world.ingestor(parts).ingest(world.lease(), "image/jpeg", PHOTO, "Ada")


def sweeper(world: IngestWorld, later: timedelta) -> Ingestor:
    """An ingestor whose clock reads ``later`` from now."""
    ingestor = world.ingestor()
    ingestor.clock = lambda: utcnow() + later
    return ingestor


@pytest.mark.parametrize(("step", "role"), [("finish", "frames"), ("announce", "announcer")])
async def test_a_submission_committed_but_never_announced_is_announced_once_after_the_grace(
    world, step, role
):
    await crash(world, step, role)
    assert world.announced() == [] and PENDING in world.objects.objects

    sweep = sweeper(world, GRACE + timedelta(seconds=1))
    assert await sweep.announce_stragglers() == ["lease-1"]
    assert await sweep.announce_stragglers() == []

    assert [m.display_name for m in world.announced()] == ["Ada"]
    assert PENDING not in world.objects.objects
    assert "submissions/lease-1/announced" in world.objects.objects


async def test_a_crash_before_the_lease_is_finished_is_finished_by_the_sweep(world):
    await crash(world, "finish", "frames")  # committed; the frames message not deleted
    assert world.frames.finished == []

    await sweeper(world, GRACE + timedelta(seconds=1)).announce_stragglers()

    assert len(world.announced()) == 1
    assert world.frames.finished == ["receipt-lease-1"]  # the slot left the queue


async def test_within_the_grace_the_sweep_leaves_a_pending_submission_to_its_request(world):
    await crash(world, "announce", "announcer")

    assert await sweeper(world, timedelta(seconds=30)).announce_stragglers() == []

    assert world.announced() == [] and PENDING in world.objects.objects


async def test_a_submission_that_was_never_committed_is_forgotten_not_announced():
    world = IngestWorld(objects=PartlyDownObjectStore({"submissions/lease-1/submission.json"}))
    await world.seed_video()
    with pytest.raises(DependencyUnavailable):  # the note is written, the commit is not
        await world.ingestor().ingest(world.lease(), "image/jpeg", PHOTO, "Ada")
    assert PENDING in world.objects.objects

    assert await sweeper(world, GRACE * 2).announce_stragglers() == []

    assert world.announced() == [] and PENDING not in world.objects.objects


async def test_an_announced_submission_whose_note_survived_a_crash_is_not_announced_again(world):
    await world.ingestor().ingest(world.lease(), "image/jpeg", PHOTO, "Ada")
    # A crash after the announced marker and before the note was dropped.
    record = await world.parts()["store"].committed("lease-1")
    await world.objects.put_record(PENDING, record)

    assert await sweeper(world, GRACE * 2).announce_stragglers() == []

    assert len(world.announced()) == 1 and PENDING not in world.objects.objects


async def test_a_normal_ingest_leaves_nothing_pending(world):
    await world.ingestor().ingest(world.lease(), "image/jpeg", PHOTO, "Ada")

    assert await world.parts()["store"].pending() == []


async def test_the_sweep_skips_a_submission_an_upload_is_storing_in_this_process(world):
    await crash(world, "announce", "announcer")
    sweep = sweeper(world, GRACE * 2)

    async with sweep.locks.hold("lease-1"):
        assert await sweep.announce_stragglers() == []

    assert world.announced() == []
    assert await sweep.announce_stragglers() == ["lease-1"]
