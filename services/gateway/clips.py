"""The published clip and the video records, read from the bucket."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from shared.aws import AwsClients, is_missing_object
from shared.errors import DependencyUnavailable, NotFound
from shared.records import (
    VideoRecord,
    current_clip_key,
    submission_record_key,
    video_record_key,
)


class S3ClipReader:
    """Reads ``clips/{video}/current.json`` and ``originals/{video}/video.json``."""

    def __init__(self, aws: AwsClients, bucket: str) -> None:
        self.aws = aws
        self.bucket = bucket

    async def _json(self, key: str) -> Any:
        try:
            answer = await self.aws.s3.get_object(Bucket=self.bucket, Key=key)
            async with answer["Body"] as body:
                return json.loads(await body.read())
        except ClientError as exc:
            if is_missing_object(exc):
                raise NotFound(f"{key} does not exist") from exc
            raise DependencyUnavailable("s3", "the media store did not answer") from exc

    async def video(self, video: str) -> VideoRecord:
        """The record of an imported video (NotFound if it was never imported)."""
        return VideoRecord.model_validate(await self._json(video_record_key(video)))

    async def current(self, video: str) -> dict[str, Any] | None:
        """The current clip pointer of ``video``, or None before the first render."""
        try:
            pointer: dict[str, Any] = await self._json(current_clip_key(video))
        except NotFound:
            return None
        return pointer

    async def submitted(self, submission_id: str) -> dict[str, Any] | None:
        """The commit record of a submission, or None if it was never stored."""
        try:
            record: dict[str, Any] = await self._json(submission_record_key(submission_id))
        except NotFound:
            return None
        return record
