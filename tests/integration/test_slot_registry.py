"""DynamoSlotRegistry on DynamoDB (moto, and dynalite), and the feeder over it and SQS."""

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from services.moderation.reviews import offers
from services.moderation.slots.adapters.dynamo import DynamoSlotRegistry
from services.moderation.slots.adapters.sqs import SqsFramesTransport
from services.moderation.slots.feeder import FeedPolicy, SlotFeeder
from services.moderation.slots.ports import VideoFeed
from shared.messages import FrameSlot
from shared.objects import S3ObjectStore
from shared.queues import SqsQueueSender, frames_queue_of
from tests.stack import seed_video

pytestmark = pytest.mark.every_aws
NOW = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def registry(aws, aws_fields) -> DynamoSlotRegistry:
    return DynamoSlotRegistry(aws.dynamodb, str(aws_fields["reviews_table"]))


async def test_registered_slots_are_offered_in_rank_order_and_by_tier(registry):
    ranks = offers.spread_ranks(30)
    await registry.register("demo", ranks, 0, 30)
    first = await registry.offerable("demo", 0, 5)
    assert [slot.frame for slot in first] == [0, 15, 7, 22, 3]
    assert await registry.has_unapproved("demo")
    assert await registry.offerable("demo", 1, 5) == []


async def test_events_change_a_slot_through_versions_and_races_reapply_them(registry):
    await registry.register("demo", offers.spread_ranks(4), 0, 4)
    events = [partial(offers.ingested, submission_id=f"s{n}") for n in range(10)]
    await asyncio.gather(*(registry.change("demo", 2, event) for event in events))
    slot = await registry.get("demo", 2)
    assert slot is not None
    assert (slot.state, len(slot.reviewing), slot.version) == ("held", 10, 10)
    approve = partial(offers.decided, submission_id="s3", approved=True)
    assert (await registry.change("demo", 2, approve)).approved == {"s3"}
    assert await registry.approved_of("demo", 2) == ["s3"]
    assert await registry.change("demo", 99, approve) is None


async def test_offered_slots_are_found_and_feed_records_round_trip(registry):
    await registry.register("demo", offers.spread_ranks(4), 0, 4)
    await registry.change("demo", 1, partial(offers.offered, now=NOW))
    assert [slot.frame for slot in await registry.offered("demo")] == [1]
    assert await registry.feed_of("demo") is None
    await registry.save_feed(VideoFeed("demo", 4, registered=4, queue_created="123"))
    assert await registry.feed_of("demo") == VideoFeed("demo", 4, 4, "123")


async def test_the_feeder_creates_the_video_queue_and_keeps_its_window(aws, aws_fields, registry):
    settings_fields = {k: str(v) for k, v in aws_fields.items()}
    await seed_video(aws, _settings(aws_fields), video="demo", frames=12, offer=False)
    transport = SqsFramesTransport(aws, SqsQueueSender(aws), settings_fields["frames_queue"])
    videos = S3ObjectStore(aws.s3, settings_fields["media_bucket"])
    feeder = SlotFeeder(registry, transport, videos, FeedPolicy(window=5))
    assert await feeder.discover() == ["demo"]
    [report] = await feeder.feed_all()
    assert (report.registered, report.offered) == (12, 5)
    state = await transport.state("demo")
    assert state is not None and state.waiting == 5
    assert (await feeder.feed_all())[0].offered == 0
    queue_url = await aws.queue_url(frames_queue_of(settings_fields["frames_queue"], "demo"))
    await aws.sqs.delete_queue(QueueUrl=queue_url)
    aws._queue_urls.clear()
    await asyncio.sleep(1.1)  # a recreated queue has a new creation time (in seconds)
    [report] = await feeder.feed_all()
    assert (report.reopened, report.offered) == (5, 5)


async def test_a_frame_leased_when_its_queue_is_recreated_is_not_offered_while_the_lease_could_live(
    aws, aws_fields, registry
):
    fields = {k: str(v) for k, v in aws_fields.items()}
    await seed_video(aws, _settings(aws_fields), video="demo", frames=6, offer=False)
    transport = SqsFramesTransport(aws, SqsQueueSender(aws), fields["frames_queue"])
    videos = S3ObjectStore(aws.s3, fields["media_bucket"])
    clock = [NOW]
    policy = FeedPolicy(window=3, max_lease_seconds=900)
    feeder = SlotFeeder(registry, transport, videos, policy, clock=lambda: clock[0])
    await feeder.discover()
    await feeder.feed_all()
    queue = frames_queue_of(fields["frames_queue"], "demo")
    [leased] = await _receive(aws, queue, most=1)  # a visitor's lease, then the queue is lost
    await aws.sqs.delete_queue(QueueUrl=await aws.queue_url(queue))
    aws._queue_urls.clear()
    await asyncio.sleep(1.1)  # a recreated queue has a new creation time (in seconds)
    [report] = await feeder.feed_all(sweep=True)
    assert (report.reopened, report.offered, report.released) == (3, 3, 0)
    lost = {0, 3, 1} - {leased}  # the first window: frames 0, 3, 1 in the spread order
    assert leased in {0, 3, 1} and (await registry.get("demo", leased)).state == "leased"
    clock[0] = NOW + timedelta(seconds=899)
    assert (await feeder.feed_all(sweep=True))[0].released == 0
    taken = await _receive(aws, queue, most=10)
    assert sorted(taken) == [2, 4, 5], "other frames meanwhile, never a lost one"
    assert (await feeder.feed_all(sweep=True))[0].offered == 0, "nothing else is open"
    clock[0] = NOW + timedelta(seconds=900)
    [report] = await feeder.feed_all(sweep=True)
    assert (report.released, report.offered) == (3, 3)
    assert sorted(await _receive(aws, queue, most=10)) == sorted({leased} | lost)


async def _receive(aws, queue: str, most: int) -> list[int]:
    """Frames of up to ``most`` messages received (leased for a minute), until none come."""
    url = await aws.queue_url(queue)
    frames: list[int] = []
    while len(frames) < most:
        got = await aws.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(10, most - len(frames)),
            WaitTimeSeconds=1,
            VisibilityTimeout=60,
        )
        if not got.get("Messages"):
            break
        frames += [FrameSlot.model_validate_json(m["Body"]).frame for m in got["Messages"]]
    return frames


def _settings(aws_fields):
    from shared.settings import AwsSettings

    return AwsSettings(**aws_fields)
