"""``S3ClipPublisher``: clip versions in the media bucket, then a swap of the pointer.

Layout (every key from :mod:`shared.records`)::

    clips/{video}/{version}/clip.mp4      the whole clip (fMP4: moov first, then fragments)
    clips/{video}/{version}/poster.jpg    poster image
    clips/{video}/{version}/index.m3u8    HLS playlist of the same segments
    clips/{video}/{version}/init.mp4      HLS init segment
    clips/{video}/{version}/seg-00000.m4s HLS media segments (the MP4's fragments)
    clips/{video}/{version}/version.json  the version's own :class:`ClipPointer` (history)
    clips/{video}/current.json            :class:`ClipPointer`, the only mutable one here

With a resolution ladder of several rungs, ``index.m3u8`` is the master playlist and
each rung has its own folder (``720p/index.m3u8``, ``720p/init.mp4``,
``720p/seg-00000.m4s``); ``clip.mp4`` is the top rung.

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

from services.renderer.publishing.hls import Variant, master_playlist, media_playlist
from services.renderer.renders.clips import RenderedClip, RenderedRung
from shared.errors import Conflict, NotFound
from shared.objects import ObjectStore
from shared.records import (
    CLIP_INIT,
    CLIP_MP4,
    CLIP_PLAYLIST,
    CLIP_POSTER,
    ClipPointer,
    clip_facts_key,
    clip_rung_folder,
    clip_segment_name,
    clip_version_prefix,
    clips_prefix,
    current_clip_key,
)

UPLOADS_IN_FLIGHT = 16
HLS_TYPE = "application/vnd.apple.mpegurl"
# One object of a clip version: its key, its bytes (a local file, or made here), its type.
Upload = tuple[str, Path | bytes, str]
SWAP_ROUNDS = 5
IMMUTABLE = "public, max-age=31536000, immutable"
POINTER_CACHE = "no-cache"


class S3ClipPublisher:
    """:class:`ClipPublisher` writing versions and the pointer to the media bucket."""

    name = "s3"

    def __init__(self, store: ObjectStore, retained: int) -> None:
        self.store = store
        self.retained = retained

    async def current(self, video: str) -> tuple[ClipPointer, str] | None:
        """The current pointer and its ETag, or None before the first publish."""
        try:
            stored = await self.store.get(current_clip_key(video))
        except NotFound:
            return None
        return ClipPointer.model_validate_json(stored.data), stored.etag

    async def published_hash(self, video: str) -> str | None:
        """The clip hash the pointer names now."""
        current = await self.current(video)
        return current[0].clip_hash if current else None

    async def publish(
        self, clip: RenderedClip, version: str, built_at: datetime, filled_frames: list[int]
    ) -> None:
        """Upload the version, swap the pointer, prune old versions."""
        prefix = clip_version_prefix(clip.video, version)
        await self._upload_version(clip, prefix)
        pointer = ClipPointer(
            video=clip.video,
            version=version,
            clip_hash=clip.clip_hash,
            mp4_key=prefix + CLIP_MP4,
            poster_key=prefix + CLIP_POSTER,
            hls_key=prefix + CLIP_PLAYLIST,
            frame_count=clip.frame_count,
            filled_slots=len(filled_frames),
            filled_frames=filled_frames,
            duration_seconds=clip.duration_seconds,
            built_at=built_at,
            render_seconds=round(clip.render_seconds, 3),
            published_at=datetime.now(built_at.tzinfo),
        )
        # The versions page reads each retained version's facts from here.
        await self.store.put_record(clip_facts_key(clip.video, version), pointer)
        if await self.swap(pointer):
            await self.prune(clip.video, keep=version)

    async def _upload_version(self, clip: RenderedClip, prefix: str) -> None:
        files: list[Upload] = [
            (prefix + CLIP_MP4, clip.mp4_path, "video/mp4"),
            (prefix + CLIP_POSTER, clip.poster_path, "image/jpeg"),
        ]
        if len(clip.rungs) <= 1:
            files += _rung_files(prefix, clip.init_path, clip.segment_paths)
            playlist = _media_playlist(clip.segment_seconds)
        else:
            for rung in clip.rungs:
                folder = prefix + clip_rung_folder(rung.height)
                files += _rung_files(folder, rung.init_path, rung.segment_paths)
                files.append(
                    (folder + CLIP_PLAYLIST, _media_playlist(clip.segment_seconds), HLS_TYPE)
                )
            playlist = master_playlist([_variant(r, clip) for r in clip.rungs]).encode()
        limit = asyncio.Semaphore(UPLOADS_IN_FLIGHT)

        async def upload(key: str, body: Path | bytes, content_type: str) -> None:
            async with limit:
                data = body if isinstance(body, bytes) else await asyncio.to_thread(body.read_bytes)
                await self.store.put(key, data, content_type, cache_control=IMMUTABLE)

        await asyncio.gather(*(upload(key, body, kind) for key, body, kind in files))
        # The top playlist last: once it exists, everything it names does.
        await upload(prefix + CLIP_PLAYLIST, playlist, HLS_TYPE)

    async def swap(self, pointer: ClipPointer) -> bool:
        """Point ``current.json`` at ``pointer`` unless a newer clip is already current."""
        for _ in range(SWAP_ROUNDS):
            current = await self.current(pointer.video)
            if current is not None and current[0].built_at > pointer.built_at:
                return False
            try:
                await self.store.put_record(
                    current_clip_key(pointer.video),
                    pointer,
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
        prefixes = sorted(await self.store.prefixes(clips_prefix(video)), reverse=True)
        kept = clip_version_prefix(video, keep)
        for prefix in [p for p in prefixes[self.retained :] if p != kept]:
            await self.store.delete(sorted(await self.store.etags(prefix)))


def _rung_files(folder: str, init: Path, segments: tuple[Path, ...]) -> list[Upload]:
    """The init part and the media segments of one rung, under ``folder``."""
    files: list[Upload] = [(folder + CLIP_INIT, init, "video/mp4")]
    files += [
        (folder + clip_segment_name(i), path, "video/iso.segment")
        for i, path in enumerate(segments)
    ]
    return files


def _media_playlist(seconds: tuple[float, ...]) -> bytes:
    names = [clip_segment_name(i) for i in range(len(seconds))]
    return media_playlist(CLIP_INIT, list(zip(names, seconds, strict=True))).encode()


def _variant(rung: RenderedRung, clip: RenderedClip) -> Variant:
    return Variant(
        uri=clip_rung_folder(rung.height) + CLIP_PLAYLIST,
        peak_bits_per_second=rung.peak_bits_per_second,
        average_bits_per_second=rung.average_bits_per_second,
        width=rung.width,
        height=rung.height,
        codecs=rung.codecs,
        frame_rate=clip.frame_count / clip.duration_seconds,
    )
