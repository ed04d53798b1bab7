"""A photo the local MTurk's workers could not load is never judged: moderation's use
cases over aioboto3's real ``mturk`` client (``MturkCrowd``), the real local MTurk
process and moto's S3.

The HIT is created while its photo loads, then the photo's object is gone (an S3 blip)
before the workers look: they press the page's "the photo does not load" button,
nothing is rejected, and the HIT is not topped up while the photo still does not load.
Once the object is back, reconcile tops the HIT up and the near-copy is approved.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from services.ingest.keys import renditions_of
from services.moderation.crowd import CrowdChoice
from services.moderation.crowd.adapters.links import HttpLinkProbe
from services.moderation.crowd.links import PhotoLinks
from services.moderation.crowd.mturk.adapters.api import MturkCrowd
from services.moderation.crowd.mturk.hits import UNSEEN, Fees, TopUpRules, parse_answers
from services.moderation.crowd.mturk.work import HitPlan, HitWork
from services.moderation.reviews.moderator import ModerationPolicy, Moderator
from services.moderation.reviews.review import Review
from services.moderation.reviews.screening import ScreeningRules
from services.moderation.reviews.verdicts import VerdictRules
from shared.aws import AwsClients
from shared.messages import SubmissionIngested, utcnow
from shared.metrics import Tally
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
from tests.integration.test_mturk_adapter import SUBMIT, answered, crowd
from tests.mturk_process import mturk_server
from tests.pictures import good_copy, jpeg, original_frame

__all__ = ["crowd"]  # the adapter test's fixture, aimed at this module's local MTurk
WAIT_SECONDS = 40.0
JPEG = "image/jpeg"


@pytest.fixture(scope="module")
def mturk_endpoint(output_dir: Path, moto_endpoint: str) -> Iterator[str]:
    # Workers look a second after a HIT is created: time enough to take the photo away.
    workers = {
        "untrusted_share": 0.0,
        "careless_share": 0.0,
        "judgment_delay_seconds": 1.0,
        "judgment_jitter_seconds": 0,
        "assignment_gap_seconds": 0.05,
    }
    with mturk_server(
        output_dir / "mturk-unseen.log", sqs_endpoint_url=moto_endpoint, seed=31, **workers
    ) as url:
        yield url


@pytest.fixture
def aws_backend() -> str:
    return "moto"


class World:
    """Moderation over the real MTurk adapter, link probe and S3; the rest in memory."""

    def __init__(self, crowd: MturkCrowd, probe: HttpLinkProbe, photos: S3ObjectStore):
        self.store, self.queues, self.tally = FakeReviewStore(), FakeQueues(), Tally()
        self.photos, self.crowd = photos, crowd
        rules = VerdictRules()
        plan = HitPlan(
            assignments=3,
            reward=Decimal("0.05"),
            fees=Fees(),
            submit_url=SUBMIT,
            photo_url_seconds=7200,
            verdict_rules=rules,
            top_up=TopUpRules(max_assignments=9, lifetime_seconds=3600),
        )
        self.hits = HitWork(
            crowd,
            FakeCrowdJobs(),
            photos,
            FakeWorkerTrust(),
            FakeCrowdSpend(),
            self.store,
            plan,
            utcnow,
            healings=fake_healings(self.tally),
            links=PhotoLinks(probe, self.tally),
        )
        crowdflower = crowdflower_over(FakeCrowd(), self.store, photos, utcnow)
        slots = FakeSlotRegistry()
        slots.add("demo", 10)
        self.moderator = Moderator(
            self.store,
            slots,
            CrowdChoice({"crowdflower": crowdflower, "mturk": self.hits}, "mturk"),
            photos,
            self.queues,
            # A HIT not created is created by the next reconcile pass after a second.
            ModerationPolicy(rules, ScreeningRules(), outbox_grace_seconds=1),
        )

    async def submit(self, sid: str) -> Review:
        renditions = renditions_of(sid)
        await self.photos.put(renditions.medium, good_copy(2), JPEG)
        await self.photos.put(original_key("demo", 2), jpeg(original_frame(2)), JPEG)
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

    async def reconcile_until(self, sid: str, done: Callable[[Review], bool]) -> Review:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            await self.moderator.reconcile()
            review = await self.moderator.review(sid)
            if done(review):
                return review
            await asyncio.sleep(0.5)
        raise AssertionError(f"{sid} not done after {WAIT_SECONDS} s: {review}")


async def test_a_hit_nobody_could_see_is_topped_up_once_the_photo_loads_and_approved(
    crowd: MturkCrowd, aws: AwsClients, aws_fields: dict[str, object]
):
    photos = S3ObjectStore(aws.s3, str(aws_fields["media_bucket"]))
    async with httpx.AsyncClient() as probing:
        world = World(crowd, HttpLinkProbe(probing, 5.0), photos)
        hit_id = str((await world.submit("unseen-hit-1")).unit_id)
        medium = renditions_of("unseen-hit-1").medium
        await photos.delete([medium])  # the store blinks before the workers look

        blind = await answered(crowd, hit_id, 3)
        assert [parse_answers(a.answer) for a in blind] == [UNSEEN] * 3
        for _ in range(3):
            await world.moderator.reconcile()
        waiting = await world.moderator.review("unseen-hit-1")
        assert (waiting.status, waiting.rounds, waiting.hit_assignments) == ("pending", 0, 3)
        assert sum(not j.loads for j in waiting.judgments) == 3
        assert world.queues.verdicts == []
        assert world.tally.value("ofof_photo_links_down") >= 1
        assert (await crowd.hit_state(hit_id)).max_assignments == 3

        await photos.put(medium, good_copy(2), JPEG)  # the store is back
        decided = await world.reconcile_until("unseen-hit-1", lambda r: not r.is_pending)
    assert (decided.status, decided.rounds, decided.hit_assignments) == ("approved", 1, 6)
    assert decided.judgment_count == 3
    assert [v.verdict for v in world.queues.verdicts] == ["approved"]
    work = await crowd.assignments(hit_id)
    assert len({a.worker_id for a in work}) == 6


async def test_a_hit_is_not_created_while_its_original_does_not_load_and_is_once_it_does(
    crowd: MturkCrowd, aws: AwsClients, aws_fields: dict[str, object]
):
    photos = S3ObjectStore(aws.s3, str(aws_fields["media_bucket"]))
    async with httpx.AsyncClient() as probing:
        world = World(crowd, HttpLinkProbe(probing, 5.0), photos)
        original = original_key("demo", 5)
        await photos.delete([original])
        renditions = renditions_of("unseen-hit-2")
        await photos.put(renditions.medium, good_copy(2), JPEG)
        message = SubmissionIngested(
            submission_id="unseen-hit-2",
            video="demo",
            frame=5,
            client_id="c",
            renditions=renditions,
            width=320,
            height=180,
            created_at=utcnow(),
        )
        held = await world.moderator.ingest(message)
        assert (held.status, held.unit_id) == ("pending", None)
        assert world.tally.value("ofof_photo_links_down") == 1
        await asyncio.sleep(1.2)
        await world.moderator.reconcile()  # still missing: still no HIT
        assert (await world.moderator.review("unseen-hit-2")).unit_id is None

        await photos.put(original, jpeg(original_frame(2)), JPEG)
        asked = await world.reconcile_until("unseen-hit-2", lambda r: r.unit_id is not None)
    assert (await crowd.hit_state(str(asked.unit_id))).max_assignments == 3
