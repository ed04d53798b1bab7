"""A crash of ingest after the commit but before the announcement is repaired by its sweep,
without the visitor sending the photo again."""

import asyncio
import time

import pytest

from services.ingest.adapters.s3 import S3SubmissionStore
from services.ingest.adapters.sqs import SqsAnnouncer, SqsLeaseFinisher
from services.ingest.usecases import Ingestor
from shared.leases import LeaseClaims
from shared.messages import SubmissionIngested, parse_message
from shared.objects import S3ObjectStore
from shared.queues import SqsQueueSender
from shared.settings import AwsSettings
from tests.fakes.ingest import Crash, CrashOnce, InlinePhotoProcessor
from tests.images import jpeg
from tests.peeks import drain, frames_of, keys, queue_counts
from tests.stack import seed_video

# The steps a crash may hit after the commit and before the announcement is sent.
CRASHES = {"finish": "frames", "announce": "announcer"}


async def crash_after_the_commit(aws, settings: AwsSettings, step: str) -> str:
    """Run one real ingest that dies just before ``step``; return the submission id."""
    await seed_video(aws, settings, frames=1)
    url = await aws.queue_url(frames_of(settings))
    leased = (await aws.sqs.receive_message(QueueUrl=url, VisibilityTimeout=60))["Messages"][0]
    now = time.time()
    claims = LeaseClaims(
        "lease-lost", "demo", 0, "c", leased["ReceiptHandle"], now, now + 60, now + 900
    )
    parts = {
        "store": S3SubmissionStore(S3ObjectStore(aws.s3, settings.media_bucket), "no-cache"),
        "frames": SqsLeaseFinisher(aws, settings.frames_queue),
        "announcer": SqsAnnouncer(SqsQueueSender(aws), settings.moderation_queue),
        "photos": InlinePhotoProcessor(),
    }
    parts[CRASHES[step]] = CrashOnce(parts[CRASHES[step]], step, after=False)
    with pytest.raises(Crash):
        await Ingestor(**parts).ingest(claims, "image/jpeg", jpeg(seed=3), "Ada")
    return claims.lease_id


async def announced(aws, settings: AwsSettings) -> list[str]:
    bodies = await drain(aws, settings.moderation_queue)
    return [parse_message(b, SubmissionIngested).submission_id for b in bodies]


@pytest.mark.parametrize("step", CRASHES)
async def test_the_sweep_announces_a_committed_submission_once_after_a_crash(aws, aws_fields, step):
    settings = AwsSettings(**aws_fields)
    sid = await crash_after_the_commit(aws, settings, step)
    assert await announced(aws, settings) == []
    store = S3SubmissionStore(S3ObjectStore(aws.s3, settings.media_bucket), "no-cache")
    sweeper = Ingestor(
        store,
        SqsLeaseFinisher(aws, settings.frames_queue),
        SqsAnnouncer(SqsQueueSender(aws), settings.moderation_queue),
        InlinePhotoProcessor(),
        announce_grace_seconds=0,
    )

    assert await sweeper.announce_stragglers() == [sid]
    assert await sweeper.announce_stragglers() == []

    assert await announced(aws, settings) == [sid]
    assert "submissions/lease-lost/announced" in await keys(aws, settings.media_bucket, "")
    assert await store.pending() == []


async def test_a_running_ingest_announces_what_a_crashed_one_left_within_its_grace(
    aws, aws_fields, stack_factory
):
    settings = AwsSettings(**aws_fields)
    sid = await crash_after_the_commit(aws, settings, "announce")
    assert await queue_counts(aws, frames_of(settings)) == (0, 0)  # the lease is done

    stack_factory(
        ["ingest"], INGEST_ANNOUNCE_SWEEP_SECONDS="0.5", INGEST_ANNOUNCE_GRACE_SECONDS="1"
    )
    got: list[str] = []
    deadline = time.monotonic() + 30
    while not got and time.monotonic() < deadline:
        got += await announced(aws, settings)
    # A few more sweeps find nothing left to announce.
    await asyncio.sleep(2)
    got += await announced(aws, settings)

    assert got == [sid]
