"""Moderation with Mechanical Turk as its crowd, over in-memory fakes of every port."""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.ingest.keys import renditions_of
from services.moderation.crowd import CrowdChoice
from services.moderation.crowd.mturk.consumers import notification_handler
from services.moderation.crowd.mturk.hits import Fees, TopUpRules
from services.moderation.crowd.mturk.work import HitPlan, HitWork
from services.moderation.reviews.moderator import ModerationPolicy, Moderator
from services.moderation.reviews.ports import Outcome
from services.moderation.reviews.screening import ScreeningRules
from services.moderation.reviews.verdicts import VerdictRules
from shared.messages import SubmissionIngested
from shared.records import original_key
from tests.fakes.moderation import (
    FakeCrowd,
    FakeCrowdJobs,
    FakeCrowdSpend,
    FakeHitCrowd,
    FakePhotos,
    FakeQueues,
    FakeReviewStore,
    FakeSlotRegistry,
    FakeWorkerTrust,
    answer_xml,
    crowdflower_over,
    fake_healings,
)
from tests.pictures import good_copy, jpeg, original_frame

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class World:
    def __init__(
        self,
        approve_all: bool = False,
        top_up: TopUpRules | None = None,
        clock: Callable[[], datetime] = lambda: NOW,
    ) -> None:
        self.store, self.slots, self.crowd = FakeReviewStore(), FakeSlotRegistry(), FakeCrowd()
        self.slots.add("demo", 10)
        self.photos, self.queues = FakePhotos(), FakeQueues()
        self.photos.objects[original_key("demo", 3)] = jpeg(original_frame(1))
        self.mturk, self.trust, self.spend = FakeHitCrowd(), FakeWorkerTrust(), FakeCrowdSpend()
        plan = HitPlan(
            assignments=3,
            reward=Decimal("0.05"),
            fees=Fees(),
            submit_url="https://workersandbox.mturk.com/mturk/externalSubmit",
            # The question's photo URLs live 7 days: long enough for an expired HIT's new life.
            photo_url_seconds=7 * 24 * 3600,
            verdict_rules=VerdictRules(),
            approve_all=approve_all,
            top_up=top_up or TopUpRules(),
        )
        self.hits = HitWork(
            self.mturk,
            FakeCrowdJobs(),
            self.photos,
            self.trust,
            self.spend,
            self.store,
            plan,
            clock,
            healings=fake_healings(),
        )
        crowdflower = crowdflower_over(self.crowd, self.store, self.photos, clock)
        self.moderator = Moderator(
            self.store,
            self.slots,
            CrowdChoice({"crowdflower": crowdflower, "mturk": self.hits}, "mturk"),
            self.photos,
            self.queues,
            ModerationPolicy(VerdictRules(), ScreeningRules()),
            clock=clock,
        )

    async def receive_hit(self, hit_id: str) -> Outcome:
        """A notified HIT's answers, handed over as the notifications consumer does."""
        return await self.hits.collect(hit_id, self.moderator.receive)

    def submission(self, sid: str) -> SubmissionIngested:
        renditions = renditions_of(sid)
        self.photos.objects[renditions.medium] = good_copy(1)
        return SubmissionIngested(
            submission_id=sid,
            video="demo",
            frame=3,
            client_id="c",
            renditions=renditions,
            width=320,
            height=180,
            created_at=NOW,
        )


@pytest.fixture
def world() -> World:
    return World()


def notification(doc: str, hit_id: str) -> str:
    return (
        f'{{"EventDocId": "{doc}", "EventDocVersion": "2014-08-15", "Events": '
        f'[{{"EventType": "AssignmentSubmitted", "HITId": "{hit_id}", "AssignmentId": "x"}}]}}'
    )


async def test_a_submission_gets_one_hit_of_its_videos_type_with_its_cost(world):
    message = world.submission("s1")
    first = await world.moderator.ingest(message)
    again = await world.moderator.ingest(message)
    assert (first.crowd, first.job_id, first.unit_id) == ("mturk", "type-demo", "HIT1")
    assert again.unit_id == "HIT1"
    assert len(world.mturk.hits) == 1
    assert world.mturk.listening == ["type-demo"]
    assert first.crowd_cost == "0.18"
    question = world.mturk.hits["HIT1"].question
    assert "submissions/s1/medium.jpg" in question
    assert original_key("demo", 3) in question
    spent = await world.moderator.spend("demo")
    assert (spent.total, spent.hits) == (Decimal("0.18"), 1)


