"""The object store: one port and its one S3 adapter, used by every service.

``ClientError``, ``BotoCoreError`` and the transport's ``aiohttp.ClientError`` (a body cut
short after its headers, e.g. ``ClientPayloadError``) never leave a ``with
object_errors(...)`` block. One error mapping:

    a missing object, or an unsatisfiable range             → :class:`NotFound`
    a failed precondition (``If-Match`` / ``If-None-Match``) → :class:`Conflict`
    a bucket that does not exist                            → :class:`MissingResource`
    creating a bucket we already own                        → :class:`Conflict`
    anything else                                           → :class:`DependencyUnavailable`

One retry policy: botocore's ``standard`` mode, set once for every client in
:func:`shared.aws.client_kwargs` (``aws_max_attempts`` tries, throttling, 5xx and
connection errors only). Nothing here adds a second layer on top. Every call is safe to
repeat: puts are whole-object and conditional where it matters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from aiohttp import ClientError as TransportError
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ValidationError

from shared.aws import error_code, is_missing_object
from shared.errors import Conflict, DependencyUnavailable, MissingResource, NotFound

if TYPE_CHECKING:
    from types_aiobotocore_s3.client import S3Client

T = TypeVar("T")
R = TypeVar("R", bound=BaseModel)

CHUNK_BYTES = 256 * 1024
DELETE_BATCH = 1000
PRECONDITION_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412"})
RANGE_CODES = frozenset({"InvalidRange", "416"})
MISSING_BUCKET_CODE = "NoSuchBucket"
OWNED_BUCKET_CODE = "BucketAlreadyOwnedByYou"


@dataclass(frozen=True)
class StoredObject:
    """A whole object: its bytes and its ETag (the content version, without quotes)."""

    data: bytes
    etag: str


@dataclass
class ObjectStream:
    """An object (or a byte range of it) being read: its headers, then its chunks."""

    content_length: int
    content_type: str | None
    cache_control: str | None
    content_range: str | None
    chunks: AsyncIterator[bytes]


class ObjectStore(Protocol):
    """Objects by key in one bucket, with ETags as their content versions.

    :class:`S3ObjectStore` is the adapter; ``tests/fakes/objects.py`` has the in-memory one.
    """

    async def get(self, key: str) -> StoredObject: ...

    async def find(self, key: str) -> bytes | None: ...

    async def get_record(self, key: str, model: type[R]) -> R: ...

    async def find_record(self, key: str, model: type[R]) -> R | None: ...

    async def put(
        self,
        key: str,
        data: bytes,
        content_type: str,
        *,
        cache_control: str | None = None,
        if_match: str | None = None,
        if_absent: bool = False,
    ) -> str: ...

    async def put_record(
        self,
        key: str,
        record: BaseModel,
        *,
        cache_control: str | None = None,
        if_match: str | None = None,
        if_absent: bool = False,
    ) -> str: ...

    async def create(self, key: str, data: bytes, content_type: str) -> bool: ...

    async def download(self, key: str, path: Path) -> str: ...

    async def stream(self, key: str, byte_range: str | None = None) -> ObjectStream: ...

    async def etag(self, key: str) -> str: ...

    async def exists(self, key: str) -> bool: ...

    async def etags(self, prefix: str) -> dict[str, str]: ...

    async def prefixes(self, prefix: str) -> list[str]: ...

    async def delete(self, keys: list[str]) -> None: ...

    async def url(self, key: str, seconds: int) -> str: ...


class S3ObjectStore:
    """:class:`ObjectStore` on one S3 bucket, plus what S3 alone can do (ranges, URLs)."""

    def __init__(self, s3: S3Client, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    async def get(self, key: str) -> StoredObject:
        """The object's bytes and ETag (NotFound when absent)."""

        async def read() -> StoredObject:
            answer = await self.s3.get_object(Bucket=self.bucket, Key=key)
            async with answer["Body"] as body:
                return StoredObject(await body.read(), answer["ETag"].strip('"'))

        return await self._call(key, read)

    async def find(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""
        try:
            return (await self.get(key)).data
        except NotFound:
            return None

    async def get_record(self, key: str, model: type[R]) -> R:
        """The JSON record at ``key`` parsed as ``model`` (NotFound when absent)."""
        data = (await self.get(key)).data
        try:
            return model.model_validate_json(data)
        except ValidationError as exc:
            raise DependencyUnavailable("s3", f"{key} is not a valid {model.__name__}") from exc

    async def find_record(self, key: str, model: type[R]) -> R | None:
        """The JSON record at ``key`` parsed as ``model``, or None when absent."""
        try:
            return await self.get_record(key, model)
        except NotFound:
            return None

    async def put(
        self,
        key: str,
        data: bytes,
        content_type: str,
        *,
        cache_control: str | None = None,
        if_match: str | None = None,
        if_absent: bool = False,
    ) -> str:
        """Store ``data``; with ``if_match``/``if_absent`` only if the key is as expected."""
        kwargs: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Body": data,
            "ContentType": content_type,
        }
        if cache_control:
            kwargs["CacheControl"] = cache_control
        if if_match is not None:
            kwargs["IfMatch"] = if_match
        if if_absent:
            kwargs["IfNoneMatch"] = "*"
        answer = await self._call(key, lambda: self.s3.put_object(**kwargs))
        return answer["ETag"].strip('"')

    async def put_record(
        self,
        key: str,
        record: BaseModel,
        *,
        cache_control: str | None = None,
        if_match: str | None = None,
        if_absent: bool = False,
    ) -> str:
        """Store ``record`` as JSON (same preconditions as :meth:`put`)."""
        return await self.put(
            key,
            record.model_dump_json().encode(),
            "application/json",
            cache_control=cache_control,
            if_match=if_match,
            if_absent=if_absent,
        )

    async def create(self, key: str, data: bytes, content_type: str) -> bool:
        """Store ``data`` only if ``key`` is absent; False when it already existed."""
        try:
            await self.put(key, data, content_type, if_absent=True)
        except Conflict:
            return False
        return True

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

    async def stream(self, key: str, byte_range: str | None = None) -> ObjectStream:
        """Open the object (or ``byte_range``, an HTTP ``Range`` value) for streaming."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if byte_range:
            kwargs["Range"] = byte_range
        answer = await self._call(key, lambda: self.s3.get_object(**kwargs))
        return ObjectStream(
            content_length=answer["ContentLength"],
            content_type=answer.get("ContentType"),
            cache_control=answer.get("CacheControl"),
            content_range=answer.get("ContentRange"),
            chunks=_chunks(answer["Body"], key),
        )

    async def etag(self, key: str) -> str:
        """The ETag of ``key`` (NotFound when absent)."""
        answer = await self._call(key, lambda: self.s3.head_object(Bucket=self.bucket, Key=key))
        return answer["ETag"].strip('"')

    async def exists(self, key: str) -> bool:
        """Is there an object at ``key``?"""
        try:
            await self.etag(key)
        except NotFound:
            return False
        return True

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
        """The "folders" directly under ``prefix`` (delimiter ``/``), every page of them."""
        found: list[str] = []
        paginator = self.s3.get_paginator("list_objects_v2")

        async def list_all() -> None:
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
                found.extend(p["Prefix"] for p in page.get("CommonPrefixes", []))

        await self._call(prefix, list_all)
        return found

    async def delete(self, keys: list[str]) -> None:
        """Delete ``keys`` (missing ones are fine), a thousand per request."""
        for start in range(0, len(keys), DELETE_BATCH):
            chunk: list[Any] = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
            await self._call(
                keys[start],
                lambda c=chunk: self.s3.delete_objects(  # type: ignore[misc]
                    Bucket=self.bucket, Delete={"Objects": c, "Quiet": True}
                ),
            )

    async def url(self, key: str, seconds: int) -> str:
        """A presigned GET URL of ``key``, valid for ``seconds``."""
        return await self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=seconds
        )

    async def _call(self, key: str, call: Callable[[], Awaitable[T]]) -> T:
        with object_errors(key):
            return await call()


@contextmanager
def object_errors(key: str) -> Iterator[None]:
    """Within the block, S3 failures about ``key`` (an object or a bucket) become the
    project's errors, as the module docstring maps them."""
    try:
        yield
    except ClientError as exc:
        raise translate(exc, key) from exc
    except (BotoCoreError, TransportError) as exc:
        raise _unavailable(key) from exc


def _unavailable(key: str) -> DependencyUnavailable:
    """Our error for S3 not answering (or not finishing its answer) about ``key``."""
    return DependencyUnavailable("s3", f"the media store failed for {key}")


def translate(exc: ClientError, key: str) -> Exception:
    """Our error for an S3 ``ClientError`` about ``key``."""
    code = error_code(exc)
    if code in PRECONDITION_CODES:
        return Conflict(f"{key} changed meanwhile ({code})", code="precondition_failed")
    if is_missing_object(exc):
        return NotFound(f"{key} does not exist")
    if code in RANGE_CODES:
        return NotFound(f"{key} has no such byte range", code="range_not_satisfiable")
    if code == MISSING_BUCKET_CODE:
        return MissingResource("s3", f"the bucket of {key} does not exist")
    if code == OWNED_BUCKET_CODE:
        return Conflict(f"bucket {key} is ours already", code="bucket_owned")
    return DependencyUnavailable("s3", f"the media store refused {key} ({code})")


async def _chunks(body: Any, key: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in body.iter_chunks(CHUNK_BYTES):
            yield chunk
    except (BotoCoreError, TransportError) as exc:
        raise _unavailable(key) from exc
    finally:
        body.close()
