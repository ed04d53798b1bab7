"""One render of a video, end to end: inputs → segments → clip → every publisher.

Only one render of a video runs at a time, across replicas (a DynamoDB lock with
expiry). A clip identical to what a publisher already has is not published again, so
a render with nothing new is cheap and harmless; a publisher that fails is retried by
the next render, which finds every segment on disk and only re-publishes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction

from services.renderer.blobstore import S3BlobStore
from services.renderer.cache import DiskBlobCache
from services.renderer.publishing import ClipPublisher
from services.renderer.rendering import ClipInputs, RenderedClip, SegmentRenderer
from services.renderer.segments import BlobRef, EncoderSettings, frames_per_segment
from services.renderer.settings import RendererSettings
from services.renderer.slotstore import SlotStore
from shared.errors import Conflict
from shared.locks import DynamoLock
from shared.records import VideoRecord, audio_key, original_key, video_record_key

log = logging.getLogger(__name__)

LockFactory = Callable[[str], DynamoLock]


@dataclass(frozen=True)
class RenderReport:
    """What one render did."""

    video: str
    version: str
    clip_hash: str
    frame_count: int
    filled_slots: int
    built_at: datetime
    render_seconds: float
    duration_seconds: float
    encoded_segments: int
    reused_segments: int
    published: dict[str, str] = field(default_factory=dict)

    @property
    def failed_targets(self) -> list[str]:
        """Publishers that did not take the clip."""
        return [name for name, outcome in self.published.items() if outcome.startswith("failed")]


class RenderBusy(Conflict):
    """Another render of the same video holds the lock."""

    default_code = "render_in_progress"


class RenderService:
    """Renders a video from its slots and publishes it."""

    def __init__(
        self,
        settings: RendererSettings,
        store: S3BlobStore,
        slots: SlotStore,
        cache: DiskBlobCache,
        renderer: SegmentRenderer,
        publishers: list[ClipPublisher],
        lock_for: LockFactory,
    ) -> None:
        self.settings = settings
        self.store = store
        self.slots = slots
        self.cache = cache
        self.renderer = renderer
        self.publishers = publishers
        self.lock_for = lock_for
        self.latest: dict[str, RenderReport] = {}

    async def render(self, video: str) -> RenderReport:
        """Render ``video`` and publish it; raises :class:`RenderBusy` if already running."""
        async with self.lock_for(f"render#{video}").held() as got:
            if not got:
                raise RenderBusy(f"a render of {video} is already running")
            return await self._render_locked(video)

    async def _render_locked(self, video: str) -> RenderReport:
        built_at = datetime.now(UTC)
        record = VideoRecord.model_validate_json((await self.store.get(video_record_key(video)))[0])
        filled = await self.slots.filled_slots(video)
        inputs = await self.inputs(record, filled)
        clip = await self.renderer.render(inputs, self.cache.fetch_all)
        # Sortable by time (to the millisecond), unique by content.
        millis = built_at.microsecond // 1000
        version = f"{built_at:%Y%m%dT%H%M%S}{millis:03d}Z-{clip.clip_hash[:8]}"
        report = RenderReport(
            video=video,
            version=version,
            clip_hash=clip.clip_hash,
            frame_count=clip.frame_count,
            filled_slots=len(filled),
            built_at=built_at,
            render_seconds=round(clip.render_seconds, 3),
            duration_seconds=clip.duration_seconds,
            encoded_segments=clip.encoded_segments,
            reused_segments=clip.reused_segments,
            published={
                p.name: await self._publish(p, clip, version, built_at, sorted(filled))
                for p in self.publishers
            },
        )
        self.latest[video] = report
        log.info(
            "render done",
            extra={
                "video": video,
                "version": version,
                "encoded": clip.encoded_segments,
                "published": report.published,
            },
        )
        return report

    async def inputs(self, record: VideoRecord, filled: dict[int, BlobRef]) -> ClipInputs:
        """Every frame's input (its photo, else its original), the audio, the settings."""
        stored = await self.store.etags(f"originals/{record.video}/")
        frames = tuple(
            filled.get(n)
            or BlobRef(original_key(record.video, n), stored[original_key(record.video, n)])
            for n in range(record.frame_count)
        )
        audio = (
            BlobRef(audio_key(record.video), stored[audio_key(record.video)])
            if record.has_audio
            else None
        )
        fps = Fraction(record.fps_num, record.fps_den)
        encoder = EncoderSettings(
            width=record.width,
            height=record.height,
            fps=fps,
            preset=self.settings.x264_preset,
            crf=self.settings.x264_crf,
            threads=self.settings.x264_threads,
        )
        per_segment = frames_per_segment(fps, self.settings.segment_seconds)
        return ClipInputs(record.video, encoder, per_segment, frames, audio)

    async def _publish(
        self,
        publisher: ClipPublisher,
        clip: RenderedClip,
        version: str,
        built_at: datetime,
        filled: list[int],
    ) -> str:
        try:
            if await publisher.published_hash(clip.video) == clip.clip_hash:
                return "unchanged"
            await publisher.publish(clip, version, built_at, filled)
        except Exception as exc:
            log.exception(
                "publish failed; the next render retries it", extra={"target": publisher.name}
            )
            return f"failed: {exc}"[:300]
        return "published"
