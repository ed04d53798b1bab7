"""The photos moderation looks at: read from S3, and handed to the crowd as URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from shared.aws import is_missing_object
from shared.errors import DependencyUnavailable

if TYPE_CHECKING:
    from types_aiobotocore_s3.client import S3Client


class MediaStore(Protocol):
    """Stored images by key."""

    async def read(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""
        ...

    async def url(self, key: str) -> str:
        """A URL anyone holding it may GET the object from, for a while."""
        ...


class S3MediaStore:
    """:class:`MediaStore` on the media bucket; URLs are presigned GETs.

    botocore retries transient failures (standard mode, ``aws_max_attempts``).
    """

    def __init__(self, s3: S3Client, bucket: str, url_seconds: int) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.url_seconds = url_seconds

    async def read(self, key: str) -> bytes | None:
        """Download ``key`` whole (renditions are small JPEGs)."""
        try:
            answer = await self.s3.get_object(Bucket=self.bucket, Key=key)
            async with answer["Body"] as body:
                return await body.read()
        except ClientError as exc:
            if is_missing_object(exc):
                return None
            raise DependencyUnavailable("s3", f"reading {key} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise DependencyUnavailable("s3", f"reading {key} failed: {exc}") from exc

    async def url(self, key: str) -> str:
        """A presigned GET URL of ``key``, valid for ``url_seconds``."""
        return await self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.url_seconds
        )
