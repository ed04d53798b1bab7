"""Looking into the moto server's queues and bucket from tests."""

from __future__ import annotations

from shared.aws import AwsClients
from shared.queues import frames_queue_of
from shared.settings import AwsSettings


async def queue_counts(aws: AwsClients, queue: str) -> tuple[int, int]:
    """(visible, in flight) messages of ``queue``."""
    url = await aws.queue_url(queue)
    answer = await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    attrs = answer["Attributes"]
    return (
        int(attrs["ApproximateNumberOfMessages"]),
        int(attrs["ApproximateNumberOfMessagesNotVisible"]),
    )


async def drain(aws: AwsClients, queue: str) -> list[str]:
    """Receive and delete every message of ``queue``; return their bodies."""
    url = await aws.queue_url(queue)
    bodies: list[str] = []
    while True:
        got = await aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        if not got.get("Messages"):
            return bodies
        for message in got["Messages"]:
            bodies.append(message["Body"])
            await aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


async def keys(aws: AwsClients, bucket: str, prefix: str) -> list[str]:
    """The sorted keys under ``prefix`` in ``bucket``."""
    answer = await aws.s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for item in answer.get("Contents", []))


def frames_of(settings: AwsSettings, video: str = "demo") -> str:
    """The name of ``video``'s frames queue under ``settings``."""
    return frames_queue_of(settings.frames_queue, video)
