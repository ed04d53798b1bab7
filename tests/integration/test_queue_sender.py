"""The queue-sender port: the SQS adapter over a real moto server, and its fake."""

from __future__ import annotations

import pytest

from shared.aws import AwsClients
from shared.errors import DependencyUnavailable
from shared.messages import FrameSlot, parse_message
from shared.queues import SqsQueueSender
from tests.fakes.queues import MemoryQueueSender
from tests.peeks import drain

pytestmark = pytest.mark.every_aws


async def test_sent_messages_arrive_whole_in_any_batch_size(aws: AwsClients, aws_fields):
    queue = str(aws_fields["moderation_queue"])
    sender = SqsQueueSender(aws)
    await sender.send(queue, FrameSlot(video="demo", frame=0))
    ids = await sender.send_batch(queue, [FrameSlot(video="demo", frame=n) for n in range(1, 24)])
    assert len(set(ids)) == 23
    bodies = await drain(aws, queue)
    assert sorted(parse_message(b, FrameSlot).frame for b in bodies) == list(range(24))


async def test_sqs_unreachable_is_a_dependency_failure(unreachable_aws: AwsClients):
    sender = SqsQueueSender(unreachable_aws)
    with pytest.raises(DependencyUnavailable):
        await sender.send("frames", FrameSlot(video="demo", frame=1))


async def test_the_fake_sender_keeps_messages_by_queue_in_order():
    sender = MemoryQueueSender()
    await sender.send_batch("frames", [FrameSlot(video="demo", frame=n) for n in range(3)])
    assert [m.frame for m in sender.sent["frames"]] == [0, 1, 2]
