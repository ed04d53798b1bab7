"""The renderer's view of S3: a small ``BlobStore`` port and its S3 adapter.

``ClientError`` never leaves this module: a failed precondition becomes
:class:`Conflict`, a missing key :class:`NotFound`, anything else
:class:`DependencyUnavailable`. Transient failures are retried here, once, with the
project's tenacity policy; every call is safe to repeat.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from shared.aws import error_code, is_missing_object
from shared.errors import Conflict, DependencyUnavailable, NotFound
from shared.retry import is_transient_aws_error, transient_retry

if TYPE_CHECKING:
    from types_aiobotocore_s3.client import S3Client

T = TypeVar("T")
RETRY_SECONDS = 20.0
CHUNK_BYTES = 1 << 20
PRECONDITION_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})


class BlobStore(Protocol):
    """Objects by key, with ETags as their content version."""

    async def put(
        self,
        key: str,
        data: bytes,
        content_type: str,
        *,
        if_match: str | None = None,
        if_absent: bool = False,
    ) -> str: ...

    async def get(self, key: str) -> tuple[bytes, str]: ...

    async def download(self, key: str, path: Path) -> str: ...

    async def etags(self, prefix: str) -> dict[str, str]: ...


class S3BlobStore:
    """``BlobStore`` on one S3 bucket."""

    def __init__(self, s3: S3Client, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    async def put(
        self,
        key: str,
        data: bytes,
        content_type: str,
        *,
        if_match: str | None = None,
        if_absent: bool = False,
        cache_control: str | None = None,
    ) -> str:
        """Store ``data``; with ``if_match``/``if_absent`` only if the key is as expected."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "Body": data}
        kwargs["ContentType"] = content_type
        if cache_control:
            kwargs["CacheControl"] = cache_control
        if if_match is not None:
            kwargs["IfMatch"] = if_match
        if if_absent:
            kwargs["IfNoneMatch"] = "*"
        answer = await self._call(key, lambda: self.s3.put_object(**kwargs))
        return answer["ETag"].strip('"')

    async def get(self, key: str) -> tuple[bytes, str]:
        """The object's bytes and ETag."""

        async def read() -> tuple[bytes, str]:
            answer = await self.s3.get_object(Bucket=self.bucket, Key=key)
            async with answer["Body"] as body:
                return await body.read(), answer["ETag"].strip('"')

        return await self._call(key, read)

    async def download(self, key: str, path: Path) -> str:
        """Write the object to ``path`` in chunks (bounded memory); return its ETag."""

        async def fetch() -> str:
            answer = await self.s3.get_object(Bucket=self.bucket, Key=key)
            body = answer["Body"]
            try:
                with path.open("wb") as file:
                    while chunk := await body.read(CHUNK_BYTES):
                        file.write(chunk)
            finally:
                body.close()
            return answer["ETag"].strip('"')

        return await self._call(key, fetch)

    async def etag(self, key: str) -> str:
        """The ETag of ``key`` (NotFound when absent)."""
        answer = await self._call(key, lambda: self.s3.head_object(Bucket=self.bucket, Key=key))
        return answer["ETag"].strip('"')

    async def etags(self, prefix: str) -> dict[str, str]:
        """Key → ETag of every object under ``prefix``."""
        found: dict[str, str] = {}
        paginator = self.s3.get_paginator("list_objects_v2")

        async def list_all() -> None:
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    found[item["Key"]] = item["ETag"].strip('"')

        await self._call(prefix, list_all)
        return found

    async def prefixes(self, prefix: str) -> list[str]:
        """The "folders" directly under ``prefix`` (delimiter ``/``)."""
        answer = await self._call(
            prefix,
            lambda: self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix, Delimiter="/"),
        )
        return [p["Prefix"] for p in answer.get("CommonPrefixes", [])]

    async def delete(self, keys: list[str]) -> None:
        """Delete ``keys`` (missing ones are fine), a thousand per request."""
        for start in range(0, len(keys), 1000):
            chunk = [{"Key": key} for key in keys[start : start + 1000]]
            await self._call(
                keys[start],
                lambda c=chunk: self.s3.delete_objects(  # type: ignore[misc]
                    Bucket=self.bucket, Delete={"Objects": c, "Quiet": True}
                ),
            )

    async def _call(self, key: str, call: Callable[[], Awaitable[T]]) -> T:
        try:
            async for attempt in transient_retry(
                is_transient_aws_error, max_elapsed_seconds=RETRY_SECONDS
            ):
                with attempt:
                    return await call()
        except ClientError as exc:
            raise translate(exc, key) from exc
        except BotoCoreError as exc:
            raise DependencyUnavailable("s3", f"S3 failed for {key}: {exc}") from exc
        raise AssertionError("unreachable")


def translate(exc: ClientError, key: str) -> Exception:
    """Our error for an S3 ``ClientError`` about ``key``."""
    code = error_code(exc)
    if code in PRECONDITION_CODES:
        return Conflict(f"{key} changed meanwhile ({code})", code="precondition_failed")
    if is_missing_object(exc):
        return NotFound(f"{key} does not exist")
    return DependencyUnavailable("s3", f"S3 refused {key}: {code}")
