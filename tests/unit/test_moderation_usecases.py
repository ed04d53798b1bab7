from datetime import UTC, datetime, timedelta

import pytest

from services.ingest.keys import renditions_of
from services.moderation.crowd import CrowdChoice
from services.moderation.crowd.crowdflower.payloads import CrowdUnit, UnitJudgments
from services.moderation.crowd.crowdflower.ports import UnitRequest
from services.moderation.reviews.moderator import ModerationPolicy, Moderator
from services.moderation.reviews.ports import Outcome
from services.moderation.reviews.review import decided, review_view
from services.moderation.reviews.screening import ScreeningRules
from services.moderation.reviews.verdicts import Judgment, VerdictRules, decide
from services.moderation.slots.guard import QueueNames, TransportGuard
from shared.errors import Conflict, NotFound
from shared.messages import Renditions, SubmissionIngested
from shared.metrics import Tally
from shared.records import SubmissionRecord, original_key, submission_record_key
from tests.fakes.moderation import (
    FakeCrowd,
    FakeCrowdJobs,
    FakeFramesTransport,
    FakePhotos,
    FakeQueues,
    FakeReviewStore,
    FakeSlotRegistry,
    crowdflower_over,
)
from tests.fakes.objects import MemoryObjectStore
from tests.pictures import blank, good_copy, jpeg, original_frame

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class World:
    def __init__(
        self, prescreen_enabled: bool = True, crowd_jobs: FakeCrowdJobs | None = None
    ) -> None:
        self.store, self.slots, self.crowd = FakeReviewStore(), FakeSlotRegistry(), FakeCrowd()
        self.slots.add("demo", 10)
        self.photos, self.queues = FakePhotos(), FakeQueues()
        self.now = NOW
        self.photos.objects[original_key("demo", 3)] = jpeg(original_frame(1))
        tally = Tally()
        crowdflower = crowdflower_over(
            self.crowd, self.store, self.photos, lambda: self.now, jobs=crowd_jobs, observer=tally
        )
        self.moderator = Moderator(
            self.store,
            self.slots,
            CrowdChoice({"crowdflower": crowdflower}, "crowdflower"),
            self.photos,
            self.queues,
            ModerationPolicy(
                VerdictRules(),
                ScreeningRules(),
                prescreen_enabled=prescreen_enabled,
                outbox_grace_seconds=30,
            ),
            clock=lambda: self.now,
            observer=tally,
        )

    async def receive_unit(self, unit: CrowdUnit) -> Outcome:
        """A ``unit_complete`` webhook's judgments, handed over as the route does."""
        return await self.moderator.receive([unit.judged()])

    async def receive_judgments(self, units: list[UnitJudgments]) -> Outcome:
        """A ``new_judgments`` webhook's judgments, handed over as the route does."""
        return await self.moderator.receive([unit.judged() for unit in units])

    def reopened(self) -> list[tuple[str, int]]:
        """Slots a rejection handed out again (open, with a failed attempt)."""
        return sorted(
            key for key, slot in self.slots.slots.items() if slot.state == "open" and slot.attempts
        )

    def submission(self, sid: str, photo: bytes, frame: int = 3) -> SubmissionIngested:
        renditions: Renditions = renditions_of(sid)
        self.photos.objects[renditions.medium] = photo
        return SubmissionIngested(
            submission_id=sid,
            video="demo",
            frame=frame,
            client_id="c",
            renditions=renditions,
            width=320,
            height=180,
            created_at=NOW,
        )


def judgments(mimic: int, count: int = 3, prefix: str = "j") -> list[Judgment]:
    return [Judgment(f"{prefix}{n}", f"w{n}", 0.9, False, mimic, True) for n in range(count)]


