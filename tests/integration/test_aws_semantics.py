"""What the project relies on from S3, SQS and DynamoDB, checked on every AWS stand-in
(the moto server and the local AWS of `make run`) through the project's own clients.

Leases are SQS visibility timeouts, a finished lease is a delete with the lease's
receipt handle, a late photo carries a stale handle, consumers long-poll, and pages link
photos by presigned GET URLs. Where the stand-ins differ from AWS, docs/operations.md
says so; these tests pin what the code needs from all of them.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from botocore.exceptions import ClientError

from shared.aws import AwsClients, is_condition_failed, is_stale_receipt
from shared.bootstrap import ensure_work_queue
from shared.objects import S3ObjectStore
from shared.settings import AwsSettings
from tests.peeks import frames_of, queue_counts

pytestmark = pytest.mark.every_aws

# Bounds of the waits below, generous for two loaded cores.
BACK_WITHIN_SECONDS = 10.0
LONG_POLL_SECONDS = 10


async def frames_queue(aws: AwsClients, aws_fields: dict[str, object]) -> str:
    """A video's frames queue (no receive limit), made as moderation's feeder makes it."""
    name = frames_of(AwsSettings(**aws_fields), "demo")  # type: ignore[arg-type]
    await ensure_work_queue(aws, name, None)
    return name


async def receive(aws: AwsClients, url: str, visibility: int, wait: int = 0) -> dict[str, str]:
    answer = await aws.sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=visibility, WaitTimeSeconds=wait
    )
    messages = answer.get("Messages", [])
    assert len(messages) == 1, answer
    return {"body": messages[0]["Body"], "handle": messages[0]["ReceiptHandle"]}


async def is_empty(aws: AwsClients, url: str) -> bool:
    answer = await aws.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    return not answer.get("Messages")


async def test_a_received_message_is_hidden_until_its_visibility_timeout_runs_out(
    aws: AwsClients, aws_fields
):
    url = await aws.queue_url(await frames_queue(aws, aws_fields))
    await aws.sqs.send_message(QueueUrl=url, MessageBody="slot")
    first = await receive(aws, url, visibility=2)
    assert await is_empty(aws, url)
    started = time.monotonic()
    while await is_empty(aws, url):
        assert time.monotonic() - started < BACK_WITHIN_SECONDS, "the message never came back"
        await asyncio.sleep(0.2)
    assert first["body"] == "slot"


async def test_changing_visibility_extends_a_lease_and_zero_releases_it(
    aws: AwsClients, aws_fields
):
    url = await aws.queue_url(await frames_queue(aws, aws_fields))
    await aws.sqs.send_message(QueueUrl=url, MessageBody="slot")
    lease = await receive(aws, url, visibility=1)
    await aws.sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=lease["handle"], VisibilityTimeout=60
    )
    await asyncio.sleep(2)
    assert await is_empty(aws, url), "an extended lease ran out at its first timeout"
    await aws.sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=lease["handle"], VisibilityTimeout=0
    )
    assert (await receive(aws, url, visibility=30))["body"] == "slot"


async def test_a_stale_receipt_handle_cannot_touch_the_next_lease(
    aws: AwsClients, aws_fields, aws_backend
):
    """As AWS does, ministack refuses the old handle (a stale-receipt code). The moto
    server accepts it and releases the new lease: a known moto quirk the code must not
    rely on (docs/operations.md), pinned here so a change of moto's is noticed."""
    url = await aws.queue_url(await frames_queue(aws, aws_fields))
    await aws.sqs.send_message(QueueUrl=url, MessageBody="slot")
    old = await receive(aws, url, visibility=0)
    await receive(aws, url, visibility=60)
    release = aws.sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=old["handle"], VisibilityTimeout=0
    )
    if aws_backend == "moto":
        await release
        assert not await is_empty(aws, url)
        return
    with pytest.raises(ClientError) as refused:
        await release
    assert is_stale_receipt(refused.value), refused.value.response
    assert await is_empty(aws, url), "a stale handle released someone else's lease"


async def test_a_delete_with_the_current_receipt_handle_finishes_the_message(
    aws: AwsClients, aws_fields
):
    queue = await frames_queue(aws, aws_fields)
    url = await aws.queue_url(queue)
    await aws.sqs.send_message(QueueUrl=url, MessageBody="slot")
    lease = await receive(aws, url, visibility=60)
    await aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=lease["handle"])
    assert await queue_counts(aws, queue) == (0, 0)


async def test_a_long_poll_returns_as_soon_as_a_message_arrives(aws: AwsClients, aws_fields):
    url = await aws.queue_url(str(aws_fields["render_queue"]))

    async def send_later() -> None:
        await asyncio.sleep(1)
        await aws.sqs.send_message(QueueUrl=url, MessageBody="verdict")

    started = time.monotonic()
    sender = asyncio.create_task(send_later())
    got = await receive(aws, url, visibility=30, wait=LONG_POLL_SECONDS)
    await sender
    assert got["body"] == "verdict"
    assert time.monotonic() - started < LONG_POLL_SECONDS - 2


async def test_a_presigned_get_url_serves_the_object(aws: AwsClients, aws_fields):
    store = S3ObjectStore(aws.s3, str(aws_fields["media_bucket"]))
    await store.put("submissions/s1/medium.jpg", b"\xff\xd8jpeg", "image/jpeg")
    url = await store.url("submissions/s1/medium.jpg", 300)
    async with httpx.AsyncClient() as client:
        answer = await client.get(url)
    assert answer.status_code == 200
    assert (answer.content, answer.headers["content-type"]) == (b"\xff\xd8jpeg", "image/jpeg")


async def test_a_conditional_put_refused_by_dynamodb_says_the_condition_failed(
    aws: AwsClients, aws_fields
):
    table = str(aws_fields["slots_table"])
    item = {"pk": {"S": "SLOT#demo"}, "sk": {"S": "000001"}, "score": {"N": "1"}}
    await aws.dynamodb.put_item(TableName=table, Item=item)
    with pytest.raises(ClientError) as refused:
        await aws.dynamodb.put_item(
            TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)"
        )
    assert is_condition_failed(refused.value)
    with pytest.raises(ClientError) as refused:
        await aws.dynamodb.update_item(
            TableName=table,
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET score = :new",
            ConditionExpression="score < :new",
            ExpressionAttributeValues={":new": {"N": "0"}},
        )
    assert is_condition_failed(refused.value)


async def test_a_delete_with_a_stale_receipt_handle_succeeds_or_says_it_is_stale(
    aws: AwsClients, aws_fields
):
    """A late photo's lease was handed on. AWS and the moto server accept its delete
    (and may delete the message); ministack refuses it as ReceiptHandleIsInvalid and
    keeps the message in flight. Ingest logs and ignores a stale-receipt error."""
    queue = await frames_queue(aws, aws_fields)
    url = await aws.queue_url(queue)
    await aws.sqs.send_message(QueueUrl=url, MessageBody="slot")
    old = await receive(aws, url, visibility=0)
    await receive(aws, url, visibility=60)
    refused: ClientError | None = None
    try:
        await aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=old["handle"])
    except ClientError as exc:
        refused = exc
    assert refused is None or is_stale_receipt(refused)
    assert await queue_counts(aws, queue) in ((0, 0), (0, 1))
