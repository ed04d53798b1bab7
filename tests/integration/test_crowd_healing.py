"""Moderation heals crowd work the platform forgot, against the real stand-ins: the local
crowd and the local MTurk are stopped and started again empty on the same port (a
platform that lost its jobs and HITs), the reviews and job records in DynamoDB (moto).

A photo pending on the forgotten job or HIT and a new photo are both judged on a new
job or HIT, each asked once however many reconcile passes (and replicas) run.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import aioboto3
import httpx
import pytest
from pydantic import SecretStr

from services.ingest.keys import renditions_of
from services.moderation.crowd import CrowdChoice
from services.moderation.crowd.adapters.dynamo_jobs import DynamoCrowdJobs, DynamoHealCounts
from services.moderation.crowd.crowdflower.adapters.api import CrowdflowerClient, JobSpec
from services.moderation.crowd.crowdflower.crowd import CrowdflowerCrowd
from services.moderation.crowd.crowdflower.work import CrowdWork
from services.moderation.crowd.healing import Healings
from services.moderation.crowd.jobs import CrowdJob
from services.moderation.crowd.mturk.adapters.api import HitTerms, MturkCrowd
from services.moderation.crowd.mturk.hits import Fees
from services.moderation.crowd.mturk.work import HitPlan, HitWork
from services.moderation.reviews.adapters.dynamo import DynamoReviewStore
from services.moderation.reviews.moderator import ModerationPolicy, Moderator
from services.moderation.reviews.ports import Crowd
from services.moderation.reviews.review import Review
from services.moderation.reviews.screening import ScreeningRules
from services.moderation.reviews.verdicts import VerdictRules
from shared.aws import AwsClients
from shared.messages import SubmissionIngested, utcnow
from shared.metrics import Tally
from shared.objects import S3ObjectStore
from shared.records import original_key
from tests.crowd_process import crowd_server
from tests.fakes.moderation import FakeCrowdSpend, FakeQueues, FakeSlotRegistry, FakeWorkerTrust
from tests.integration.test_mturk_adapter import FAST, SUBMIT
from tests.mturk_process import MTURK_KEY_ID, MTURK_SECRET, mturk_server
from tests.pictures import good_copy, jpeg, original_frame
from tests.processes import free_port

KEY = "crowd-healing-key"
WAIT_SECONDS = 60.0
# Workers who all pass the test questions; the forgetting crowd's never answer.
ABLE = {"untrusted_share": 0.0, "careless_share": 0.0, "seed": 8}
QUICK = {"judgment_delay_seconds": 0.3, "judgment_jitter_seconds": 0.2}
SLOW = {"judgment_delay_seconds": 3600, "judgment_jitter_seconds": 0}


@pytest.fixture
def aws_backend() -> str:
    return "moto"


class Replica:
    """One moderation process's use cases over the shared table, bucket and crowd."""

    def __init__(self, aws: AwsClients, fields: dict[str, object], crowd: Crowd, tally: Tally):
        self.photos = S3ObjectStore(aws.s3, str(fields["media_bucket"]))
        self.slots, self.queues, self.tally = FakeSlotRegistry(), FakeQueues(), tally
        self.slots.add("demo", 10)
        self.moderator = Moderator(
            DynamoReviewStore(aws.dynamodb, str(fields["reviews_table"])),
            self.slots,
            crowd,
            self.photos,
            self.queues,
            ModerationPolicy(VerdictRules(), ScreeningRules(), outbox_grace_seconds=0.0),
            observer=tally,
        )

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

    async def reconcile_until(self, sids: list[str], done: Callable[[Review], bool]) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            await self.moderator.reconcile()
            reviews = [await self.moderator.review(sid) for sid in sids]
            if all(done(review) for review in reviews):
                return
            await asyncio.sleep(0.5)
        raise AssertionError(f"not done after {WAIT_SECONDS} s: {reviews}")


def heal_counts(aws: AwsClients, fields: dict[str, object]) -> DynamoHealCounts:
    return DynamoHealCounts(aws.dynamodb, str(fields["reviews_table"]))


# Crowdflower -------------------------------------------------------------------------