def unit_for(sid: str, found: list[Judgment]) -> CrowdUnit:
    return CrowdUnit.model_validate(
        {
            "id": "u",
            "job_id": "j",
            "data": {"submission_id": sid},
            "results": {
                "judgments": [
                    {
                        "id": j.judgment_id,
                        "worker_id": j.worker_id,
                        "worker_trust": j.trust,
                        "data": {"nudity": "no", "mimic": j.mimic, "trying": "yes"},
                    }
                    for j in found
                ]
            },
        }
    )


@pytest.fixture
def world() -> World:
    return World()


async def test_a_new_submission_gets_one_crowd_unit_even_when_delivered_twice(world):
    message = world.submission("s1", good_copy(1))
    first = await world.moderator.ingest(message)
    again = await world.moderator.ingest(message)
    assert first.status == again.status == "pending"
    assert len(world.crowd.units) == 1
    assert again.unit_id == "unit-1"
    assert first.auto_score is not None
    assert first.auto_score > 0.9


async def test_a_black_photo_is_rejected_without_a_crowd_unit(world):
    review = await world.moderator.ingest(world.submission("s1", blank(0)))
    assert review.status == "rejected"
    assert review.reasons == ("blank_black",)
    assert world.crowd.units == {}
    assert [v.verdict for v in world.queues.verdicts] == ["rejected"]
    assert world.reopened() == [("demo", 3)]


async def test_the_webhook_decides_once_and_a_duplicate_changes_nothing(world):
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    assert await world.receive_unit(unit_for("s1", judgments(5))) == "decided"
    assert await world.receive_unit(unit_for("s1", judgments(1, prefix="k"))) == "ignored"
    review = await world.moderator.review("s1")
    assert (review.status, review.score, review.judgment_count) == ("approved", 1.0, 3)
    assert len(world.queues.verdicts) == 1
    assert world.reopened() == []
    assert world.slots.state_of("demo", 3) == "held"
    assert await world.slots.approved_of("demo", 3) == ["s1"]
    assert [r.submission_id for r in await world.moderator.recent(10)] == ["s1"]


async def test_a_rejected_slot_goes_back_unless_the_slot_already_has_an_approval(world):
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    await world.moderator.ingest(world.submission("s2", good_copy(1)))
    await world.moderator.ingest(world.submission("s3", good_copy(1), frame=4))
    await world.receive_unit(unit_for("s3", judgments(1)))
    await world.receive_unit(unit_for("s1", judgments(5)))
    await world.receive_unit(unit_for("s2", judgments(1)))
    assert world.reopened() == [("demo", 4)]
    assert world.slots.state_of("demo", 3) == "held"
    assert sorted(v.submission_id for v in world.queues.verdicts) == ["s1", "s2", "s3"]


async def test_judgments_below_quorum_are_kept_and_completed_by_reconcile(world):
    review = await world.moderator.ingest(world.submission("s1", good_copy(1)))
    assert await world.receive_unit(unit_for("s1", judgments(4, count=2))) == "pending"
    world.crowd.unit_judgments[review.unit_id] = judgments(4, count=4)
    assert await world.moderator.reconcile() == 1
    assert (await world.moderator.review("s1")).status == "approved"
    assert await world.moderator.reconcile() == 0


async def test_reconcile_creates_units_that_failed_while_the_crowd_was_down(world):
    world.crowd.down = True
    review = await world.moderator.ingest(world.submission("s1", good_copy(1)))
    assert review.unit_id is None
    world.crowd.down = False
    await world.moderator.reconcile()
    assert world.crowd.units == {}  # the ingest may still be creating it: wait out the grace
    world.now += timedelta(seconds=31)
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).unit_id == "unit-1"
    assert len(world.crowd.units) == 1


async def test_reconcile_repairs_steps_left_undone_only_after_the_grace_period(world):
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    review = await world.moderator.review("s1")
    verdict = decide(judgments(1), VerdictRules())
    await world.store.put(decided(review, verdict, world.now))  # a crash right after deciding
    await world.moderator.reconcile()
    assert world.queues.verdicts == []
    world.now += timedelta(seconds=31)
    await world.moderator.reconcile()
    await world.moderator.reconcile()
    assert len(world.queues.verdicts) == 1
    assert world.reopened() == [("demo", 3)]


