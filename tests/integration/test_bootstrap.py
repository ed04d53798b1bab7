import json

from shared.aws import AwsClients
from shared.bootstrap import DLQ_SUFFIX, bootstrap
from shared.settings import AwsSettings


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


async def test_every_work_queue_dead_letters_after_the_receive_limit(aws: AwsClients, aws_fields):
    settings = AwsSettings(**aws_fields)
    for queue in (settings.frames_queue, settings.moderation_queue, settings.render_queue):
        url = await aws.queue_url(queue)
        attrs = await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        policy = json.loads(attrs["Attributes"]["RedrivePolicy"])
        assert policy["deadLetterTargetArn"].endswith(f":{queue}{DLQ_SUFFIX}")
        assert int(policy["maxReceiveCount"]) == settings.max_receive_count


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
