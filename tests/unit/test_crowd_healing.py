"""Moderation heals crowd work the platform forgot: a Crowdflower job (a new job, each
pending unit re-created there once), a Mechanical Turk HIT (created again with a fresh
token) or HIT type. Use cases over fakes."""

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from services.moderation.crowd.crowdflower.work import CrowdWork
from services.moderation.crowd.jobs import CrowdJob
from services.moderation.crowd.mturk.adapters.api import hit_token, is_unknown
from services.moderation.reviews.ports import CrowdUnavailable
from tests.fakes.moderation import FakeCrowdJobs, FakePhotos, answer_xml, fake_healings
from tests.pictures import good_copy
from tests.unit.test_moderation_usecases import NOW, World, judgments
from tests.unit.test_mturk_usecases import World as HitWorld


async def test_a_pending_unit_on_a_forgotten_job_is_recreated_once_on_a_new_job():
    world = World()
    await world.moderator.ingest(world.submission("old", good_copy(1)))
    world.crowd.forgotten.add("job-demo")
    await world.moderator.reconcile()
    await world.moderator.reconcile()
    review = await world.moderator.review("old")
    assert world.crowd.new_jobs == ["job-demo-2"]
    assert world.crowd.units_on("job-demo-2") == ["old"]
    assert (review.job_id, review.crowd_generation, review.is_pending) == ("job-demo-2", 1, True)
    assert review.unit_ordered_at is not None
    assert world.moderator.observer.value("ofof_crowd_healed", kind="job") == 1
    assert await world.moderator.healed() == {"job": 1}


async def test_a_new_photo_meeting_a_forgotten_job_is_asked_on_the_new_job_and_judged():
    world = World()
    await world.moderator.ingest(world.submission("old", good_copy(1)))
    world.crowd.forgotten.add("job-demo")
    fresh = await world.moderator.ingest(world.submission("new", good_copy(1)))
    assert (fresh.job_id, fresh.crowd_generation) == ("job-demo-2", 1)
    assert fresh.unit_ordered_at is not None
    world.crowd.unit_judgments[fresh.unit_id or ""] = judgments(5)
    await world.moderator.reconcile()
    assert (await world.moderator.review("new")).status == "approved"
    assert world.crowd.units_on("job-demo-2") == ["new", "old"]
    assert world.crowd.new_jobs == ["job-demo-2"]
    assert await world.moderator.healed() == {"job": 1}


async def test_the_new_job_gets_its_test_questions_before_its_first_order():
    world = World()
    await world.moderator.ingest(world.submission("old", good_copy(1)))
    world.crowd.forgotten.add("job-demo")
    await world.moderator.ingest(world.submission("new", good_copy(1)))
    on_new = [u for u in world.crowd.gold if world.crowd.unit_jobs[u] == "job-demo-2"]
    assert len(on_new) == 4


async def test_a_missing_unit_of_a_job_the_crowd_still_knows_is_no_healing():
    world = World()
    jobs = FakeCrowdJobs()
    work = CrowdWork(
        world.crowd,
        jobs,
        FakePhotos(),
        units_per_assignment=1,
        photo_url_seconds=600,
        clock=lambda: NOW,
        healings=fake_healings(),
    )
    job = await work.job("demo")
    with pytest.raises(CrowdUnavailable):
        await work.renew(job)
    assert world.crowd.new_jobs == []


async def test_two_replicas_replacing_one_forgotten_job_keep_one_new_job():
    world, jobs = World(), FakeCrowdJobs()
    works = [
        CrowdWork(
            world.crowd,
            jobs,
            FakePhotos(),
            units_per_assignment=1,
            photo_url_seconds=600,
            clock=lambda: NOW,
            healings=healings,
        )
        for healings in (fake_healings(), fake_healings())
    ]
    dead = [await work.job("demo") for work in works]
    world.crowd.forgotten.add("job-demo")
    first = await works[0].renew(dead[0])
    second = await works[1].renew(dead[1])
    assert first == second == CrowdJob("demo", "job-demo-2", generation=1)
    assert world.crowd.new_jobs == ["job-demo-2"]
    counted = [await work.healings.counts() for work in works]
    assert counted == [{"job": 1}, {}]


