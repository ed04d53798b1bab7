"""In-memory fakes of the gateway's ports (plus the object store), and a settable clock."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.gateway.console.adapters.s3_audit import S3AuditLog
from services.gateway.console.ports import QueueDepth
from services.gateway.deps import GatewayDeps, GatewayPorts, compose
from services.gateway.settings import GatewaySettings
from services.gateway.visitors.ports import LeasedSlot, PhotoUpload
from shared.errors import DependencyUnavailable, NotFound
from shared.leases import LeaseGone
from shared.messages import FrameSlot
from shared.records import (
    CrowdSpend,
    RenderHistory,
    ReportFiled,
    ReportOutcome,
    ReportQueue,
    ReviewView,
    VideoRecord,
    video_record_key,
)
from tests.fakes.objects import MemoryObjectStore

__all__ = [
    "FakeClock",
    "MemoryFrameQueue",
    "MemoryGatewayPorts",
    "MemoryObjectStore",
    "MemoryPhotoIntake",
    "MemoryReviews",
    "composed",
    "memory_ports",
]


@dataclass
class FakeClock:
    """Epoch seconds that move only when a test says so."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class MemoryFrameQueue:
    """The frames queue: waiting slots, and leased ones by receipt handle."""

    waiting: deque[FrameSlot] = field(default_factory=deque)
    leased: dict[str, FrameSlot] = field(default_factory=dict)
    # The last visibility each receipt handle was given, in seconds.
    visibility: dict[str, int] = field(default_factory=dict)
    down: bool = False
    _handles: int = 0

    def add(self, video: str, *frames: int) -> None:
        """Slots of ``video`` that need a photo."""
        self.waiting.extend(FrameSlot(video=video, frame=frame) for frame in frames)

    def expire(self, receipt_handle: str) -> None:
        """The visibility timeout passed: the slot is waiting again, the handle is void."""
        self.waiting.append(self.leased.pop(receipt_handle))

    def _check(self) -> None:
        if self.down:
            raise DependencyUnavailable("sqs", "the frames queue did not answer")

    async def lease(self, video: str, visibility_seconds: int) -> LeasedSlot | None:
        self._check()
        slot = next((slot for slot in self.waiting if slot.video == video), None)
        if slot is None:
            return None
        self.waiting.remove(slot)
        self._handles += 1
        handle = f"receipt-{self._handles}"
        self.leased[handle] = slot
        self.visibility[handle] = visibility_seconds
        return LeasedSlot(slot=self.leased[handle], receipt_handle=handle)

    async def extend(self, video: str, receipt_handle: str, visibility_seconds: int) -> None:
        self._check()
        if receipt_handle not in self.leased:
            raise LeaseGone("the lease expired and its frame went back to the queue")
        self.visibility[receipt_handle] = visibility_seconds

    async def release(self, video: str, receipt_handle: str) -> None:
        self._check()
        if receipt_handle in self.leased:
            self.waiting.appendleft(self.leased.pop(receipt_handle))
            self.visibility[receipt_handle] = 0


@dataclass
class MemoryPhotoIntake:
    """Ingest: remembers every photo handed over; can be down."""

    uploads: list[PhotoUpload] = field(default_factory=list)
    down: bool = False

    async def submit(self, upload: PhotoUpload) -> None:
        if self.down:
            raise DependencyUnavailable("ingest", "the photo store is unavailable; try again")
        self.uploads.append(upload)


@dataclass
class MemoryReviews:
    """Moderation's read API over a dict of reviews; can be down."""

    reviews: dict[str, ReviewView] = field(default_factory=dict)
    # Client id → its submission ids, oldest first.
    clients: dict[str, list[str]] = field(default_factory=dict)
    down: bool = False
    calls: int = 0

    def add(self, review: ReviewView, client_id: str | None = None) -> None:
        self.reviews[review.submission_id] = review
        if client_id is not None:
            self.clients.setdefault(client_id, []).append(review.submission_id)

    def _check(self) -> None:
        self.calls += 1
        if self.down:
            raise DependencyUnavailable("moderation", "reviews are unavailable right now")

    async def review(self, submission_id: str) -> ReviewView:
        self._check()
        if submission_id not in self.reviews:
            raise NotFound("no review for that submission")
        return self.reviews[submission_id]

    async def recent(self, limit: int) -> list[ReviewView]:
        self._check()
        approved = [r for r in self.reviews.values() if r.status == "approved"]
        approved.sort(key=lambda r: r.decided_at or r.created_at, reverse=True)
        return approved[:limit]

    async def of_slot(self, video: str, frame: int) -> list[ReviewView]:
        self._check()
        approved = [
            r
            for r in self.reviews.values()
            if r.status == "approved" and (r.video, r.frame) == (video, frame)
        ]
        return sorted(approved, key=lambda r: r.score or 0.0, reverse=True)

    async def of_client(self, client_id: str) -> list[ReviewView]:
        self._check()
        ids = self.clients.get(client_id, [])
        return [self.reviews[sid] for sid in reversed(ids) if sid in self.reviews]

    async def delete(self, client_id: str, submission_id: str) -> ReviewView:
        self._check()
        if submission_id not in self.clients.get(client_id, []):
            raise NotFound("no such submission of yours")
        self.clients[client_id].remove(submission_id)
        gone = self.reviews[submission_id].model_copy(update={"status": "deleted"})
        self.reviews[submission_id] = gone
        return gone

    async def credits(self, video: str) -> list[ReviewView]:
        self._check()
        best: dict[int, ReviewView] = {}
        for review in await self.recent(10**6):
            current = best.get(review.frame)
            if review.video == video and (
                current is None or (review.score or 0) > (current.score or 0)
            ):
                best[review.frame] = review
        return [best[frame] for frame in sorted(best)]


