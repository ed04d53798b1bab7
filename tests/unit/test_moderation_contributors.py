"""Moderation's contributor use cases in process: a visitor's list, deleting, credits."""

import pytest

from services.moderation.reviews.contributors import Contributions, credits_of
from shared.errors import NotFound
from shared.records import share_image_key, submission_record_key
from tests.pictures import good_copy
from tests.unit.test_moderation_usecases import World, judgments, unit_for


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def contributions(world: World) -> Contributions:
    return Contributions(world.moderator, clock=lambda: world.now)


async def approve(world: World, sid: str, frame: int = 3, mimic: int = 5) -> None:
    await world.moderator.ingest(world.submission(sid, good_copy(1), frame=frame))
    await world.receive_unit(unit_for(sid, judgments(mimic)))


async def test_a_visitor_lists_only_their_own_submissions(world, contributions):
    await approve(world, "s1")
    assert [r.submission_id for r in await contributions.of_client("c")] == ["s1"]
    assert await contributions.of_client("someone-else") == []


async def test_deleting_an_approved_photo_frees_the_slot_tells_the_renderer_and_erases_files(
    world, contributions
):
    await approve(world, "s1")
    world.photos.objects[submission_record_key("s1")] = b"{}"
    world.photos.objects[share_image_key("s1")] = b"jpeg"
    gone = await contributions.delete("c", "s1")
    assert (gone.status, gone.display_name, gone.client_id) == ("deleted", None, "")
    assert [v.verdict for v in world.queues.verdicts] == ["approved", "rejected"]
    assert world.slots.state_of("demo", 3) == "open"
    assert await world.moderator.recent(10) == []
    assert not [key for key in world.photos.objects if "s1" in key]
    assert not gone.open_steps()


async def test_a_pending_photo_can_be_deleted_and_later_judgments_change_nothing(
    world, contributions
):
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    await contributions.delete("c", "s1")
    assert await world.receive_unit(unit_for("s1", judgments(5))) == "ignored"
    assert (await world.moderator.review("s1")).status == "deleted"
    assert world.slots.state_of("demo", 3) == "open"


async def test_someone_elses_unknown_or_already_deleted_submission_is_not_found_alike(
    world, contributions
):
    await approve(world, "s1")
    for client, sid in (("other", "s1"), ("c", "nope"), ("", "s1")):
        with pytest.raises(NotFound, match="no such submission of yours"):
            await contributions.delete(client, sid)
    await contributions.delete("c", "s1")
    with pytest.raises(NotFound):
        await contributions.delete("c", "s1")
    assert await contributions.of_client("c") == []


async def test_deleting_the_best_photo_leaves_the_next_best_in_the_slot_and_credits(
    world, contributions
):
    await approve(world, "best", mimic=5)
    await approve(world, "next", mimic=4)
    assert [r.submission_id for r in await contributions.credits("demo")] == ["best"]
    await contributions.delete("c", "best")
    assert [r.submission_id for r in await contributions.credits("demo")] == ["next"]
    assert world.slots.state_of("demo", 3) == "held"


async def test_credits_list_one_photo_per_slot_in_frame_order(world, contributions):
    await approve(world, "late", frame=5)
    await approve(world, "early", frame=1)
    reviews = [await world.moderator.review(sid) for sid in ("late", "early")]
    assert [r.frame for r in credits_of(reviews, "demo")] == [1, 5]
    assert credits_of(reviews, "other") == []