async def test_a_job_replaced_by_another_replica_is_taken_from_the_store_not_recreated():
    world = World()
    await world.moderator.ingest(world.submission("old", good_copy(1)))
    world.crowd.forgotten.add("job-demo")
    crowd = world.moderator.crowd.chosen  # type: ignore[attr-defined]
    stored = await crowd.work.jobs.job_of("demo")
    await crowd.work.jobs.replace(stored, "job-elsewhere")
    await world.moderator.reconcile()
    review = await world.moderator.review("old")
    assert (review.job_id, review.crowd_generation) == ("job-elsewhere", 1)
    assert world.crowd.new_jobs == []
    assert await world.moderator.healed() == {}


async def test_a_forgotten_hit_is_created_again_once_with_a_fresh_token():
    world = HitWorld()
    await world.moderator.ingest(world.submission("s1"))
    world.mturk.answer("HIT1", "w1", answer_xml())
    await world.receive_hit("HIT1")
    world.mturk.forgotten.add("HIT1")
    await world.moderator.reconcile()
    await world.moderator.reconcile()
    review = await world.moderator.review("s1")
    assert (review.unit_id, review.crowd_generation) == ("HIT2", 1)
    assert world.mturk.hits["HIT2"].generation == 1
    assert len(world.mturk.hits) == 2
    assert len(review.judgments) == 1
    assert await world.hits.healed() == {"hit": 1}
    for worker in ("w2", "w3"):
        world.mturk.answer("HIT2", worker, answer_xml())
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).status == "approved"


async def test_a_hit_recorded_for_healing_but_not_created_is_created_with_the_same_token():
    world = HitWorld(clock=lambda: NOW + timedelta(minutes=1))
    await world.moderator.ingest(world.submission("s1"))
    world.mturk.forgotten.add("HIT1")
    # A crash right after the heal generation was recorded: no HIT yet.
    review = await world.moderator.review("s1")
    marked = await world.store.put(review.changed(unit_id=None, crowd_generation=1))
    assert marked is not None
    await world.moderator.reconcile()
    await world.moderator.reconcile()
    review = await world.moderator.review("s1")
    assert (review.unit_id, review.crowd_generation) == ("HIT2", 1)
    assert world.mturk.hits["HIT2"].generation == 1
    assert len(world.mturk.hits) == 2


async def test_a_forgotten_hit_type_is_registered_again_once():
    world = HitWorld()
    await world.moderator.ingest(world.submission("s1"))
    world.mturk.forgotten.add("type-demo")
    second = await world.moderator.ingest(world.submission("s2"))
    third = await world.moderator.ingest(world.submission("s3"))
    assert second.job_id == third.job_id == world.mturk.types["demo"] != "type-demo"
    assert await world.hits.healed() == {"hit_type": 1}


async def test_a_decided_review_whose_hit_was_forgotten_settles_with_nothing_to_pay():
    world = HitWorld()
    await world.moderator.ingest(world.submission("s1"))
    for worker in ("w1", "w2", "w3"):
        world.mturk.answer("HIT1", worker, answer_xml())
    world.mturk.forgotten.add("HIT1")
    review = await world.moderator.review("s1")
    await world.hits.settle(review.changed(status="approved"))
    assert world.mturk.approved == []


def test_a_recreated_hits_token_is_fresh_per_heal_generation_and_stable_on_retry():
    assert hit_token("s1", 0) == "ofof-s1"
    assert hit_token("s1", 1) == hit_token("s1", 1) == "ofof-s1-h1"
    assert len({hit_token("x" * 80, n) for n in range(3)}) == 3


def test_mturks_does_not_exist_refusal_is_read_as_forgotten():
    def refusal(message: str, code: str = "RequestError") -> ClientError:
        answer = {"Error": {"Code": code, "Message": message}}
        return ClientError(answer, "GetHIT")  # type: ignore[arg-type]

    assert is_unknown(refusal("Hit 36818Z1KV5CDQ807J1UQ45304AOA3Z does not exist. (1619128282649)"))
    assert not is_unknown(refusal("This operation can be called with a status of: Reviewable"))
    assert not is_unknown(refusal("does not exist", code="ServiceFault"))
