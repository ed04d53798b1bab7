"""Create every AWS resource the project uses; safe to run any number of times.

``python -m shared.bootstrap`` creates the media bucket, the moderation, render and
segments queues each with a dead-letter queue, the Mechanical Turk notification queue
(with a policy letting MTurk send to it), and the two DynamoDB tables. Each video's frames
queue is created by moderation's feeder when it first sees the video (videos are
imported at any time), with :func:`ensure_work_queue` and no receive limit. Queue
attributes are set on every run, so queues made by an older bootstrap are brought up to
date; other existing resources are left as they are.

Every queue keeps its messages for the SQS maximum. ``moderation``, ``render`` and
``segments`` (the renderer's fan-out to encoder workers) redrive
a message to their dead-letter queue after ``max_receive_count`` receives (a handler
that keeps failing). Frames queues have no redrive policy: a lease is a receive, so released
and expired leases would count towards the limit and kill their slot. The gateway moves
a malformed frames body to the dead-letter queue itself.

The command runs only with ``OFOF_BOOTSTRAP=true`` (``make run`` and the compose file set
it); in production the CloudFormation stacks of ``deploy/cloudformation`` create every
resource. The one thing a service creates is a new video's frames queue (moderation's
feeder, when it first sees the video), which its role may do for ``ofof-frames-*`` only.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack, suppress
from typing import TYPE_CHECKING, Any

from shared.aws import AwsClients, open_aws_clients
from shared.errors import Conflict
from shared.logs import configure_logging
from shared.objects import object_errors
from shared.queues import DLQ_SUFFIX as DLQ_SUFFIX
from shared.queues import dead_letter_queue, queue_errors
from shared.settings import AwsSettings
from shared.tables import table_errors

if TYPE_CHECKING:
    from types_aiobotocore_sqs.literals import QueueAttributeNameType

log = logging.getLogger(__name__)

# The SQS maximum (the default is 4 days): a slot nobody photographs for two weeks is
# still offered, and dead letters stay long enough for an operator to look at them.
RETENTION_SECONDS = 14 * 24 * 3600


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
    # Conflict here means we own it already; a bucket owned by another account raises.
    with suppress(Conflict), object_errors(settings.media_bucket):
        await aws.s3.create_bucket(**kwargs)
        log.info("created bucket", extra={"bucket": settings.media_bucket})


async def ensure_queue(
    aws: AwsClients, name: str, attributes: Mapping[QueueAttributeNameType, str]
) -> str:
    """Create queue ``name`` unless it exists, set ``attributes`` on it; return its URL."""
    # Create it bare and set the attributes apart: create_queue refuses attributes that
    # differ from an existing queue's, and an existing queue must be updated too.
    with queue_errors(name, "creating"):
        url = (await aws.sqs.create_queue(QueueName=name))["QueueUrl"]
        await aws.sqs.set_queue_attributes(QueueUrl=url, Attributes=dict(attributes))
    return url


async def ensure_work_queue(aws: AwsClients, name: str, max_receive_count: int | None) -> str:
    """Create queue ``name`` and its dead-letter queue; return the queue URL."""
    retention: dict[QueueAttributeNameType, str] = {
        "MessageRetentionPeriod": str(RETENTION_SECONDS)
    }
    dlq_url = await ensure_queue(aws, dead_letter_queue(name), retention)
    redrive = await redrive_policy(aws, dlq_url, max_receive_count)
    return await ensure_queue(aws, name, {**retention, "RedrivePolicy": redrive})


async def redrive_policy(aws: AwsClients, dlq_url: str, max_receive_count: int | None) -> str:
    """Redrive to ``dlq_url`` after ``max_receive_count`` receives; never when None.

    "Never" is the empty policy, which also removes a policy an older bootstrap set.
    """
    if max_receive_count is None:
        return ""
    target = await queue_arn(aws, dlq_url)
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": str(max_receive_count)})


async def queue_arn(aws: AwsClients, url: str) -> str:
    """The ARN of the queue at ``url``."""
    with queue_errors(url, "reading the ARN"):
        answer = await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return answer["Attributes"]["QueueArn"]


def receive_limits(settings: AwsSettings) -> dict[str, int | None]:
    """Each fixed work queue and its receive limit."""
    return {
        settings.moderation_queue: settings.max_receive_count,
        settings.render_queue: settings.max_receive_count,
        settings.segments_queue: settings.max_receive_count,
    }


MTURK_PRINCIPAL = "mturk-requester.amazonaws.com"


def mturk_send_policy(queue_arn: str) -> str:
    """The queue policy letting Mechanical Turk (and only it, over TLS, for our account)
    send notifications to ``queue_arn``."""
    account = queue_arn.split(":")[4]
    statement = {
        "Sid": "MturkNotifications",
        "Effect": "Allow",
        "Principal": {"Service": MTURK_PRINCIPAL},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {
            "Bool": {"aws:SecureTransport": "true"},
            "StringEquals": {"aws:SourceAccount": account},
        },
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


async def ensure_mturk_queue(aws: AwsClients, settings: AwsSettings) -> str:
    """Create the MTurk notification queue (with its dead-letter queue) and its policy."""
    url = await ensure_work_queue(aws, settings.mturk_queue, settings.max_receive_count)
    policy = mturk_send_policy(await queue_arn(aws, url))
    with queue_errors(settings.mturk_queue, "setting the policy"):
        await aws.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    return url


async def ensure_table(aws: AwsClients, name: str) -> None:
    """Create table ``name`` unless it exists, and wait until it is active."""
    # Conflict here means the table exists already (or is being created).
    with suppress(Conflict), table_errors(f"creating table {name}"):
        await aws.dynamodb.create_table(**table_definition(name))
        log.info("created table", extra={"table": name})
    with table_errors(f"waiting for table {name}"):
        waiter = aws.dynamodb.get_waiter("table_exists")
        await waiter.wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


async def bootstrap(aws: AwsClients, settings: AwsSettings) -> None:
    """Ensure every resource exists."""
    await ensure_bucket(aws, settings)
    for queue, max_receive_count in receive_limits(settings).items():
        await ensure_work_queue(aws, queue, max_receive_count)
    await ensure_mturk_queue(aws, settings)
    for table in (settings.reviews_table, settings.slots_table):
        await ensure_table(aws, table)


class BootstrapOff(RuntimeError):
    """Bootstrap was asked for with ``OFOF_BOOTSTRAP`` off (production)."""


async def main(settings: AwsSettings) -> None:
    """Open clients, bootstrap, close; refuse when the ``bootstrap`` setting is off."""
    if not settings.bootstrap:
        raise BootstrapOff(
            "OFOF_BOOTSTRAP is off: resources come from the CloudFormation stack "
            "(deploy/cloudformation); set OFOF_BOOTSTRAP=true to create them here"
        )
    async with AsyncExitStack() as stack:
        aws = await open_aws_clients(settings, stack)
        await bootstrap(aws, settings)
    log.info("bootstrap complete")


if __name__ == "__main__":
    configure_logging("bootstrap")
    asyncio.run(main(AwsSettings()))
