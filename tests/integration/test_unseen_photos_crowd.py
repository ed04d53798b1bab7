"""A photo the local crowd's workers could not load is never judged: moderation's use
cases over the real Crowdflower client, the real local crowd process and moto's S3.

The submission's photo is ordered while it loads, then its object is gone (an S3 blip)
before the workers look: they answer "the photo does not load", nothing is rejected,
and the photo is not asked again while it still does not load. Once the object is
back, reconcile asks again with a new unit and the near-copy is approved.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from services.ingest.keys import renditions_of
from services.moderation.crowd import CrowdChoice
from services.moderation.crowd.adapters.links import HttpLinkProbe
from services.moderation.crowd.crowdflower.adapters.api import CrowdflowerClient, JobSpec
from services.moderation.crowd.crowdflower.crowd import CrowdflowerCrowd
from services.moderation.crowd.crowdflower.second_look import SecondLook
from services.moderation.crowd.crowdflower.work import CrowdWork
from services.moderation.crowd.links import PhotoLinks
from services.moderation.reviews.moderator import ModerationPolicy, Moderator
from services.moderation.reviews.review import Review
from services.moderation.reviews.screening import ScreeningRules
from services.moderation.reviews.verdicts import VerdictRules
from shared.aws import AwsClients
from shared.messages import SubmissionIngested, utcnow
from shared.metrics import Tally
from shared.objects import S3ObjectStore
from shared.records import original_key
from tests.crowd_process import crowd_server
from tests.fakes.moderation import (
    FakeCrowdJobs,
    FakeQueues,
    FakeReviewStore,
    FakeSlotRegistry,
    fake_healings,
)
from tests.pictures import good_copy, jpeg, original_frame

KEY = "unseen-crowd-key"
WAIT_SECONDS = 40.0
JPEG = "image/jpeg"


@pytest.fixture(scope="module")
def crowd_url(output_dir: Path) -> Iterator[str]:
    # Workers look a second after an order: time enough to take the photo away first.
    settings = {
        "judgment_delay_seconds": 1.0,
        "judgment_jitter_seconds": 0.1,
        "seed": 8,
        "untrusted_share": 0.0,
        "careless_share": 0.0,
    }
    with crowd_server(KEY, output_dir / "crowd-unseen.log", **settings) as url:
        yield url


@pytest.fixture
def aws_backend() -> str:
    return "moto"


@pytest.fixture
async def http(crowd_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=crowd_url, timeout=5.0) as client:
        yield client


class World:
    """Moderation over the real crowd client, link probe and S3; reviews in memory."""

    def __init__(self, http: httpx.AsyncClient, probe: HttpLinkProbe, photos: S3ObjectStore):
        self.store, self.queues, self.tally = FakeReviewStore(), FakeQueues(), Tally()
        self.photos = photos
        spec = JobSpec(title_prefix="Unseen", judgments_per_unit=3, webhook_uri="")
        self.client = CrowdflowerClient(http, SecretStr(KEY), spec)
        links = PhotoLinks(probe, self.tally)
        work = CrowdWork(
            self.client,
            FakeCrowdJobs(),
            photos,
            units_per_assignment=1,
            photo_url_seconds=3600,
            clock=utcnow,
            healings=fake_healings(self.tally),
            links=links,
        )
        rules = VerdictRules()
        again = SecondLook(self.client, work, self.store, rules, links=links, observer=self.tally)
        # A unit left unordered is ordered by the next reconcile pass after a second.
        crowd = CrowdflowerCrowd(
            self.client, work, self.store, grace_seconds=1, clock=utcnow, second_look=again
        )
        slots = FakeSlotRegistry()
        slots.add("demo", 10)
        self.moderator = Moderator(
            self.store,
            slots,
            CrowdChoice({"crowdflower": crowd}, "crowdflower"),
            photos,
            self.queues,
            ModerationPolicy(rules, ScreeningRules()),
        )

    async def submit(self, sid: str, frame: int = 2, *, with_original: bool = True) -> Review:
        renditions = renditions_of(sid)
        await self.photos.put(renditions.medium, good_copy(2), JPEG)
        if with_original:
            await self.photos.put(original_key("demo", frame), jpeg(original_frame(2)), JPEG)
        message = SubmissionIngested(
            submission_id=sid,
            video="demo",
            frame=frame,
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


def unseen_count(review: Review) -> int:
    return sum(not j.loads for j in review.judgments)


async def test_a_photo_that_did_not_load_is_asked_again_and_a_near_copy_approved(
    http: httpx.AsyncClient, aws: AwsClients, aws_fields: dict[str, object]
):
    photos = S3ObjectStore(aws.s3, str(aws_fields["media_bucket"]))
    async with httpx.AsyncClient() as probing:
        world = World(http, HttpLinkProbe(probing, 5.0), photos)
        ordered = await world.submit("unseen-1")
        assert ordered.unit_ordered_at is not None and ordered.reasons == ()
        medium = renditions_of("unseen-1").medium
        await photos.delete([medium])  # the store blinks before the workers look

        blind = await world.reconcile_until("unseen-1", lambda r: unseen_count(r) >= 3)
        assert blind.status == "pending" and world.queues.verdicts == []
        assert all(not j.loads for j in blind.judgments)
        await world.moderator.reconcile()  # finalized, but the photo still does not load
        waiting = await world.moderator.review("unseen-1")
        assert (waiting.status, waiting.rounds, waiting.unit_id) == ("pending", 0, blind.unit_id)
        assert world.tally.value("ofof_photo_links_down") >= 1

        await photos.put(medium, good_copy(2), JPEG)  # the store is back
        decided = await world.reconcile_until("unseen-1", lambda r: not r.is_pending)
    assert (decided.status, decided.rounds, decided.unit_round) == ("approved", 1, 1)
    assert decided.unit_id != blind.unit_id
    assert decided.judgment_count >= 3
    assert [v.verdict for v in world.queues.verdicts] == ["approved"]
    assert world.tally.value("ofof_photos_asked_again") == 1
    data = await world.client.find_asked(str(decided.job_id), "unseen-1", 1)
    assert data == decided.unit_id


async def test_a_unit_whose_original_does_not_load_is_not_ordered_until_it_does(
    http: httpx.AsyncClient, aws: AwsClients, aws_fields: dict[str, object]
):
    photos = S3ObjectStore(aws.s3, str(aws_fields["media_bucket"]))
    async with httpx.AsyncClient() as probing:
        world = World(http, HttpLinkProbe(probing, 5.0), photos)
        original = original_key("demo", 4)
        await photos.delete([original])  # the pre-screen goes on without it, unscored
        held = await world.submit("unseen-2", frame=4, with_original=False)
        assert (held.unit_ordered_at, held.reasons) == (None, ("photo_link_down",))
        assert await world.client.unit_state(str(held.job_id), str(held.unit_id)) == "new"
        await asyncio.sleep(1.5)
        assert await world.client.judgments(str(held.job_id), str(held.unit_id)) == []

        await photos.put(original, jpeg(original_frame(2)), JPEG)
        ordered = await world.reconcile_until("unseen-2", lambda r: r.unit_ordered_at is not None)
    assert ordered.reasons == ()
    assert await world.client.unit_state(str(ordered.job_id), str(ordered.unit_id)) != "new"
