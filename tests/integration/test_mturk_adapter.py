"""``MturkCrowd`` (aioboto3's real ``mturk`` client) against the local MTurk, with the
notifications landing in the moto server's SQS; worker trust and spend on DynamoDB."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from decimal import Decimal
from pathlib import Path

import aioboto3
import pytest

from services.moderation.crowd.mturk.adapters.api import HitTerms, MturkCrowd
from services.moderation.crowd.mturk.adapters.dynamo import DynamoSpendLedger, DynamoWorkerTrust
from services.moderation.crowd.mturk.hits import parse_answers, question_xml, worker_trust
from services.moderation.crowd.mturk.notifications import parse_notification
from services.moderation.crowd.mturk.ports import HitRequest, WorkAssignment
from shared.aws import AwsClients
from shared.objects import S3ObjectStore
from tests.mturk_process import MTURK_KEY_ID, MTURK_SECRET, mturk_server
from tests.pictures import good_copy, jpeg, original_frame

FAST = {"judgment_delay_seconds": 0.3, "judgment_jitter_seconds": 0, "assignment_gap_seconds": 0.05}
SUBMIT = "https://workersandbox.mturk.com/mturk/externalSubmit"
WAIT_SECONDS = 30.0


@pytest.fixture(scope="module")
def mturk_endpoint(output_dir: Path, moto_endpoint: str) -> Iterator[str]:
    with mturk_server(
        output_dir / "mturk-adapter.log", sqs_endpoint_url=moto_endpoint, seed=5, **FAST
    ) as url:
        yield url


@pytest.fixture
def aws_backend() -> str:
    return "moto"


@pytest.fixture
async def crowd(mturk_endpoint: str, aws: AwsClients) -> AsyncIterator[MturkCrowd]:
    queue = f"ofof-mturk-{uuid.uuid4().hex[:8]}"
    await aws.sqs.create_queue(QueueName=queue)
    terms = HitTerms(
        title=f"Compare a photo {uuid.uuid4().hex[:6]}",
        description="Say whether a photo mimics a frame.",
        keywords="image",
        reward=Decimal("0.05"),
        assignment_seconds=600,
        auto_approval_seconds=86400,
        lifetime_seconds=3600,
        assignments=3,
        notify_queue=queue,
    )
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(
            aioboto3.Session().client(
                "mturk",
                endpoint_url=mturk_endpoint,
                region_name="us-east-1",
                aws_access_key_id=MTURK_KEY_ID,
                aws_secret_access_key=MTURK_SECRET,
            )
        )
        yield MturkCrowd(client, terms, aws.queue_url)


async def shown_question(aws: AwsClients, bucket: str) -> str:
    """A question showing a good copy of a frame beside it, by presigned S3 URLs."""
    photos = S3ObjectStore(aws.s3, bucket)
    await photos.put("photo.jpg", good_copy(2), "image/jpeg")
    await photos.put("original.jpg", jpeg(original_frame(2)), "image/jpeg")
    photo, original = await photos.url("photo.jpg", 600), await photos.url("original.jpg", 600)
    return question_xml(photo, original, SUBMIT)


async def answered(crowd: MturkCrowd, hit_id: str, count: int) -> list[WorkAssignment]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = await crowd.assignments(hit_id)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.3)
    raise AssertionError(f"{hit_id} has fewer than {count} assignments after {WAIT_SECONDS} s")


async def notifications(aws: AwsClients, queue_url: str, count: int) -> list[str]:
    bodies: list[str] = []
    deadline = time.monotonic() + WAIT_SECONDS
    while len(bodies) < count and time.monotonic() < deadline:
        got = await aws.sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        bodies += [m["Body"] for m in got.get("Messages", [])]
    return bodies


async def test_a_submission_gets_one_hit_answered_by_three_workers_and_notified(
    crowd: MturkCrowd, aws: AwsClients, aws_fields: dict[str, object]
):
    hit_type = await crowd.create_hit_type("demo")
    assert await crowd.create_hit_type("demo") == hit_type
    await crowd.listen(hit_type)
    request = HitRequest("sub-1", await shown_question(aws, str(aws_fields["media_bucket"])))
    hit_id = await crowd.create_hit(hit_type, request)
    # A retry after a lost answer finds the same HIT (UniqueRequestToken).
    assert await crowd.create_hit(hit_type, request) == hit_id
    assert await crowd.submission_of(hit_id) == "sub-1"
    found = await answered(crowd, hit_id, 3)
    assert len({a.worker_id for a in found}) == 3
    for assignment in found:
        parse_answers(assignment.answer)
    bodies = await notifications(aws, await aws.queue_url(crowd.terms.notify_queue), 1)
    assert hit_id in {h for body in bodies for h in parse_notification(body).hit_ids()}
    assert hit_id in [h async for h in crowd.reviewable_hits()]


async def test_approve_and_reject_settle_once_and_a_reviewed_hit_leaves_the_list(
    crowd: MturkCrowd, aws: AwsClients, aws_fields: dict[str, object]
):
    hit_type = await crowd.create_hit_type("demo")
    request = HitRequest("sub-2", await shown_question(aws, str(aws_fields["media_bucket"])))
    hit_id = await crowd.create_hit(hit_type, request)
    first, second, _ = await answered(crowd, hit_id, 3)
    await crowd.approve(first.assignment_id, "thanks")
    await crowd.approve(first.assignment_id, "thanks")  # settled already: left as it is
    await crowd.reject(second.assignment_id, "contradictory answers")
    statuses = {a.assignment_id: a.status for a in await crowd.assignments(hit_id)}
    assert statuses[first.assignment_id] == "Approved"
    assert statuses[second.assignment_id] == "Rejected"
    await crowd.reviewed(hit_id)
    assert hit_id not in [h async for h in crowd.reviewable_hits()]


async def test_worker_trust_and_spend_are_kept_in_the_reviews_table(
    aws: AwsClients, aws_fields: dict[str, object]
):
    table = str(aws_fields["reviews_table"])
    trust, spend = DynamoWorkerTrust(aws.dynamodb, table), DynamoSpendLedger(aws.dynamodb, table)
    await trust.record("W1", agreed=True)
    await trust.record("W1", agreed=False)
    assert await trust.trust(["W1", "W2"]) == {"W1": worker_trust(1, 2), "W2": worker_trust(0, 0)}
    await spend.record("demo", "s1", Decimal("0.18"))
    await spend.record("demo", "s1", Decimal("0.18"))
    await spend.record("demo", "s2", Decimal("0.18"))
    await spend.record("other", "s3", Decimal("1.00"))
    total = await spend.of_video("demo")
    assert (total.total, total.hits) == (Decimal("0.36"), 2)