async def test_a_takedown_rejects_an_approved_photo_once_and_frees_its_slot(world):
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    await world.receive_unit(unit_for("s1", judgments(5)))
    taken = await world.moderator.takedown("s1")
    again = await world.moderator.takedown("s1")
    assert taken.status == again.status == "rejected"
    assert taken.reasons == ("takedown",)
    assert [v.verdict for v in world.queues.verdicts] == ["approved", "rejected"]
    assert world.queues.verdicts[1].reasons == ["takedown"]
    assert world.slots.state_of("demo", 3) == "open"
    assert await world.slots.approved_of("demo", 3) == []
    assert await world.moderator.recent(10) == []


async def test_a_takedown_of_an_unknown_or_pending_photo_is_refused(world):
    with pytest.raises(NotFound):
        await world.moderator.takedown("nope")
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    with pytest.raises(Conflict):
        await world.moderator.takedown("s1")


async def test_a_submission_whose_photo_is_missing_is_not_reviewed_yet(world):
    message = world.submission("s1", good_copy(1))
    del world.photos.objects[message.renditions.medium]
    with pytest.raises(NotFound):
        await world.moderator.ingest(message)
    assert world.store.reviews == {}
    assert world.crowd.units == {}


async def test_an_undecodable_photo_is_rejected_without_a_crowd_unit(world):
    review = await world.moderator.ingest(world.submission("s1", b"not a picture"))
    assert (review.status, review.reasons, review.auto_score) == (
        "rejected",
        ("unreadable_photo",),
        None,
    )
    assert world.crowd.units == {}
    assert [v.reasons for v in world.queues.verdicts] == [["unreadable_photo"]]


async def test_without_its_original_frame_a_photo_goes_to_the_crowd_unscored(world):
    review = await world.moderator.ingest(world.submission("s1", good_copy(1), frame=9))
    assert (review.status, review.auto_score) == ("pending", None)
    assert len(world.crowd.units) == 1


async def test_with_the_pre_screen_off_a_black_photo_goes_to_the_crowd():
    world = World(prescreen_enabled=False)
    review = await world.moderator.ingest(world.submission("s1", blank(0)))
    assert review.status == "pending"
    assert len(world.crowd.units) == 1


async def test_the_crowd_sees_the_photo_and_its_original_by_expiring_urls(world):
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    [unit] = world.crowd.units.values()
    assert unit.photo_url == "http://media.test/submissions/s1/medium.jpg?expires=600"
    assert unit.original_url == f"http://media.test/{original_key('demo', 3)}?expires=600"


async def test_a_unit_created_before_a_crash_is_found_again_not_created_twice(world):
    review = await world.moderator.ingest(world.submission("s1", good_copy(1)))
    await world.store.put(review.changed(unit_id=None))  # the unit id was never recorded
    world.now += timedelta(seconds=31)
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).unit_id == "unit-1"
    assert len(world.crowd.units) == 1


async def test_judgments_for_an_unknown_submission_are_ignored(world):
    assert await world.receive_unit(unit_for("nobody", judgments(5))) == "ignored"
    assert world.queues.verdicts == []


async def test_a_slot_shows_its_approved_photos_best_score_first(world):
    for sid, mimic in (("s1", 4), ("s2", 5), ("s3", 1)):
        await world.moderator.ingest(world.submission(sid, good_copy(1)))
        await world.receive_unit(unit_for(sid, judgments(mimic)))
    shown = await world.moderator.of_slot("demo", 3)
    assert [(r.submission_id, r.score) for r in shown] == [("s2", 1.0), ("s1", 0.75)]
    assert await world.moderator.of_slot("demo", 4) == []


