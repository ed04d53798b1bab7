"""Publishing a rendered clip: the ``ClipPublisher`` port and its S3 adapter.

S3 layout of one video::

    clips/{video}/{version}/clip.mp4      full clip (fMP4: moov first, then fragments)
    clips/{video}/{version}/poster.jpg    poster image
    clips/{video}/{version}/index.m3u8    HLS playlist of the same segments
    clips/{video}/{version}/init.mp4      HLS init segment
    clips/{video}/{version}/seg-00000.m4s HLS media segments (the MP4's fragments)
    clips/{video}/current.json            :class:`CurrentClip`, the only mutable object

A version is uploaded completely before ``current.json`` is swapped with a
conditional write (``If-Match`` on the ETag read, ``If-None-Match: *`` for the first),
so readers never see half a clip and two publishers cannot interleave: the loser
re-reads and gives up if the winner's clip is newer. Old versions beyond
``retained`` are deleted after the swap.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from services.renderer.blobstore import S3BlobStore
from services.renderer.hls import media_playlist
from services.renderer.rendering import RenderedClip
from shared.errors import Conflict, NotFound
from shared.records import current_clip_key

UPLOADS_IN_FLIGHT = 16
SWAP_ROUNDS = 5
IMMUTABLE = "public, max-age=31536000, immutable"
POINTER_CACHE = "no-cache"


class ClipPublisher(Protocol):
    """A place a rendered clip is published to."""

    name: str

    async def published_hash(self, video: str) -> str | None: ...

    async def publish(
        self, clip: RenderedClip, version: str, built_at: datetime, filled_frames: list[int]
    ) -> None: ...


class CurrentClip(BaseModel):
    """``clips/{video}/current.json``: what the gateway serves as the current clip."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    video: str
    version: str
    clip_hash: str
    mp4_key: str
    poster_key: str
    hls_key: str
    frame_count: int
    filled_slots: int
    # The frames showing a crowd photo (sorted); the home page draws its mosaic from them.
    filled_frames: list[int] = []
    duration_seconds: float
    built_at: datetime
    render_seconds: float
    published_at: datetime


def version_prefix(video: str, version: str) -> str:
    """S3 folder of one published version."""
    return f"clips/{video}/{version}/"


class S3ClipPublisher:
    """``ClipPublisher`` writing versions and the pointer to the media bucket."""

    name = "s3"

    def __init__(self, store: S3BlobStore, retained: int) -> None:
        self.store = store
        self.retained = retained

    async def current(self, video: str) -> tuple[CurrentClip, str] | None:
        """The current pointer and its ETag, or None before the first publish."""
        try:
            data, etag = await self.store.get(current_clip_key(video))
        except NotFound:
            return None
        return CurrentClip.model_validate_json(data), etag

    async def published_hash(self, video: str) -> str | None:
        """The clip hash the pointer names now."""
        current = await self.current(video)
        return current[0].clip_hash if current else None

    async def publish(
        self, clip: RenderedClip, version: str, built_at: datetime, filled_frames: list[int]
    ) -> None:
        """Upload the version, swap the pointer, prune old versions."""
        prefix = version_prefix(clip.video, version)
        await self._upload_version(clip, prefix)
        pointer = CurrentClip(
            video=clip.video,
            version=version,
            clip_hash=clip.clip_hash,
            mp4_key=prefix + "clip.mp4",
            poster_key=prefix + "poster.jpg",
            hls_key=prefix + "index.m3u8",
            frame_count=clip.frame_count,
            filled_slots=len(filled_frames),
            filled_frames=filled_frames,
            duration_seconds=clip.duration_seconds,
            built_at=built_at,
            render_seconds=round(clip.render_seconds, 3),
            published_at=datetime.now(built_at.tzinfo),
        )
        if await self.swap(pointer):
            await self.prune(clip.video, keep=version)

    async def _upload_version(self, clip: RenderedClip, prefix: str) -> None:
        names = [f"seg-{i:05d}.m4s" for i in range(len(clip.segment_paths))]
        playlist = media_playlist("init.mp4", list(zip(names, clip.segment_seconds, strict=True)))
        files = [
            (prefix + "clip.mp4", clip.mp4_path, "video/mp4"),
            (prefix + "poster.jpg", clip.poster_path, "image/jpeg"),
            (prefix + "init.mp4", clip.init_path, "video/mp4"),
        ]
        files += [
            (prefix + n, p, "video/iso.segment")
            for n, p in zip(names, clip.segment_paths, strict=True)
        ]
        limit = asyncio.Semaphore(UPLOADS_IN_FLIGHT)

        async def upload(key: str, path: Path, content_type: str) -> None:
            async with limit:
                data = await asyncio.to_thread(path.read_bytes)
                await self.store.put(key, data, content_type, cache_control=IMMUTABLE)

        await asyncio.gather(*(upload(key, path, kind) for key, path, kind in files))
        await self.store.put(
            prefix + "index.m3u8",
            playlist.encode(),
            "application/vnd.apple.mpegurl",
            cache_control=IMMUTABLE,
        )

    async def swap(self, pointer: CurrentClip) -> bool:
        """Point ``current.json`` at ``pointer`` unless a newer clip is already current."""
        for _ in range(SWAP_ROUNDS):
            current = await self.current(pointer.video)
            if current is not None and current[0].built_at > pointer.built_at:
                return False
            try:
                await self.store.put(
                    current_clip_key(pointer.video),
                    pointer.model_dump_json().encode(),
                    "application/json",
                    if_match=current[1] if current else None,
                    if_absent=current is None,
                    cache_control=POINTER_CACHE,
                )
            except Conflict:
                continue
            return True
        raise Conflict(f"{current_clip_key(pointer.video)} kept changing while publishing")

    async def prune(self, video: str, keep: str) -> None:
        """Delete every version but the newest ``retained`` (and ``keep``)."""
        prefixes = sorted(await self.store.prefixes(f"clips/{video}/"), reverse=True)
        doomed = [p for p in prefixes[self.retained :] if p != version_prefix(video, keep)]
        for prefix in doomed:
            await self.store.delete(sorted(await self.store.etags(prefix)))
