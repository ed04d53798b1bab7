"""S3 and SQS adapters behind ingest's ports."""

from __future__ import annotations

import asyncio
import logging

from botocore.exceptions import ClientError

from services.ingest.imaging import Renditions
from shared.aws import AwsClients, error_code, is_missing_object
from shared.errors import DependencyUnavailable, NotFound
from shared.messages import SubmissionIngested
from shared.queues import SqsQueueSender
from shared.records import (
    SubmissionRecord,
    VideoRecord,
    rendition_key,
    submission_record_key,
    video_record_key,
)

log = logging.getLogger(__name__)

_ALREADY_EXISTS = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict"})
_STALE_RECEIPT = frozenset({"ReceiptHandleIsInvalid", "InvalidParameterValue"})


class S3SubmissionStore:
    """:class:`SubmissionStore` in the media bucket (``submissions/{id}/…``)."""

    def __init__(self, aws: AwsClients, bucket: str, cache_control: str) -> None:
        self.aws = aws
        self.bucket = bucket
        self.cache_control = cache_control
        self._videos: dict[str, VideoRecord] = {}

    async def _get(self, key: str) -> bytes | None:
        try:
            answer = await self.aws.s3.get_object(Bucket=self.bucket, Key=key)
            async with answer["Body"] as body:
                return await body.read()
        except ClientError as exc:
            if is_missing_object(exc):
                return None
            raise DependencyUnavailable("s3", "the media store did not answer") from exc

    async def committed(self, submission_id: str) -> SubmissionRecord | None:
        data = await self._get(submission_record_key(submission_id))
        return None if data is None else SubmissionRecord.model_validate_json(data)

    async def video(self, video: str) -> VideoRecord:
        if video not in self._videos:
            data = await self._get(video_record_key(video))
            if data is None:
                raise NotFound(f"video {video!r} was never imported", code="unknown_video")
            self._videos[video] = VideoRecord.model_validate_json(data)
        return self._videos[video]

    async def put_renditions(self, submission_id: str, renditions: Renditions) -> None:
        parts = {"large": renditions.large, "medium": renditions.medium, "thumb": renditions.thumb}
        try:
            await asyncio.gather(
                *(
                    self.aws.s3.put_object(
                        Bucket=self.bucket,
                        Key=rendition_key(submission_id, name),
                        Body=data,
                        ContentType="image/jpeg",
                        CacheControl=self.cache_control,
                    )
                    for name, data in parts.items()
                )
            )
        except ClientError as exc:
            raise DependencyUnavailable("s3", "could not store the photo") from exc

    async def commit(self, record: SubmissionRecord) -> bool:
        try:
            await self.aws.s3.put_object(
                Bucket=self.bucket,
                Key=submission_record_key(record.submission_id),
                Body=record.model_dump_json().encode(),
                ContentType="application/json",
                IfNoneMatch="*",
            )
        except ClientError as exc:
            if error_code(exc) in _ALREADY_EXISTS:
                return False
            raise DependencyUnavailable("s3", "could not commit the submission") from exc
        return True

    def _announced_key(self, submission_id: str) -> str:
        return f"submissions/{submission_id}/announced"

    async def was_announced(self, submission_id: str) -> bool:
        return await self._get(self._announced_key(submission_id)) is not None

    async def mark_announced(self, submission_id: str) -> None:
        try:
            await self.aws.s3.put_object(
                Bucket=self.bucket, Key=self._announced_key(submission_id), Body=b""
            )
        except ClientError as exc:
            raise DependencyUnavailable("s3", "could not record the announcement") from exc


class SqsLeaseFinisher:
    """:class:`LeaseFinisher` on the ``frames`` queue."""

    def __init__(self, aws: AwsClients, queue: str) -> None:
        self.aws = aws
        self.queue = queue

    async def finish(self, receipt_handle: str) -> None:
        try:
            await self.aws.sqs.delete_message(
                QueueUrl=await self.aws.queue_url(self.queue), ReceiptHandle=receipt_handle
            )
        except ClientError as exc:
            if error_code(exc) not in _STALE_RECEIPT:
                raise DependencyUnavailable("sqs", "could not finish the lease") from exc
            # A late photo: the slot went to someone else, who may photograph it too.
            log.info("lease receipt was stale; the slot stays in the queue")


class SqsAnnouncer:
    """:class:`Announcer` on the ``moderation`` queue."""

    def __init__(self, aws: AwsClients, queue: str) -> None:
        self.aws = aws
        self.queue = queue

    async def announce(self, message: SubmissionIngested) -> None:
        try:
            await SqsQueueSender(self.aws).send(self.queue, message)
        except ClientError as exc:
            raise DependencyUnavailable("sqs", "could not hand the photo to moderation") from exc
