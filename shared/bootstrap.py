"""Create every AWS resource the project uses; safe to run any number of times.

``python -m shared.bootstrap`` creates the media bucket, the three work queues each
with a dead-letter queue (redrive after ``max_receive_count`` receives), and the two
DynamoDB tables. Existing resources are left as they are.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import AsyncExitStack
from typing import Any

from botocore.exceptions import ClientError

from shared.aws import AwsClients, error_code, open_aws_clients
from shared.logs import configure_logging
from shared.settings import AwsSettings

log = logging.getLogger(__name__)

DLQ_SUFFIX = "-dlq"
# Dead letters are kept for the SQS maximum so an operator can look at them.
DLQ_RETENTION_SECONDS = 14 * 24 * 3600


def table_definition(name: str) -> dict[str, Any]:
    """A single-table layout: ``pk``/``sk`` keys plus one general index ``gsi1``.

    Each service stores its items (reviews, slots, candidates, locks) under typed key
    prefixes, so new access patterns need no new tables.
    """
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": attr, "AttributeType": "S"}
            for attr in ("pk", "sk", "gsi1pk", "gsi1sk")
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }


async def ensure_bucket(aws: AwsClients, settings: AwsSettings) -> None:
    """Create the media bucket unless we already own it."""
    kwargs: dict[str, Any] = {"Bucket": settings.media_bucket}
    if settings.aws_region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": settings.aws_region}
    try:
        await aws.s3.create_bucket(**kwargs)
        log.info("created bucket", extra={"bucket": settings.media_bucket})
    except ClientError as exc:
        if error_code(exc) != "BucketAlreadyOwnedByYou":
            raise


async def ensure_queue(aws: AwsClients, name: str, max_receive_count: int) -> str:
    """Create queue ``name`` and its dead-letter queue; return the queue URL."""
    dlq = await aws.sqs.create_queue(
        QueueName=name + DLQ_SUFFIX,
        Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)},
    )
    dlq_attrs = await aws.sqs.get_queue_attributes(
        QueueUrl=dlq["QueueUrl"], AttributeNames=["QueueArn"]
    )
    redrive = {
        "deadLetterTargetArn": dlq_attrs["Attributes"]["QueueArn"],
        "maxReceiveCount": str(max_receive_count),
    }
    queue = await aws.sqs.create_queue(QueueName=name)
    # Set the policy separately: create_queue refuses changed attributes on a re-run.
    await aws.sqs.set_queue_attributes(
        QueueUrl=queue["QueueUrl"], Attributes={"RedrivePolicy": json.dumps(redrive)}
    )
    return queue["QueueUrl"]


async def ensure_table(aws: AwsClients, name: str) -> None:
    """Create table ``name`` unless it exists, and wait until it is active."""
    try:
        await aws.dynamodb.create_table(**table_definition(name))
        log.info("created table", extra={"table": name})
    except ClientError as exc:
        if error_code(exc) != "ResourceInUseException":
            raise
    waiter = aws.dynamodb.get_waiter("table_exists")
    await waiter.wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


async def bootstrap(aws: AwsClients, settings: AwsSettings) -> None:
    """Ensure every resource exists."""
    await ensure_bucket(aws, settings)
    for queue in (settings.frames_queue, settings.moderation_queue, settings.render_queue):
        await ensure_queue(aws, queue, settings.max_receive_count)
    for table in (settings.reviews_table, settings.slots_table):
        await ensure_table(aws, table)


async def main(settings: AwsSettings) -> None:
    """Open clients, bootstrap, close."""
    async with AsyncExitStack() as stack:
        aws = await open_aws_clients(settings, stack)
        await bootstrap(aws, settings)
    log.info("bootstrap complete")


if __name__ == "__main__":
    configure_logging("bootstrap")
    asyncio.run(main(AwsSettings()))