async def test_three_agreeing_answers_approve_and_pay_the_workers(world):
    await world.moderator.ingest(world.submission("s1"))
    for worker in ("w1", "w2", "w3"):
        world.mturk.answer("HIT1", worker, answer_xml("no", "5", "yes"))
    assert await world.receive_hit("HIT1") == "decided"
    review = await world.moderator.review("s1")
    assert (review.status, review.judgment_count) == ("approved", 3)
    assert len(world.mturk.approved) == 3
    assert world.mturk.closed == ["HIT1"]
    assert review.open_steps() == []
    assert [v.verdict for v in world.queues.verdicts] == ["approved"]
    assert world.trust.counts == {"w1": (1, 1), "w2": (1, 1), "w3": (1, 1)}


async def test_a_dissenter_is_left_to_auto_approval_and_a_contradiction_rejected(world):
    await world.moderator.ingest(world.submission("s1"))
    agree = [world.mturk.answer("HIT1", w, answer_xml("no", "4", "yes")) for w in ("w1", "w2")]
    dissent = world.mturk.answer("HIT1", "w3", answer_xml("no", "1", "no"))
    contradiction = world.mturk.answer("HIT1", "w4", answer_xml("no", "5", "no"))
    assert await world.receive_hit("HIT1") == "decided"
    assert sorted(world.mturk.approved) == sorted(a.assignment_id for a in agree)
    assert list(world.mturk.rejected) == [contradiction.assignment_id]
    assert "contradict" in world.mturk.rejected[contradiction.assignment_id]
    assert dissent.assignment_id not in world.mturk.approved
    assert world.trust.counts["w3"] == (0, 1)


async def test_a_malformed_answer_is_recorded_on_the_review_and_not_counted(world):
    await world.moderator.ingest(world.submission("s1"))
    world.mturk.answer("HIT1", "w1", answer_xml("no", "5", "yes"))
    bad = world.mturk.answer("HIT1", "w2", "<QuestionFormAnswers><oops")
    assert await world.receive_hit("HIT1") == "pending"
    review = await world.moderator.review("s1")
    assert review.status == "pending"
    assert review.judgments and len(review.judgments) == 1
    assert review.crowd_errors is not None
    assert f"assignment {bad.assignment_id}: malformed answer" in review.crowd_errors


async def test_a_duplicate_notification_is_skipped_and_a_lost_one_healed_by_reconcile(world):
    await world.moderator.ingest(world.submission("s1"))
    handle = notification_handler(world.hits, world.moderator.receive)
    world.mturk.answer("HIT1", "w1", answer_xml())
    await handle(notification("doc-1", "HIT1"))
    await handle(notification("doc-1", "HIT1"))
    assert len((await world.moderator.review("s1")).judgments) == 1
    # The other two notifications are lost: reconcile pages the reviewable HITs.
    world.mturk.answer("HIT1", "w2", answer_xml())
    world.mturk.answer("HIT1", "w3", answer_xml())
    world.mturk.reviewable.append("HIT1")
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).status == "approved"
    assert world.mturk.reviewable == []


async def test_mturk_down_leaves_the_review_pending_for_reconcile(world):
    world.mturk.down = True
    review = await world.moderator.ingest(world.submission("s1"))
    assert (review.status, review.unit_id) == ("pending", None)
    world.mturk.down = False
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).unit_id is None  # within the grace period
    assert world.crowd.units == {}


async def test_a_notification_about_a_strangers_hit_is_ignored(world):
    assert await world.receive_hit("HIT-NOT-OURS") == "ignored"


async def test_approve_all_pays_every_readable_assignment():
    world = World(approve_all=True)
    await world.moderator.ingest(world.submission("s1"))
    for worker in ("w1", "w2", "w3"):
        world.mturk.answer("HIT1", worker, answer_xml("no", "4", "yes"))
    world.mturk.answer("HIT1", "w4", answer_xml("no", "1", "no"))
    await world.receive_hit("HIT1")
    assert len(world.mturk.approved) == 4