async def test_an_unknown_review_is_not_found(world):
    with pytest.raises(NotFound):
        await world.moderator.review("nobody")


async def test_a_recreated_moderation_queue_has_its_unreviewed_submissions_reviewed(world):
    guard, watch, store = lost_queue_guard(world)
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    world.submission("s2", good_copy(1))  # stored, but its message was lost
    for sid in ("s1", "s2"):
        record = SubmissionRecord.model_validate(world.submission(sid, good_copy(1)).model_dump())
        await store.put_record(submission_record_key(sid), record)
    assert await guard.check() == {}, "the first look only remembers the queues"
    watch.fixed["moderation"] = "created-again"
    assert await guard.check() == {"moderation": 1}
    assert (await world.moderator.review("s2")).status == "pending"
    assert await guard.check() == {}


async def test_a_recreated_render_queue_has_every_approval_announced_again(world):
    guard, watch, _ = lost_queue_guard(world)
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    await world.receive_unit(unit_for("s1", judgments(5)))
    await guard.check()
    watch.fixed["render"] = "created-again"
    assert await guard.check() == {"render": 1}
    assert [v.submission_id for v in world.queues.verdicts] == ["s1", "s1"]


async def test_a_recreated_render_queue_hears_every_takedown_again(world):
    guard, watch, _ = lost_queue_guard(world)
    for sid in ("s1", "s2"):
        await world.moderator.ingest(world.submission(sid, good_copy(1)))
        await world.receive_unit(unit_for(sid, judgments(5)))
    await world.moderator.takedown("s2")
    await guard.check()
    world.queues.verdicts.clear()
    watch.fixed["render"] = "created-again"
    assert await guard.check() == {"render": 2}
    told = {(v.submission_id, v.verdict) for v in world.queues.verdicts}
    assert told == {("s1", "approved"), ("s2", "rejected")}


def lost_queue_guard(world):
    watch = FakeFramesTransport(fixed={"moderation": "created-1", "render": "created-1"})
    store = MemoryObjectStore()
    guard = TransportGuard(
        world.moderator, world.slots, watch, store, QueueNames("moderation", "render")
    )
    return guard, watch, store


async def test_a_unit_is_ordered_once_its_job_has_gold_and_gold_is_made_once_per_job(world):
    first = await world.moderator.ingest(world.submission("s1", good_copy(1)))
    await world.moderator.ingest(world.submission("s2", good_copy(1)))
    assert first.unit_ordered_at == NOW
    assert world.crowd.ordered == 2
    assert sorted(g.name for g in world.crowd.gold.values()) == [
        "copy-0",
        "copy-1",
        "noise-0",
        "noise-1",
    ]
    assert world.crowd.jobs_created == 1
    copy = next(g for g in world.crowd.gold.values() if g.name == "copy-0")
    assert copy.answers == {"mimic_gold": "4\n5", "nudity_gold": "no", "trying_gold": "yes"}
    assert copy.original_url == f"http://media.test/{original_key('demo', 3)}?expires=600"


async def test_gold_photo_urls_are_reissued_once_half_their_lifetime_has_passed(world):
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    world.now += timedelta(seconds=200)
    await world.moderator.ingest(world.submission("s2", good_copy(1)))
    assert world.crowd.gold_refreshed == []
    world.now += timedelta(seconds=101)
    await world.moderator.ingest(world.submission("s3", good_copy(1)))
    assert sorted(world.crowd.gold_refreshed) == sorted(world.crowd.gold)
    assert len(world.crowd.gold) == 4


async def test_an_unfunded_order_leaves_the_review_pending_with_a_reason_until_reconcile(world):
    world.crowd.funds_units = 0
    review = await world.moderator.ingest(world.submission("s1", good_copy(1)))
    assert (review.status, review.reasons, review.unit_ordered_at) == (
        "pending",
        ("crowd_funds_short",),
        None,
    )
    assert review_view(review).reasons == ["crowd_funds_short"]
    world.crowd.funds_units = None
    world.now += timedelta(seconds=31)
    await world.moderator.reconcile()
    ordered = await world.moderator.review("s1")
    assert (ordered.reasons, ordered.unit_ordered_at) == ((), world.now)
    assert world.crowd.ordered == 1
    await world.moderator.reconcile()
    assert world.crowd.ordered == 1


