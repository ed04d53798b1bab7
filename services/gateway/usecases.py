"""The gateway's use cases, over its ports: leases and photos for visitors, and what the
pages show (submission status, recent frames, the clip, a slot, public media).

No HTTP and no boto here: routes parse and shape, adapters talk to the outside world,
and the pure rules live in ``leasing``, ``ratelimits``, ``caching`` and ``links``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from services.gateway.caching import LastGoodCache
from services.gateway.leasing import LeasePolicy, remaining_seconds
from services.gateway.links import (
    byte_range,
    is_public_media,
    is_submission_id,
    original_url,
    status_url,
)
from services.gateway.ports import Clock, GatewayPorts, PhotoUpload
from services.gateway.ratelimits import SlidingWindowLimiter
from services.gateway.schemas import (
    ClipStatus,
    ClipVersion,
    LeaseCreated,
    LeaseExtended,
    PhotoAccepted,
    RecentFrames,
    ShownPhoto,
    SlotPhotos,
    SubmissionStatus,
)
from services.gateway.settings import GatewaySettings
from shared.errors import DependencyUnavailable, NotFound, RateLimited
from shared.leases import LeaseGone
from shared.metrics import Observer, Tally
from shared.objects import ObjectStream
from shared.photos import PhotoBody
from shared.records import (
    ORIGINALS_PREFIX,
    ClipPointer,
    HostedClip,
    ReviewView,
    SubmissionRecord,
    VideoRecord,
    current_clip_key,
    hosted_clip_key,
    original_key,
    submission_record_key,
    video_of_prefix,
    video_record_key,
)

RATE_WINDOW_SECONDS = 60.0
# Also the answer to /api/submissions/recent: there is no public list of submissions (it
# would show photos the crowd has not seen); the approved ones are at /api/frames/recent.
NO_SUCH_SUBMISSION = "no such submission (the latest approved photos are at /api/frames/recent)"
# Media is read this far before the answer starts, so the store failing within it (all
# of an image, a poster, a range the player asks for) is a clean 503; a failure later
# can only cut the answer short.
PRIMED_BYTES = 256 * 1024


@dataclass(frozen=True)
class LeaseAnswer:
    """The visitor's lease, and whether it was taken just now (or was already theirs)."""

    lease: LeaseCreated
    is_new: bool