def crowdflower_replica(
    aws: AwsClients, fields: dict[str, object], http: httpx.AsyncClient
) -> Replica:
    tally = Tally()
    spec = JobSpec(title_prefix="Healing", judgments_per_unit=3, webhook_uri="")
    client = CrowdflowerClient(http, SecretStr(KEY), spec, retry_seconds=2.0)
    work = CrowdWork(
        client,
        DynamoCrowdJobs(aws.dynamodb, str(fields["reviews_table"])),
        S3ObjectStore(aws.s3, str(fields["media_bucket"])),
        units_per_assignment=1,
        photo_url_seconds=3600,
        clock=utcnow,
        healings=Healings(heal_counts(aws, fields), tally),
    )
    store = DynamoReviewStore(aws.dynamodb, str(fields["reviews_table"]))
    crowd = CrowdflowerCrowd(client, work, store, grace_seconds=0.0, clock=utcnow, observer=tally)
    return Replica(aws, fields, CrowdChoice({"crowdflower": crowd}, "crowdflower"), tally)


async def crowd_units(http: httpx.AsyncClient) -> tuple[list[str], list[str]]:
    """The local crowd's jobs, and the submissions of its units (gold left out)."""
    jobs = (await http.get("/v1/jobs.json", params={"key": KEY})).json()
    asked: list[str] = []
    for job in jobs:
        units = (await http.get(f"/v1/jobs/{job['id']}/units.json", params={"key": KEY})).json()
        asked += [data["submission_id"] for data in units.values() if "submission_id" in data]
    return [str(job["id"]) for job in jobs], sorted(asked)


async def test_a_forgotten_crowd_job_is_replaced_once_and_every_photo_judged_there(
    aws: AwsClients, aws_fields: dict[str, object], output_dir: Path
):
    port = free_port()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5.0) as http:
        first, second = (crowdflower_replica(aws, aws_fields, http) for _ in range(2))
        with crowd_server(KEY, output_dir / "healing-crowd-1.log", port=port, **ABLE, **SLOW):
            asked = await first.submit("cf-pending")
            assert asked.unit_ordered_at is not None
            await second.moderator.crowd.chosen.work.job("demo")  # type: ignore[attr-defined]
        log = output_dir / "healing-crowd-2.log"
        with crowd_server(KEY, log, port=port, **ABLE, **QUICK):
            fresh = await first.submit("cf-new")
            assert fresh.crowd_generation == 1
            # The other replica still knew the old job: it takes the one now stored.
            late = await second.submit("cf-late")
            assert (late.job_id, late.crowd_generation) == (fresh.job_id, 1)
            sids = ["cf-pending", "cf-new", "cf-late"]
            await first.reconcile_until(sids, lambda r: not r.is_pending)
            for _ in range(2):
                await first.moderator.reconcile()
                await second.moderator.reconcile()
            jobs, units = await crowd_units(http)
    assert jobs == [fresh.job_id]
    assert units == sorted(sids)
    for sid in sids:
        review = await first.moderator.review(sid)
        assert (review.status, review.job_id, review.crowd_generation) == (
            "approved",
            fresh.job_id,
            1,
        )
    assert await first.moderator.healed() == {"job": 1}
    stored = await DynamoCrowdJobs(aws.dynamodb, str(aws_fields["reviews_table"])).job_of("demo")
    assert stored is not None and (stored.job_id, stored.generation) == (fresh.job_id, 1)
    assert len(stored.gold_units) == 4  # the new job's test questions, remembered
    healed = [r.tally.value("ofof_crowd_healed", kind="job") for r in (first, second)]
    assert healed == [1, 0]


# Mechanical Turk ---------------------------------------------------------------------


