"""aioboto3 session and client factory: timeouts and bounded retries on every client.

Clients are opened once per process, in a service's lifespan, through an
``AsyncExitStack`` that closes them on shutdown.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError

from shared.settings import AwsSettings

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient
    from types_aiobotocore_s3.client import S3Client
    from types_aiobotocore_sqs.client import SQSClient


# What S3 answers (by operation and client) when the object is not there.
MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
# What SQS answers to a delete / visibility change with a receipt handle that is no
# longer current (the message was received again, or deleted already).
STALE_RECEIPT_CODES = frozenset(
    {"ReceiptHandleIsInvalid", "MessageNotInflight", "InvalidParameterValue"}
)
CONDITION_FAILED_CODE = "ConditionalCheckFailedException"
# What SQS answers (by protocol: query or JSON) when the named queue does not exist.
MISSING_QUEUE_CODES = frozenset(
    {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NonExistentQueue"}
)
# What S3's HeadBucket and DynamoDB's DescribeTable answer for a bucket or table that
# does not exist.
MISSING_BUCKET_CODES = frozenset({"404", "NoSuchBucket", "NotFound"})
MISSING_TABLE_CODE = "ResourceNotFoundException"

AwsService = Literal["s3", "sqs", "dynamodb"]


def error_code(exc: ClientError) -> str:
    """The AWS error code of a botocore ``ClientError`` (empty if it has none)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_missing_object(exc: ClientError) -> bool:
    """True when an S3 call failed because the object does not exist."""
    return error_code(exc) in MISSING_OBJECT_CODES


def is_condition_failed(exc: ClientError) -> bool:
    """True when a DynamoDB write was refused by its ``ConditionExpression``."""
    return error_code(exc) == CONDITION_FAILED_CODE


def is_missing_queue(exc: ClientError) -> bool:
    """True when an SQS call named a queue that does not exist."""
    return error_code(exc) in MISSING_QUEUE_CODES


def is_stale_receipt(exc: ClientError) -> bool:
    """True when an SQS call named a receipt handle that is no longer current."""
    return error_code(exc) in STALE_RECEIPT_CODES


def endpoint_url(settings: AwsSettings, service: AwsService) -> str | None:
    """Where ``service``'s client connects: its own endpoint, else the common one.

    Passing one ``endpoint_url`` to every client would override botocore's per-service
    environment names, so the choice is made here, in botocore's order.
    """
    own = {
        "s3": settings.aws_endpoint_url_s3,
        "sqs": settings.aws_endpoint_url_sqs,
        "dynamodb": settings.aws_endpoint_url_dynamodb,
    }[service]
    return own or settings.aws_endpoint_url


def client_kwargs(settings: AwsSettings, service: AwsService) -> dict[str, Any]:
    """Keyword arguments for ``session.client(service, ...)``: endpoint, region, keys,
    config."""
    kwargs: dict[str, Any] = {
        "region_name": settings.aws_region,
        "config": AioConfig(
            connect_timeout=settings.aws_connect_timeout_seconds,
            read_timeout=settings.aws_read_timeout_seconds,
            retries={"max_attempts": settings.aws_max_attempts, "mode": "standard"},
            max_pool_connections=50,
        ),
    }
    if endpoint := endpoint_url(settings, service):
        kwargs["endpoint_url"] = endpoint
    if settings.aws_access_key_id and settings.aws_secret_access_key:
        kwargs["aws_access_key_id"] = settings.aws_access_key_id.get_secret_value()
        kwargs["aws_secret_access_key"] = settings.aws_secret_access_key.get_secret_value()
        if settings.aws_session_token:
            kwargs["aws_session_token"] = settings.aws_session_token.get_secret_value()
    return kwargs


@dataclass
class AwsClients:
    """The AWS clients of one process, plus a cache of resolved queue URLs."""

    s3: S3Client
    sqs: SQSClient
    dynamodb: DynamoDBClient
    _queue_urls: dict[str, str] = field(default_factory=dict)

    async def queue_url(self, name: str) -> str:
        """The URL of queue ``name`` (looked up once)."""
        if name not in self._queue_urls:
            answer = await self.sqs.get_queue_url(QueueName=name)
            self._queue_urls[name] = answer["QueueUrl"]
        return self._queue_urls[name]


async def open_aws_clients(settings: AwsSettings, stack: AsyncExitStack) -> AwsClients:
    """Open S3, SQS and DynamoDB clients that close when ``stack`` does."""
    session = aioboto3.Session()
    s3 = await stack.enter_async_context(session.client("s3", **client_kwargs(settings, "s3")))
    sqs = await stack.enter_async_context(session.client("sqs", **client_kwargs(settings, "sqs")))
    dynamodb = await stack.enter_async_context(
        session.client("dynamodb", **client_kwargs(settings, "dynamodb"))
    )
    return AwsClients(s3=s3, sqs=sqs, dynamodb=dynamodb)
