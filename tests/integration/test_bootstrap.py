import json

import pytest

from services.moderation.slots.adapters.sqs import SqsFramesTransport
from shared.aws import AwsClients
from shared.bootstrap import DLQ_SUFFIX, bootstrap
from shared.queues import SqsQueueSender, frames_queue_of
from shared.settings import AwsSettings

pytestmark = pytest.mark.every_aws


async def test_bootstrap_twice_changes_nothing_and_fails_nothing(aws: AwsClients, aws_fields):
    settings = AwsSettings(**aws_fields)
    before = sorted((await aws.sqs.list_queues(QueueNamePrefix="ofof-"))["QueueUrls"])
    await bootstrap(aws, settings)
    after = sorted((await aws.sqs.list_queues(QueueNamePrefix="ofof-"))["QueueUrls"])
    assert before == after
    await aws.s3.head_bucket(Bucket=settings.media_bucket)
    for table in (settings.reviews_table, settings.slots_table):
        described = await aws.dynamodb.describe_table(TableName=table)
        assert described["Table"]["TableStatus"] == "ACTIVE"
        assert [i["IndexName"] for i in described["Table"]["GlobalSecondaryIndexes"]] == ["gsi1"]


async def test_the_consumed_work_queues_dead_letter_after_the_receive_limit(
    aws: AwsClients, aws_fields
):
    settings = AwsSettings(**aws_fields)
    for queue in (settings.moderation_queue, settings.render_queue):
        url = await aws.queue_url(queue)
        attrs = await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        policy = json.loads(attrs["Attributes"]["RedrivePolicy"])
        assert policy["deadLetterTargetArn"].endswith(f":{queue}{DLQ_SUFFIX}")
        assert int(policy["maxReceiveCount"]) == settings.max_receive_count


async def test_a_video_frames_queue_has_a_dead_letter_queue_but_no_receive_limit(
    aws: AwsClients, aws_fields
):
    """A lease is a receive: a limit would kill a slot after a few released leases."""
    settings = AwsSettings(**aws_fields)
    transport = SqsFramesTransport(aws, SqsQueueSender(aws), settings.frames_queue)
    assert await transport.state("demo") is None
    created = await transport.create("demo")
    assert (created.waiting, await transport.create("demo")) == (0, created)
    queue = frames_queue_of(settings.frames_queue, "demo")
    attrs = await aws.sqs.get_queue_attributes(
        QueueUrl=await aws.queue_url(queue), AttributeNames=["All"]
    )
    assert "RedrivePolicy" not in attrs["Attributes"]
    for name in (queue, queue + DLQ_SUFFIX):
        assert await retention_seconds(aws, name) == 1_209_600, name


def every_queue(settings: AwsSettings) -> list[str]:
    work = [settings.moderation_queue, settings.render_queue]
    return work + [queue + DLQ_SUFFIX for queue in work]


async def retention_seconds(aws: AwsClients, queue: str) -> int:
    url = await aws.queue_url(queue)
    attrs = await aws.sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["MessageRetentionPeriod"]
    )
    return int(attrs["Attributes"]["MessageRetentionPeriod"])


async def test_every_queue_keeps_messages_for_the_sqs_maximum_of_14_days(
    aws: AwsClients, aws_fields
):
    settings = AwsSettings(**aws_fields)
    for queue in every_queue(settings):
        assert await retention_seconds(aws, queue) == 1_209_600, queue


async def test_bootstrap_brings_queues_made_by_an_older_bootstrap_up_to_date(
    aws: AwsClients, aws_fields
):
    settings = AwsSettings(**aws_fields)
    for queue in every_queue(settings):
        # What SQS does by default.
        attributes = {"MessageRetentionPeriod": str(4 * 24 * 3600)}
        await aws.sqs.set_queue_attributes(
            QueueUrl=await aws.queue_url(queue), Attributes=attributes
        )
    await bootstrap(aws, settings)
    for queue in every_queue(settings):
        assert await retention_seconds(aws, queue) == 1_209_600, queue


async def test_a_message_received_too_often_lands_in_the_dead_letter_queue(
    aws: AwsClients, aws_fields
):
    settings = AwsSettings(**aws_fields)
    url = await aws.queue_url(settings.render_queue)
    await aws.sqs.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(settings.max_receive_count):
        got = await aws.sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, WaitTimeSeconds=1)
        assert len(got.get("Messages", [])) == 1
    got = await aws.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    assert got.get("Messages", []) == []
    dlq = await aws.queue_url(settings.render_queue + DLQ_SUFFIX)
    dead = await aws.sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1)
    assert [m["Body"] for m in dead["Messages"]] == ["poison"]
