"""A crash between any two ingest steps is repaired by a retry of the same request."""

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

STEPS = ["put_renditions", "commit", "finish", "announce", "mark_announced"]


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
@pytest.mark.parametrize("step", STEPS)
async def test_a_retry_repairs_a_crash_at_any_step(aws, aws_fields, step, after):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=1)
    url = await aws.queue_url(frames_of(settings))
    leased = (await aws.sqs.receive_message(QueueUrl=url, VisibilityTimeout=60))["Messages"][0]
    now = time.time()
    claims = LeaseClaims(
        lease_id="lease-repair",
        video="demo",
        frame=0,
        client_id="c",
        receipt_handle=leased["ReceiptHandle"],
        issued_at=now,
        expires_at=now + 60,
        max_expires_at=now + 900,
    )
    store = S3SubmissionStore(S3ObjectStore(aws.s3, settings.media_bucket), "no-cache")
    frames = SqsLeaseFinisher(aws, settings.frames_queue)
    announcer = SqsAnnouncer(SqsQueueSender(aws), settings.moderation_queue)
    owners = {
        "put_renditions": "store",
        "commit": "store",
        "mark_announced": "store",
        "finish": "frames",
        "announce": "announcer",
    }
    parts = {"store": store, "frames": frames, "announcer": announcer}
    parts[owners[step]] = CrashOnce(parts[owners[step]], step, after)
    crashing = Ingestor(parts["store"], parts["frames"], parts["announcer"], InlinePhotoProcessor())

    with pytest.raises(Crash):
        await crashing.ingest(claims, "image/jpeg", jpeg(seed=1), "Ada")
    # The gateway retries the same request (same lease, same photo) after the crash.
    outcome = await crashing.ingest(claims, "image/jpeg", jpeg(seed=1), "Ada")

    assert outcome.record.submission_id == "lease-repair"
    assert await keys(aws, settings.media_bucket, "submissions/lease-repair/") == [
        f"submissions/lease-repair/{name}"
        for name in ("announced", "large.jpg", "medium.jpg", "submission.json", "thumb.jpg")
    ]
    assert await queue_counts(aws, frames_of(settings)) == (0, 0)
    sent = [
        parse_message(b, SubmissionIngested) for b in await drain(aws, settings.moderation_queue)
    ]
    # Only a crash between sending and remembering it can announce twice (moderation
    # de-duplicates by submission id); everywhere else there is exactly one.
    expected = (
        2
        if (step, after) == ("announce", True) or (step, after) == ("mark_announced", False)
        else 1
    )
    assert len(sent) == expected
    assert {m.submission_id for m in sent} == {"lease-repair"}
    assert {m.display_name for m in sent} == {"Ada"}
