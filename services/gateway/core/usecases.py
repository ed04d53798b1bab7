"""The showcase: what every page shows, read over the core ports and cached for every
wing: imported videos, their clips and slots, and moderation's reviews.

Each read is reused for a short while and, while its source is down, its last good
answer stands in (:class:`~services.gateway.core.caching.LastGoodCache`). No HTTP and no
boto here.
"""

from __future__ import annotations

import time

from services.gateway.core.caching import LastGoodCache
from services.gateway.core.links import original_url
from services.gateway.core.ports import Clock, CorePorts
from services.gateway.core.schemas import ClipStatus, ClipVersion, ShownPhoto, SlotPhotos
from services.gateway.settings import GatewaySettings
from shared.errors import NotFound
from shared.records import (
    ORIGINALS_PREFIX,
    ClipPointer,
    HostedClip,
    ReviewView,
    VideoRecord,
    current_clip_key,
    hosted_clip_key,
    video_of_prefix,
    video_record_key,
)


class Showcase:
    """Videos, clips, slots and reviews as the pages show them. ``monotonic`` gives the
    ages of cached answers; tests pass a fake clock."""

    def __init__(
        self, ports: CorePorts, settings: GatewaySettings, monotonic: Clock = time.monotonic
    ) -> None:
        self.ports = ports
        self.settings = settings
        reviews_cache = (settings.reviews_cache_seconds, settings.max_stale_seconds, monotonic)
        clip_cache = (settings.clip_cache_seconds, settings.max_stale_seconds, monotonic)
        self.review_cache = LastGoodCache[ReviewView](*reviews_cache)
        self.review_lists = LastGoodCache[list[ReviewView]](*reviews_cache)
        self.clip_cache = LastGoodCache[ClipStatus](*clip_cache)
        self.video_cache = LastGoodCache[VideoRecord](*clip_cache)
        self.video_names = LastGoodCache[list[str]](*clip_cache)

    async def review(self, submission_id: str) -> ReviewView:
        """One submission's review (NotFound if moderation has not seen it)."""
        return await self.review_cache.get(
            submission_id, lambda: self.ports.reviews.review(submission_id)
        )

    async def recent(self, limit: int) -> list[ReviewView]:
        """The latest approved photos, newest first."""
        return await self.review_lists.get(
            ("recent", limit), lambda: self.ports.reviews.recent(limit)
        )

    def forget(self, submission_id: str) -> None:
        """A photo was withdrawn: gone from this replica's answers at once (others follow
        within the cache's ttl)."""
        self.review_lists.clear()
        self.review_cache.forget(submission_id)

    async def video(self, video: str) -> VideoRecord:
        """The record of an imported video; :class:`NotFound` for any other name."""
        try:
            return await self.video_cache.get(
                video,
                lambda: self.ports.objects.get_record(video_record_key(video), VideoRecord),
            )
        except NotFound:
            raise NotFound(f"no video named {video!r}") from None

    async def videos(self) -> list[VideoRecord]:
        """Every imported video, the featured one first, then by name."""
        prefixes = await self.video_names.get(
            "videos", lambda: self.ports.objects.prefixes(ORIGINALS_PREFIX)
        )
        records = []
        for name in sorted(video_of_prefix(prefix) for prefix in prefixes):
            try:
                records.append(await self.video(name))
            except NotFound:  # still being imported: its record is written last
                continue
        return sorted(records, key=lambda r: r.video != self.settings.video)

    async def clip(self, video: str | None = None) -> ClipStatus:
        """A video's current clip, size and progress (the featured video by default)."""
        video = video or self.settings.video
        return await self.clip_cache.get(video, lambda: self._clip_status(video))

    async def _clip_status(self, video: str) -> ClipStatus:
        record = await self.video(video)
        pointer = await self.ports.objects.find_record(current_clip_key(video), ClipPointer)
        return ClipStatus(
            video=video,
            frame_count=record.frame_count,
            fps=record.fps,
            filled=pointer.filled_slots if pointer else 0,
            filled_frames=list(pointer.filled_frames) if pointer else [],
            clip=ClipVersion.of(pointer) if pointer else None,
            player_embed_url=await self._hosted_player(video),
        )

    async def _hosted_player(self, video: str) -> str | None:
        """The featured host's player of ``video``, once a first upload there completed."""
        if self.settings.featured_player == "hls":
            return None
        key = hosted_clip_key(video, self.settings.featured_player)
        hosted = await self.ports.objects.find_record(key, HostedClip)
        return hosted.player_embed_url if hosted and hosted.published_at else None

    async def slot(self, video: str, frame: int) -> SlotPhotos:
        """One slot: its place in the clip and its approved photos, best first."""
        record = await self.video(video)
        if not 0 <= frame < record.frame_count:
            raise NotFound(f"video {video!r} has no frame {frame}")
        reviews = await self.review_lists.get(
            ("slot", video, frame), lambda: self.ports.reviews.of_slot(video, frame)
        )
        return SlotPhotos(
            video=video,
            frame=frame,
            frame_count=record.frame_count,
            fps=record.fps,
            original_url=original_url(video, frame),
            photos=[ShownPhoto.of(review) for review in reviews],
        )
