"""``DiskBlobCache``: the :class:`BlobCache` port as files on local disk, bounded (LRU).

Entries are stored objects keyed by key + ETag, fetched through a :class:`Downloader`
(the object store).

Files live under one folder named by a hash of (key, ETag), so a changed object is a
new entry and a restart finds every entry again. A hit touches the file's mtime; when
the total passes the bound, the least recently used files go first. Concurrent asks
for the same object share one download, so each object is downloaded once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from pathlib import Path

from services.renderer.renders.clips import BlobRef
from services.renderer.renders.ports import Downloader

log = logging.getLogger(__name__)


class DiskBlobCache:
    """Bounded LRU cache of stored objects on local disk."""

    def __init__(self, source: Downloader, folder: Path, max_bytes: int) -> None:
        self.source = source
        self.folder = folder
        self.max_bytes = max_bytes
        self.downloads = 0
        self._inflight: dict[Path, asyncio.Future[Path]] = {}
        folder.mkdir(parents=True, exist_ok=True)
        self._sizes = {p: p.stat().st_size for p in folder.glob("*.blob")}

    def path_of(self, ref: BlobRef) -> Path:
        """Where the entry for ``ref`` lives (whether or not it is cached)."""
        name = hashlib.sha256(f"{ref.key}\0{ref.etag}".encode()).hexdigest()
        return self.folder / f"{name}.blob"

    async def fetch(self, ref: BlobRef) -> Path:
        """The local path of ``ref``'s bytes, downloading them if needed."""
        path = self.path_of(ref)
        if path in self._sizes and path.exists():
            os.utime(path)
            return path
        if path not in self._inflight:
            self._inflight[path] = asyncio.ensure_future(self._download(ref, path))
        try:
            return await asyncio.shield(self._inflight[path])
        finally:
            self._inflight.pop(path, None)

    async def fetch_all(self, refs: list[BlobRef], parallel: int = 16) -> list[Path]:
        """Paths of every ``ref``, in order, with at most ``parallel`` downloads at once."""
        limit = asyncio.Semaphore(parallel)

        async def one(ref: BlobRef) -> Path:
            async with limit:
                return await self.fetch(ref)

        return list(await asyncio.gather(*(one(ref) for ref in refs)))

    async def _download(self, ref: BlobRef, path: Path) -> Path:
        scratch = path.with_suffix(f".{os.getpid()}.part")
        await self.source.download(ref.key, scratch)
        size = await asyncio.to_thread(_replace, scratch, path)
        self.downloads += 1
        self._sizes[path] = size
        self.evict(keep=path)
        return path

    def total_bytes(self) -> int:
        """Bytes held now."""
        return sum(self._sizes.values())

    def evict(self, keep: Path | None = None) -> None:
        """Remove least recently used entries until the total fits the bound."""
        total = self.total_bytes()
        if total <= self.max_bytes:
            return
        for path in sorted(self._sizes, key=_mtime):
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            total -= self._sizes.pop(path)
            path.unlink(missing_ok=True)


def _replace(scratch: Path, path: Path) -> int:
    scratch.replace(path)
    return path.stat().st_size


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
