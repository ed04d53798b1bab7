"""The visitors' use cases, over their ports and the core's showcase: leases and photos,
what the pages show (submission status, recent frames, the clip, a slot, public media),
and visitors' reports.

No HTTP and no boto here: routes parse and shape, adapters talk to the outside world,
and the pure rules live in ``leasing`` and the core's ``ratelimits`` and ``links``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from services.gateway.core.links import byte_range, is_public_media, is_submission_id, status_url
from services.gateway.core.ports import Clock
from services.gateway.core.ratelimits import RATE_WINDOW_SECONDS, SlidingWindowLimiter
from services.gateway.core.schemas import ClipStatus, ShownPhoto, SlotPhotos, SubmissionStatus
from services.gateway.core.usecases import Showcase
from services.gateway.settings import GatewaySettings
from services.gateway.visitors.leasing import LeasePolicy, remaining_seconds
from services.gateway.visitors.ports import PhotoUpload, ReportDesk, VisitorPorts
from services.gateway.visitors.schemas import (
    LeaseCreated,
    LeaseExtended,
    PhotoAccepted,
    RecentFrames,
    ReportReceived,
    ReportRequest,
)
from shared.errors import DependencyUnavailable, NotFound, RateLimited
from shared.leases import LeaseGone
from shared.metrics import Observer, Tally
from shared.objects import ObjectStream
from shared.photos import PhotoBody
from shared.records import (
    ReportFiled,
    SubmissionRecord,
    VideoRecord,
    original_key,
    submission_record_key,
)

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


class Visitors:
    """Every use case of a visitor. ``clock`` gives epoch seconds (lease times)."""

    def __init__(
        self,
        ports: VisitorPorts,
        showcase: Showcase,
        settings: GatewaySettings,
        clock: Clock = time.time,
        observer: Observer | None = None,
    ) -> None:
        if settings.lease_secret is None:
            raise RuntimeError("OFOF_LEASE_SECRET must be set (shared by gateway and ingest)")
        self.ports, self.showcase, self.settings = ports, showcase, settings
        self.clock = clock
        # Lease events for /metrics (ofof_leases).
        self.observer: Observer = observer or Tally()
        self.leases = LeasePolicy(
            settings.lease_secret.get_secret_value().encode(),
            settings.lease_seconds,
            settings.max_lease_seconds,
        )
        self.limiter = SlidingWindowLimiter(settings.lease_rate_per_minute, RATE_WINDOW_SECONDS)

    # Leases and photos.

    async def lease(
        self, client_id: str, client_ip: str, held_token: str | None, video: str | None = None
    ) -> LeaseAnswer:
        """One live lease per visitor: the one they hold on ``video`` (the featured one
        by default), else that video's next waiting frame. A live lease on another video
        is given back first."""
        video = video or self.settings.video
        await self.showcase.video(video)
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

    # What the pages show (the showcase's reads, and the visitor's own photo).

    async def submission_status(self, submission_id: str) -> SubmissionStatus:
        """Where a submitted photo stands: moderation's review, else ``received``."""
        if not is_submission_id(submission_id):
            raise NotFound(NO_SUCH_SUBMISSION)
        try:
            review = await self.showcase.review(submission_id)
        except NotFound:
            key = submission_record_key(submission_id)
            record = await self.ports.objects.find_record(key, SubmissionRecord)
            if record is None:
                raise NotFound(NO_SUCH_SUBMISSION) from None
            return SubmissionStatus.of_record(record)
        return SubmissionStatus.of_review(review)

    async def recent_frames(self, limit: int) -> RecentFrames:
        """The latest approved photos (the last good list while moderation is down)."""
        reviews = await self.showcase.recent(limit)
        return RecentFrames(frames=[ShownPhoto.of(review) for review in reviews])

    async def videos(self) -> list[VideoRecord]:
        """Every imported video, the featured one first, then by name."""
        return await self.showcase.videos()

    async def clip(self, video: str | None = None) -> ClipStatus:
        """A video's current clip, size and progress (the featured video by default)."""
        return await self.showcase.clip(video)

    async def slot(self, video: str, frame: int) -> SlotPhotos:
        """One slot: its place in the clip and its approved photos, best first."""
        return await self.showcase.slot(video, frame)

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


class ReportIntake:
    """Visitors' reports: rate limited per address, then filed with moderation, which
    counts one per visitor and photo."""

    def __init__(
        self,
        desk: ReportDesk,
        settings: GatewaySettings,
        clock: Clock = time.time,
        observer: Observer | None = None,
    ) -> None:
        self.desk = desk
        self.observer: Observer = observer or Tally()
        self.limiter = SlidingWindowLimiter(settings.report_rate_per_minute, RATE_WINDOW_SECONDS)
        self.clock = clock

    async def report(
        self, submission_id: str, visitor: str, client_ip: str, body: ReportRequest
    ) -> ReportReceived:
        """File one visitor's report about a shown photo."""
        retry_after = self.limiter.retry_after(client_ip, self.clock())
        if retry_after is not None:
            raise RateLimited("too many reports from this address", retry_after_seconds=retry_after)
        filed = ReportFiled(visitor=visitor, reason=body.reason, note=body.note)
        outcome = await self.desk.file_report(submission_id, filed)
        if outcome.counted:
            self.observer.count("ofof_reports", reason=body.reason)
        return ReportReceived(
            submission_id=submission_id, counted=outcome.counted, hidden=outcome.hidden
        )