async def mturk_replica(
    aws: AwsClients, fields: dict[str, object], endpoint: str, stack: AsyncExitStack
) -> Replica:
    queue = f"ofof-mturk-{uuid.uuid4().hex[:8]}"
    await aws.sqs.create_queue(QueueName=queue)
    terms = HitTerms(
        title="Compare a photo",
        description="Say whether a photo mimics a frame.",
        keywords="image",
        reward=Decimal("0.05"),
        assignment_seconds=600,
        auto_approval_seconds=86400,
        lifetime_seconds=3600,
        assignments=3,
        notify_queue=queue,
    )
    client = await stack.enter_async_context(
        aioboto3.Session().client(
            "mturk",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=MTURK_KEY_ID,
            aws_secret_access_key=MTURK_SECRET,
        )
    )
    plan = HitPlan(
        assignments=3,
        reward=Decimal("0.05"),
        fees=Fees(),
        submit_url=SUBMIT,
        photo_url_seconds=7200,
        verdict_rules=VerdictRules(),
    )
    tally = Tally()
    table = str(fields["reviews_table"])
    hits = HitWork(
        MturkCrowd(client, terms, aws.queue_url),
        DynamoCrowdJobs(aws.dynamodb, table, prefix="hittype"),
        S3ObjectStore(aws.s3, str(fields["media_bucket"])),
        FakeWorkerTrust(),
        FakeCrowdSpend(),
        DynamoReviewStore(aws.dynamodb, table),
        plan,
        utcnow,
        healings=Healings(heal_counts(aws, fields), tally),
    )
    return Replica(aws, fields, CrowdChoice({"mturk": hits}, "mturk"), tally)


async def settled_hits(client: object) -> list[str]:
    """The annotations (submission ids) of every HIT the local MTurk holds, all settled
    (``Reviewing``) or still ``Reviewable``."""
    found: list[str] = []
    for status in ("Reviewable", "Reviewing"):
        listed = await client.list_reviewable_hits(Status=status, MaxResults=100)  # type: ignore[attr-defined]
        for hit in listed["HITs"]:
            shown = await client.get_hit(HITId=hit["HITId"])  # type: ignore[attr-defined]
            found.append(shown["HIT"]["RequesterAnnotation"])
    return sorted(found)


@pytest.fixture
async def exits() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as stack:
        yield stack


async def test_a_forgotten_hit_and_hit_type_are_created_again_once_with_fresh_tokens(
    aws: AwsClients,
    aws_fields: dict[str, object],
    output_dir: Path,
    moto_endpoint: str,
    exits: AsyncExitStack,
):
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    replica = await mturk_replica(aws, aws_fields, endpoint, exits)
    slow = {**FAST, "judgment_delay_seconds": 3600}
    log = output_dir / "healing-mturk-1.log"
    with mturk_server(log, port=port, sqs_endpoint_url=moto_endpoint, **slow):
        pending = await replica.submit("mt-pending")
        assert pending.unit_id is not None
    log = output_dir / "healing-mturk-2.log"
    with mturk_server(log, port=port, sqs_endpoint_url=moto_endpoint, seed=3, **FAST):
        fresh = await replica.submit("mt-new")
        assert fresh.unit_id is not None and fresh.job_id != pending.job_id
        sids = ["mt-pending", "mt-new"]
        await replica.reconcile_until(sids, lambda r: not r.is_pending)
        for _ in range(2):
            await replica.moderator.reconcile()
        annotations = await settled_hits(replica.moderator.crowd.chosen.crowd.client)  # type: ignore[attr-defined]
    assert annotations == sorted(sids)
    healed = await replica.moderator.review("mt-pending")
    assert (healed.status, healed.crowd_generation) == ("approved", 1)
    assert healed.unit_id != pending.unit_id
    assert (await replica.moderator.review("mt-new")).status == "approved"
    assert await replica.moderator.healed() == {"hit_type": 1, "hit": 1}
    assert replica.tally.value("ofof_crowd_healed", kind="hit") == 1


async def test_of_two_replacements_of_one_job_in_dynamodb_the_first_wins(
    aws: AwsClients, aws_fields: dict[str, object]
):
    jobs = DynamoCrowdJobs(aws.dynamodb, str(aws_fields["reviews_table"]))
    old = await jobs.remember(CrowdJob("race", "7"))
    first, won = await jobs.replace(old, "8")
    second, lost = await jobs.replace(old, "9")
    assert (won, lost) == (True, False)
    assert first == second == CrowdJob("race", "8", generation=1)
    await jobs.update(replace(old, gold_units={"stale": "1"}))  # the old job's gold: ignored
    await jobs.update(replace(first, gold_units={"copy-0": "2"}))
    assert (await jobs.job_of("race")) == replace(first, gold_units={"copy-0": "2"})
    third, won_again = await jobs.replace(first, "10")
    assert won_again and third.generation == 2
    assert await jobs.job_of("race") == CrowdJob("race", "10", generation=2)
