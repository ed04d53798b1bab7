"""In-memory fakes of ingest's ports, and an ``IngestWorld`` that wires its use case.

The submission store and the announcer are ingest's own adapters over the shared
ports, so here they run over :class:`MemoryObjectStore` and :class:`MemoryQueueSender`;
the lease finisher (an SQS delete) and the photo processor (a process pool) have
fakes of their own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from services.ingest.adapters.s3 import S3SubmissionStore
from services.ingest.adapters.sqs import SqsAnnouncer
from services.ingest.imaging import EncodedRenditions, make_renditions
from services.ingest.usecases import Ingestor
from shared.errors import DependencyUnavailable
from shared.leases import LeaseClaims
from shared.messages import SubmissionIngested
from shared.records import VideoRecord, video_record_key
from tests.fakes.objects import MemoryObjectStore
from tests.fakes.queues import MemoryQueueSender

MODERATION_QUEUE = "moderation"
CACHE_CONTROL = "public, max-age=31536000, immutable"


@dataclass
class MemoryLeaseFinisher:
    """The ``frames`` queue's in-flight messages by receipt handle, as SQS keeps them."""

    live: set[str] = field(default_factory=set)
    finished: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    down: bool = False

    async def finish(self, video: str, receipt_handle: str) -> None:
        if self.down:
            raise DependencyUnavailable("sqs", "could not finish the lease")
        if receipt_handle in self.live:
            self.live.discard(receipt_handle)
            self.finished.append(receipt_handle)
        else:  # SQS ignores (or refuses) an old handle; either way nothing is deleted
            self.stale.append(receipt_handle)


@dataclass
class InlinePhotoProcessor:
    """Makes the renditions in this process (the real imaging code, no pool)."""

    max_pixels: int = 40_000_000
    calls: int = 0

    async def renditions(
        self, body: bytes, content_type: str, clip_size: tuple[int, int]
    ) -> EncodedRenditions:
        self.calls += 1
        return make_renditions(body, content_type, clip_size, self.max_pixels)


class PartlyDownObjectStore(MemoryObjectStore):
    """A :class:`MemoryObjectStore` whose writes to ``down_keys`` fail as if S3 were down."""

    def __init__(self, down_keys: set[str]) -> None:
        super().__init__()
        self.down_keys = down_keys

    async def put(self, key: str, data: bytes, content_type: str, **options: Any) -> str:
        if key in self.down_keys:
            raise DependencyUnavailable("s3", f"the media store refused {key}")
        return await super().put(key, data, content_type, **options)


class Crash(Exception):
    """The process died here."""


class CrashOnce:
    """Wraps an adapter; the named method raises once *after* doing its work, or before."""

    def __init__(self, inner: Any, method: str, after: bool) -> None:
        self.inner = inner
        self.method = method
        self.after = after
        self.crashed = False

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.inner, name)
        if name != self.method:
            return real

        async def maybe_crash(*args: Any, **kwargs: Any) -> Any:
            if not self.crashed and not self.after:
                self.crashed = True
                raise Crash(name)
            result = await real(*args, **kwargs)
            if not self.crashed:
                self.crashed = True
                raise Crash(name)
            return result

        return maybe_crash


class Recording:
    """Wraps an adapter and appends ``"<role>.<method>"`` to ``calls`` on every call."""

    def __init__(self, inner: Any, role: str, calls: list[str]) -> None:
        self.inner = inner
        self.role = role
        self.calls = calls

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.inner, name)

        async def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(f"{self.role}.{name}")
            return await real(*args, **kwargs)

        return record


@dataclass
class IngestWorld:
    """ingest's use case over in-memory ports, plus helpers to arrange and inspect."""

    objects: MemoryObjectStore = field(default_factory=MemoryObjectStore)
    queues: MemoryQueueSender = field(default_factory=MemoryQueueSender)
    frames: MemoryLeaseFinisher = field(default_factory=MemoryLeaseFinisher)
    photos: InlinePhotoProcessor = field(default_factory=InlinePhotoProcessor)

    def parts(self) -> dict[str, Any]:
        """The use case's ports by role, ready to be wrapped before :meth:`ingestor`."""
        return {
            "store": S3SubmissionStore(self.objects, CACHE_CONTROL),
            "frames": self.frames,
            "announcer": SqsAnnouncer(self.queues, MODERATION_QUEUE),
            "photos": self.photos,
        }

    def ingestor(self, parts: dict[str, Any] | None = None) -> Ingestor:
        """An :class:`Ingestor` over ``parts`` (default: :meth:`parts` unwrapped)."""
        return Ingestor(**(parts or self.parts()))

    async def seed_video(self, video: str = "demo", size: tuple[int, int] = (320, 180)) -> None:
        """Import ``video`` as far as ingest cares: its record."""
        record = VideoRecord(
            video=video,
            fps_num=25,
            fps_den=1,
            frame_count=4,
            width=size[0],
            height=size[1],
            has_audio=False,
            imported_at=datetime.now(UTC),
        )
        await self.objects.put_record(video_record_key(video), record)

    def lease(self, lease_id: str = "lease-1", video: str = "demo", frame: int = 0) -> LeaseClaims:
        """The verified claims of a fresh lease whose receipt is live on ``frames``."""
        receipt = f"receipt-{lease_id}"
        self.frames.live.add(receipt)
        now = time.time()
        return LeaseClaims(
            lease_id=lease_id,
            video=video,
            frame=frame,
            client_id="client-1",
            receipt_handle=receipt,
            issued_at=now,
            expires_at=now + 120,
            max_expires_at=now + 900,
        )

    def announced(self) -> list[SubmissionIngested]:
        """Every ``SubmissionIngested`` sent to moderation, in order."""
        return [m for m in self.queues.sent[MODERATION_QUEUE] if isinstance(m, SubmissionIngested)]

    def stored_keys(self, prefix: str = "submissions/") -> list[str]:
        """The stored keys under ``prefix``, sorted."""
        return sorted(k for k in self.objects.objects if k.startswith(prefix))
