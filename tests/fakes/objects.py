"""``MemoryObjectStore``: the :class:`shared.objects.ObjectStore` port in a dict."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from shared.errors import Conflict, DependencyUnavailable, NotFound
from shared.objects import ObjectStream, StoredObject

R = TypeVar("R", bound=BaseModel)
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class _Entry:
    data: bytes
    etag: str
    content_type: str
    cache_control: str | None


class MemoryObjectStore:
    """Objects in memory, with S3's conditional-write rules (412 → Conflict)."""

    def __init__(self) -> None:
        self.objects: dict[str, _Entry] = {}
        # Set to make every call fail as if S3 were unreachable.
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise DependencyUnavailable("s3", "the media store did not answer")

    def _entry(self, key: str) -> _Entry:
        self._check()
        if key not in self.objects:
            raise NotFound(f"{key} does not exist")
        return self.objects[key]

    async def get(self, key: str) -> StoredObject:
        entry = self._entry(key)
        return StoredObject(entry.data, entry.etag)

    async def find(self, key: str) -> bytes | None:
        try:
            return (await self.get(key)).data
        except NotFound:
            return None

    async def get_record(self, key: str, model: type[R]) -> R:
        try:
            return model.model_validate_json((await self.get(key)).data)
        except ValidationError as exc:
            raise DependencyUnavailable("s3", f"{key} is not a valid {model.__name__}") from exc

    async def find_record(self, key: str, model: type[R]) -> R | None:
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
        self._check()
        current = self.objects.get(key)
        if if_absent and current is not None:
            raise Conflict(f"{key} changed meanwhile", code="precondition_failed")
        if if_match is not None:
            if current is None:
                raise NotFound(f"{key} does not exist")
            if current.etag != if_match:
                raise Conflict(f"{key} changed meanwhile", code="precondition_failed")
        etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
        self.objects[key] = _Entry(bytes(data), etag, content_type, cache_control)
        return etag

    async def put_record(
        self,
        key: str,
        record: BaseModel,
        *,
        cache_control: str | None = None,
        if_match: str | None = None,
        if_absent: bool = False,
    ) -> str:
        return await self.put(
            key,
            record.model_dump_json().encode(),
            "application/json",
            cache_control=cache_control,
            if_match=if_match,
            if_absent=if_absent,
        )

    async def create(self, key: str, data: bytes, content_type: str) -> bool:
        try:
            await self.put(key, data, content_type, if_absent=True)
        except Conflict:
            return False
        return True

    async def download(self, key: str, path: Path) -> str:
        entry = self._entry(key)
        path.write_bytes(entry.data)
        return entry.etag

    async def stream(self, key: str, byte_range: str | None = None) -> ObjectStream:
        entry = self._entry(key)
        data, content_range = entry.data, None
        match = _RANGE.match(byte_range or "")
        if match and any(match.groups()):
            first, last = _span(match.group(1), match.group(2), len(data))
            if first > last:
                raise NotFound(f"{key} has no such byte range", code="range_not_satisfiable")
            content_range = f"bytes {first}-{last}/{len(data)}"
            data = data[first : last + 1]
        return ObjectStream(
            content_length=len(data),
            content_type=entry.content_type,
            cache_control=entry.cache_control,
            content_range=content_range,
            chunks=_one_chunk(data),
        )

    async def etag(self, key: str) -> str:
        return self._entry(key).etag

    async def exists(self, key: str) -> bool:
        self._check()
        return key in self.objects

    async def etags(self, prefix: str) -> dict[str, str]:
        self._check()
        return {k: e.etag for k, e in sorted(self.objects.items()) if k.startswith(prefix)}

    async def prefixes(self, prefix: str) -> list[str]:
        self._check()
        found = {
            prefix + key[len(prefix) :].split("/", 1)[0] + "/"
            for key in self.objects
            if key.startswith(prefix) and "/" in key[len(prefix) :]
        }
        return sorted(found)

    async def delete(self, keys: list[str]) -> None:
        self._check()
        for key in keys:
            self.objects.pop(key, None)

    async def url(self, key: str, seconds: int) -> str:
        return f"memory://objects/{key}?expires={seconds}"


def _span(first: str, last: str, size: int) -> tuple[int, int]:
    if not first:  # a suffix range: the last N bytes
        return max(size - int(last), 0), size - 1
    return int(first), min(int(last), size - 1) if last else size - 1


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data