async def store_video(fakes: MemoryGatewayPorts, frames: int = 3, video: str = "demo") -> None:
    """Store the record of an imported ``video`` of ``frames`` frames."""
    record = VideoRecord(
        video=video,
        fps_num=25,
        fps_den=1,
        frame_count=frames,
        width=64,
        height=36,
        has_audio=False,
        imported_at=datetime(2027, 1, 1, tzinfo=UTC),
    )
    await fakes.objects.put_record(video_record_key(video), record)


@dataclass
class FakeModerationDesk:
    """Moderation's report and operator routes, over :class:`MemoryReviews`: one report
    per visitor and photo, ``hide_after`` reports take the photo down."""

    reviews: MemoryReviews
    hide_after: int = 2
    client_of: dict[str, str] = field(default_factory=dict)
    reports: dict[str, dict[str, ReportFiled]] = field(default_factory=dict)
    hidden: dict[str, ReviewView] = field(default_factory=dict)

    async def file_report(self, submission_id: str, report: ReportFiled) -> ReportOutcome:
        if submission_id not in self.reviews.reviews and submission_id not in self.hidden:
            raise NotFound(f"submission {submission_id} is not a shown photo")
        mine = self.reports.setdefault(submission_id, {})
        counted = report.visitor not in mine
        mine.setdefault(report.visitor, report)
        if len(mine) >= self.hide_after and submission_id in self.reviews.reviews:
            await self.decide(submission_id, "takedown")
        return ReportOutcome(counted=counted, hidden=submission_id in self.hidden)

    async def report_queue(self) -> ReportQueue:
        return ReportQueue(photos=[])

    async def pending(self) -> list[ReviewView]:
        return []

    async def decide(self, submission_id: str, action: str) -> ReviewView:
        if action == "takedown" and submission_id in self.reviews.reviews:
            review = self.reviews.reviews.pop(submission_id)
            self.hidden[submission_id] = review.model_copy(update={"status": "rejected"})
        elif action == "restore" and submission_id in self.hidden:
            self.reviews.add(
                self.hidden.pop(submission_id).model_copy(update={"status": "approved"})
            )
        shown = self.reviews.reviews.get(submission_id) or self.hidden.get(submission_id)
        if shown is None:
            raise NotFound(f"no review of submission {submission_id}")
        return shown

    async def revert(self, client_id: str) -> list[ReviewView]:
        mine = [sid for sid, owner in self.client_of.items() if owner == client_id]
        return [await self.decide(sid, "takedown") for sid in mine if sid in self.reviews.reviews]

    async def spend(self) -> CrowdSpend:
        return CrowdSpend(cents_per_judgment=5.0, videos=[], frames=[])


@dataclass
class FakeRenderControl:
    forced: list[str] = field(default_factory=list)

    async def history(self, video: str) -> RenderHistory:
        return RenderHistory(video=video, renders=[])

    async def render_now(self, video: str) -> None:
        self.forced.append(video)


@dataclass
class FakeQueueDepths:
    depths: dict[str, QueueDepth] = field(default_factory=dict)

    async def depth(self, queue: str) -> QueueDepth | None:
        return self.depths.get(queue)


@dataclass
class MemoryGatewayPorts:
    """Every gateway port as a fake, kept typed so tests can reach into each one."""

    frames: MemoryFrameQueue = field(default_factory=MemoryFrameQueue)
    ingest: MemoryPhotoIntake = field(default_factory=MemoryPhotoIntake)
    reviews: MemoryReviews = field(default_factory=MemoryReviews)
    objects: MemoryObjectStore = field(default_factory=MemoryObjectStore)
    renders: FakeRenderControl = field(default_factory=FakeRenderControl)
    queues: FakeQueueDepths = field(default_factory=FakeQueueDepths)
    # Moderation's report and operator routes, over ``reviews``.
    desk: FakeModerationDesk = field(init=False)

    def __post_init__(self) -> None:
        self.desk = FakeModerationDesk(self.reviews)

    def ports(self, clock: FakeClock | None = None) -> GatewayPorts:
        """The same fakes as the use cases see them; the audit log is the real S3 one on
        the memory store, its days by ``clock`` when given."""
        audit = S3AuditLog(self.objects)
        if clock is not None:
            audit = S3AuditLog(self.objects, lambda: datetime.fromtimestamp(clock(), UTC))
        return GatewayPorts(
            frames=self.frames,
            ingest=self.ingest,
            reviews=self.reviews,
            objects=self.objects,
            reports=self.desk,
            desk=self.desk,
            renders=self.renders,
            queues=self.queues,
            audit=audit,
        )


def memory_ports() -> MemoryGatewayPorts:
    """A fresh set of in-memory gateway ports."""
    return MemoryGatewayPorts()


def composed(
    fakes: MemoryGatewayPorts, settings: GatewaySettings, clock: FakeClock | None = None
) -> GatewayDeps:
    """Every wing's use cases over ``fakes``, as the app's composition root builds them
    (``clock`` for lease times and cache ages alike, when given)."""
    if clock is None:
        return compose(fakes.ports(), settings)
    return compose(fakes.ports(clock), settings, clock=clock, monotonic=clock)