class Gateway:
    """Every gateway use case. ``clock`` gives epoch seconds (lease times), ``monotonic``
    the ages of cached answers; tests pass one fake clock for both."""

    def __init__(
        self,
        ports: GatewayPorts,
        settings: GatewaySettings,
        clock: Clock = time.time,
        monotonic: Clock = time.monotonic,
        observer: Observer | None = None,
    ) -> None:
        if settings.lease_secret is None:
            raise RuntimeError("OFOF_LEASE_SECRET must be set (shared by gateway and ingest)")
        self.ports = ports
        self.settings = settings
        self.clock = clock
        # Lease events for /metrics (ofof_leases).
        self.observer: Observer = observer or Tally()
        self.leases = LeasePolicy(
            settings.lease_secret.get_secret_value().encode(),
            settings.lease_seconds,
            settings.max_lease_seconds,
        )
        self.limiter = SlidingWindowLimiter(settings.lease_rate_per_minute, RATE_WINDOW_SECONDS)
        reviews_cache = (settings.reviews_cache_seconds, settings.max_stale_seconds, monotonic)
        clip_cache = (settings.clip_cache_seconds, settings.max_stale_seconds, monotonic)
        self.review_cache = LastGoodCache[ReviewView](*reviews_cache)
        self.review_lists = LastGoodCache[list[ReviewView]](*reviews_cache)
        self.clip_cache = LastGoodCache[ClipStatus](*clip_cache)
        self.video_cache = LastGoodCache[VideoRecord](*clip_cache)
        self.video_names = LastGoodCache[list[str]](*clip_cache)

    # Leases and photos.

    async def lease(
        self, client_id: str, client_ip: str, held_token: str | None, video: str | None = None
    ) -> LeaseAnswer:
        """One live lease per visitor: the one they hold on ``video`` (the featured one
        by default), else that video's next waiting frame. A live lease on another video
        is given back first."""
        video = video or self.settings.video
        await self.video(video)
        now = self.clock()
        held = self.leases.live(held_token, client_id, now)
        if held is not None and held_token is not None:
            if held.video == video:
                return LeaseAnswer(LeaseCreated.of(held, held_token), is_new=False)
            await self.ports.frames.release(held.video, held.receipt_handle)
        retry_after = self.limiter.retry_after(client_ip, now)
        if retry_after is not None:
            raise RateLimited("too many leases from this address", retry_after_seconds=retry_after)
        leased = await self.ports.frames.lease(video, self.settings.lease_seconds)
        if leased is None:
            raise DependencyUnavailable(
                "frames",
                "every frame is taken or done right now; try again shortly",
                code="no_frame_available",
                retry_after_seconds=self.settings.no_frame_retry_after_seconds,
            )
        claims = self.leases.issue(
            uuid.uuid4().hex, leased.slot, leased.receipt_handle, client_id, now
        )
        self.observer.count("ofof_leases", event="granted")
        return LeaseAnswer(LeaseCreated.of(claims, self.leases.token(claims)), is_new=True)

    async def heartbeat(self, lease_id: str, token: str, client_id: str) -> LeaseExtended:
        """Keep the frame reserved a while longer, up to the maximum lease."""
        now = self.clock()
        claims = self.leases.authorize(token, lease_id, client_id, now)
        extended = self.leases.extend(claims, now)
        try:
            await self.ports.frames.extend(
                claims.video, claims.receipt_handle, remaining_seconds(extended, now)
            )
        except LeaseGone:
            self.observer.count("ofof_leases", event="expired")
            raise
        return LeaseExtended.of(extended, self.leases.token(extended))

    async def release(self, lease_id: str, token: str, client_id: str) -> None:
        """Give the frame back at once."""
        claims = self.leases.authorize(token, lease_id, client_id, self.clock())
        await self.ports.frames.release(claims.video, claims.receipt_handle)
        self.observer.count("ofof_leases", event="released")

    def check_photo_lease(self, lease_id: str, token: str, client_id: str) -> None:
        """Before reading a photo: the lease is this visitor's and not past its maximum."""
        self.leases.authorize(token, lease_id, client_id, self.clock())

    async def submit_photo(
        self,
        lease_id: str,
        token: str,
        client_id: str,
        photo: PhotoBody,
        display_name: str | None,
    ) -> PhotoAccepted:
        """Hand the photo of a lease to ingest; the submission id is the lease id."""
        self.check_photo_lease(lease_id, token, client_id)
        upload = PhotoUpload(lease_id, token, photo.content_type, photo.data, display_name)
        await self.ports.ingest.submit(upload)
        return PhotoAccepted(submission_id=lease_id, status_url=status_url(lease_id))

    # What the pages show.

    async def submission_status(self, submission_id: str) -> SubmissionStatus:
        """Where a submitted photo stands: moderation's review, else ``received``."""
        if not is_submission_id(submission_id):
            raise NotFound(NO_SUCH_SUBMISSION)
        try:
            review = await self.review_cache.get(
                submission_id, lambda: self.ports.reviews.review(submission_id)
            )
        except NotFound:
            key = submission_record_key(submission_id)
            record = await self.ports.objects.find_record(key, SubmissionRecord)
            if record is None:
                raise NotFound(NO_SUCH_SUBMISSION) from None
            return SubmissionStatus.of_record(record)
        return SubmissionStatus.of_review(review)

    async def recent_frames(self, limit: int) -> RecentFrames:
        """The latest approved photos (the last good list while moderation is down)."""
        reviews = await self.review_lists.get(
            ("recent", limit), lambda: self.ports.reviews.recent(limit)
        )
        return RecentFrames(frames=[ShownPhoto.of(review) for review in reviews])

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

    async def original_frame(
        self, video: str, frame: int, range_header: str | None
    ) -> ObjectStream:
        """The original frame of a slot, whole or a byte range of it."""
        key = original_key(video, frame)
        return await self._stream(key, range_header, f"video {video!r} has no frame {frame}")

    async def media(self, key: str, range_header: str | None) -> ObjectStream:
        """A public media object (image or clip), whole or a byte range of it."""
        if not is_public_media(key):
            raise NotFound("no such media")
        return await self._stream(key, range_header, "no such media")

    async def _stream(self, key: str, range_header: str | None, missing: str) -> ObjectStream:
        try:
            stream = await self.ports.objects.stream(key, byte_range(range_header))
        except NotFound as exc:
            raise NotFound(missing) from exc
        return await primed(stream, PRIMED_BYTES)


async def primed(stream: ObjectStream, size_bytes: int) -> ObjectStream:
    """``stream`` with its first ``size_bytes`` already read: their errors are raised now."""
    head: list[bytes] = []
    read = 0
    while read < size_bytes and (chunk := await anext(stream.chunks, None)) is not None:
        head.append(chunk)
        read += len(chunk)
    return replace(stream, chunks=_chained(head, stream.chunks))


async def _chained(head: list[bytes], rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in head:
        yield chunk
    async for chunk in rest:
        yield chunk