async def test_an_order_that_failed_while_the_crowd_was_down_is_placed_by_reconcile(world):
    world.crowd.orders_down = True
    review = await world.moderator.ingest(world.submission("s1", good_copy(1)))
    assert (review.unit_id, review.unit_ordered_at, review.reasons) == ("unit-1", None, ())
    world.crowd.orders_down = False
    await world.moderator.reconcile()
    assert world.crowd.ordered == 0  # the ingest may still be ordering: wait out the grace
    world.now += timedelta(seconds=31)
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).unit_ordered_at == world.now
    assert world.crowd.ordered == 1


async def test_the_job_of_a_video_is_remembered_so_a_restart_does_not_look_it_up():
    jobs = FakeCrowdJobs()
    first, second = World(crowd_jobs=jobs), World(crowd_jobs=jobs)
    await first.moderator.ingest(first.submission("s1", good_copy(1)))
    await second.moderator.ingest(second.submission("s2", good_copy(1)))
    assert (first.crowd.jobs_created, second.crowd.jobs_created) == (1, 0)
    assert second.crowd.gold == {}  # the job's gold was made once, by the first


async def test_new_judgments_of_many_units_decide_each_submission_once(world):
    await world.moderator.ingest(world.submission("s1", good_copy(1)))
    await world.moderator.ingest(world.submission("s2", good_copy(1)))
    units = [
        UnitJudgments("u1", "s1", tuple(judgments(5))),
        UnitJudgments("u2", "s2", tuple(judgments(1, count=2))),
        UnitJudgments("u3", "nobody", tuple(judgments(5))),
    ]
    assert await world.receive_judgments(units) == "decided"
    assert (await world.moderator.review("s1")).status == "approved"
    assert (await world.moderator.review("s2")).status == "pending"
    assert await world.receive_judgments(units[:1]) == "ignored"
    assert len(world.queues.verdicts) == 1


async def test_a_unit_ordered_after_a_long_wait_gets_fresh_photo_urls_first(world):
    world.crowd.funds_units = 0
    review = await world.moderator.ingest(world.submission("s1", good_copy(1)))
    world.now += timedelta(seconds=31)
    await world.moderator.reconcile()  # refused again: URLs still young, kept
    assert world.crowd.units_refreshed == []
    world.crowd.funds_units = None
    world.now += timedelta(seconds=270)  # past half of photo_url_seconds (600)
    await world.moderator.reconcile()
    assert world.crowd.units_refreshed == [review.unit_id]
    assert world.crowd.ordered == 1


async def test_a_unit_whose_order_a_leftover_unit_took_is_ordered_again_by_reconcile(world):
    # A unit left over from a crash is older, so the next order (one unit, the oldest
    # new one, as v1 orders) takes it instead of the unit it was placed for.
    await world.crowd.create_unit(
        "job-demo", UnitRequest("s1", "http://media.test/a", "http://media.test/b")
    )
    review = await world.moderator.ingest(world.submission("s1", good_copy(1)))
    assert world.crowd.states[review.unit_id] == "new"
    await world.moderator.reconcile()
    assert world.crowd.states[review.unit_id] == "new"  # within the grace: left alone
    world.now += timedelta(seconds=31)
    await world.moderator.reconcile()
    assert world.crowd.states[review.unit_id] == "judgable"
    assert (await world.moderator.review("s1")).unit_ordered_at == world.now
    world.now += timedelta(seconds=31)
    await world.moderator.reconcile()
    assert world.crowd.ordered == 2  # ordered, so never again
