"""Moderation's reconcile tops up a HIT short of quorum on the local MTurk, through
aioboto3's real ``mturk`` client (``MturkCrowd``), the photos on the moto server's S3.

The local MTurk's first taker of each HIT returns it unsubmitted (``returns_per_hit``),
so a HIT of 3 gets 2 answers; the test then ends the HIT's life (as its lifetime would,
``UpdateExpirationForHIT`` to a time past). Reconcile gives it a new life (its third
assignment was never worked), a new worker answers, and the review is decided once.
With a trust bar nobody reaches, reconcile adds assignments until the cap, then leaves
the review to an operator.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from services.ingest.keys import renditions_of
from services.moderation.crowd import CrowdChoice
from services.moderation.crowd.mturk.adapters.api import MturkCrowd
from services.moderation.crowd.mturk.hits import Fees, TopUpRules
from services.moderation.crowd.mturk.work import HitPlan, HitWork
from services.moderation.reviews.moderator import ModerationPolicy, Moderator
from services.moderation.reviews.review import REASON_SHORT_AT_CAP, Review
from services.moderation.reviews.screening import ScreeningRules
from services.moderation.reviews.verdicts import VerdictRules
from shared.aws import AwsClients
from shared.messages import SubmissionIngested, utcnow
from shared.objects import S3ObjectStore
from shared.records import original_key
from tests.fakes.moderation import (
    FakeCrowd,
    FakeCrowdJobs,
    FakeCrowdSpend,
    FakeQueues,
    FakeReviewStore,
    FakeSlotRegistry,
    FakeWorkerTrust,
    crowdflower_over,
    fake_healings,
)
from tests.integration.test_mturk_adapter import FAST, SUBMIT, answered, crowd
from tests.mturk_process import mturk_server
from tests.pictures import good_copy, jpeg, original_frame

__all__ = ["crowd"]  # the adapter test's fixture, aimed at this module's local MTurk
WAIT_SECONDS = 30.0


@pytest.fixture(scope="module")
def mturk_endpoint(output_dir: Path, moto_endpoint: str) -> Iterator[str]:
    workers = {"untrusted_share": 0.0, "careless_share": 0.0, "returns_per_hit": 1}
    with mturk_server(
        output_dir / "mturk-topup.log", sqs_endpoint_url=moto_endpoint, seed=23, **workers, **FAST
    ) as url:
        yield url


@pytest.fixture
def aws_backend() -> str:
    return "moto"


class World:
    """Moderation over the real MTurk adapter and S3; reviews and the rest in memory."""

    def __init__(self, crowd: MturkCrowd, aws: AwsClients, bucket: str, rules: VerdictRules):
        self.store, self.queues, self.spend = FakeReviewStore(), FakeQueues(), FakeCrowdSpend()
        self.photos = S3ObjectStore(aws.s3, bucket)
        slots = FakeSlotRegistry()
        slots.add("demo", 10)
        plan = HitPlan(
            assignments=3,
            reward=Decimal("0.05"),
            fees=Fees(),
            submit_url=SUBMIT,
            photo_url_seconds=7200,
            verdict_rules=rules,
            top_up=TopUpRules(max_assignments=5, lifetime_seconds=3600),
        )
        self.hits = HitWork(
            crowd,
            FakeCrowdJobs(),
            self.photos,
            FakeWorkerTrust(),
            self.spend,
            self.store,
            plan,
            utcnow,
            healings=fake_healings(),
        )
        crowdflower = crowdflower_over(FakeCrowd(), self.store, self.photos, utcnow)
        self.moderator = Moderator(
            self.store,
            slots,
            CrowdChoice({"crowdflower": crowdflower, "mturk": self.hits}, "mturk"),
            self.photos,
            self.queues,
            ModerationPolicy(rules, ScreeningRules()),
        )
        self.crowd = crowd

    async def submit(self, sid: str) -> Review:
        renditions = renditions_of(sid)
        await self.photos.put(renditions.medium, good_copy(2), "image/jpeg")
        await self.photos.put(original_key("demo", 2), jpeg(original_frame(2)), "image/jpeg")
        message = SubmissionIngested(
            submission_id=sid,
            video="demo",
            frame=2,
            client_id="c",
            renditions=renditions,
            width=320,
            height=180,
            created_at=utcnow(),
        )
        return await self.moderator.ingest(message)

    async def short_and_expired(self, hit_id: str) -> None:
        """Two answers in, the first taker's assignment returned; the HIT's life ends."""
        await answered(self.crowd, hit_id, 2)
        await asyncio.sleep(1.0)
        assert len(await self.crowd.assignments(hit_id)) == 2
        await self.crowd.extend(hit_id, utcnow() - timedelta(hours=1))

    async def reconcile_until(self, sid: str, done: Callable[[Review], bool]) -> Review:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            await self.moderator.reconcile()
            review = await self.moderator.review(sid)
            if done(review):
                return review
            await asyncio.sleep(0.5)
        raise AssertionError(f"{sid} not done after {WAIT_SECONDS} s: {review}")


async def test_a_hit_short_of_quorum_gets_a_new_life_and_the_review_is_decided_once(
    crowd: MturkCrowd, aws: AwsClients, aws_fields: dict[str, object]
):
    world = World(crowd, aws, str(aws_fields["media_bucket"]), VerdictRules())
    hit_id = str((await world.submit("topup-1")).unit_id)
    await world.short_and_expired(hit_id)
    review = await world.reconcile_until("topup-1", lambda r: not r.is_pending)
    for _ in range(2):
        await world.moderator.reconcile()
    assert [v.submission_id for v in world.queues.verdicts] == ["topup-1"]
    assert (review.topup_rounds, review.hit_assignments, review.judgment_count) == (1, 3, 3)
    work = await crowd.assignments(hit_id)
    assert len(work) == 3 and len({a.worker_id for a in work}) == 3
    assert (await crowd.hit_state(hit_id)).max_assignments == 3


async def test_a_hit_that_cannot_reach_a_quorum_gets_assignments_until_the_cap(
    crowd: MturkCrowd, aws: AwsClients, aws_fields: dict[str, object]
):
    # New workers start at trust 0.8: a bar of 0.9 counts nobody.
    world = World(crowd, aws, str(aws_fields["media_bucket"]), VerdictRules(min_worker_trust=0.9))
    hit_id = str((await world.submit("topup-2")).unit_id)
    await world.short_and_expired(hit_id)
    review = await world.reconcile_until("topup-2", lambda r: r.reasons == (REASON_SHORT_AT_CAP,))
    assert (review.status, review.topup_rounds, review.hit_assignments) == ("pending", 1, 5)
    assert (await crowd.hit_state(hit_id)).max_assignments == 5
    work = await crowd.assignments(hit_id)
    assert len(work) == 5 and len({a.worker_id for a in work}) == 5
    # 5 assignments of $0.05 plus MTurk's 20 % (at least a cent each).
    assert review.crowd_cost == "0.30"
    assert (await world.moderator.spend("demo")).total == Decimal("0.30")
    assert world.queues.verdicts == []
