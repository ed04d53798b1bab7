"""The renderer's use cases over its ports: verdicts into slots, renders, their schedule.

A verdict becomes a candidate of its slot, and the slot's choice is recomputed by the
rule in :mod:`services.renderer.renders.slots` and written conditionally; a lost race re-reads
and recomputes. A render of a video runs under a lock shared by every replica. A clip
identical to what a publisher already has is not published again, so a render with
nothing new is cheap and harmless; a publisher that fails is retried by the next
render, which finds every segment on disk and only re-publishes. Renders are
debounced by :class:`services.renderer.renders.scheduling.RenderAgenda`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from services.renderer.renders.clips import (
    BlobRef,
    ClipInputs,
    EncodingPrefs,
    RenderedClip,
    clip_inputs,
)
from services.renderer.renders.ports import (
    BlobCache,
    ClipEncoder,
    ClipPublisher,
    LockFactory,
    SlotStore,
)
from services.renderer.renders.reports import RenderReport, render_run, report_of, version_name
from services.renderer.renders.scheduling import RenderAgenda, RenderPolicy
from services.renderer.renders.slots import Candidate, next_choice
from shared.errors import Conflict, NotFound
from shared.messages import SubmissionModerated
from shared.metrics import Observer, Tally
from shared.objects import ObjectStore
from shared.records import (
    ORIGINALS_PREFIX,
    ClipPointer,
    RenderRun,
    VideoRecord,
    current_clip_key,
    originals_prefix,
    render_run_key,
    render_runs_prefix,
    rendition_key,
    video_of_prefix,
    video_record_key,
)

log = logging.getLogger(__name__)

# Optimistic rounds one verdict tolerates before the message is retried later.
MAX_RACE_ROUNDS = 20
BUSY_RETRY_SECONDS = 5.0
IDLE_WAKE_SECONDS = 60.0


class RenderBusy(Conflict):
    """Another render of the same video holds the lock."""

    default_code = "render_in_progress"


async def record_candidate(slots: SlotStore, video: str, frame: int, candidate: Candidate) -> bool:
    """Store a verdict and update the slot's choice; True when the choice changed."""
    await slots.put_candidate(video, frame, candidate)
    for _ in range(MAX_RACE_ROUNDS):
        current = await slots.choice(video, frame)
        choice = next_choice(current, await slots.candidates(video, frame))
        if choice is None:
            return False
        if await slots.save_choice(video, frame, choice):
            return True
    raise Conflict(f"slot {video}/{frame} kept changing; will retry")


class Renderer:
    """Keeps each slot's best photo, renders videos when due, and publishes them."""

    def __init__(
        self,
        store: ObjectStore,
        slots: SlotStore,
        cache: BlobCache,
        encoder: ClipEncoder,
        publishers: Sequence[ClipPublisher],
        lock_for: LockFactory,
        prefs: EncodingPrefs,
        policy: RenderPolicy,
        clock: Callable[[], float] = time.monotonic,
        observer: Tally | None = None,
    ) -> None:
        # Renders, segments, publishes and clip ages (/metrics reads this tally).
        self.tally = observer or Tally()
        self.store, self.slots, self.cache, self.encoder = store, slots, cache, encoder
        self.publishers = list(publishers)
        self.lock_for = lock_for
        self.prefs = prefs
        self.agenda = RenderAgenda(policy)
        self.clock = clock
        self.latest: dict[str, RenderReport] = {}
        self.known_videos: set[str] = set()
        self._wake = asyncio.Event()

    # Verdicts

    async def record_verdict(self, verdict: SubmissionModerated) -> bool:
        """Make ``verdict`` a candidate of its slot; True (and a render noted) on a change."""
        photo = rendition_key(verdict.submission_id, "large")
        # An approval needs the photo's ETag (its content version); a missing photo
        # raises NotFound here, so the message comes back later.
        etag = await self.store.etag(photo) if verdict.verdict == "approved" else ""
        candidate = Candidate(
            verdict.submission_id, verdict.verdict, verdict.score, verdict.decided_at, photo, etag
        )
        changed = await record_candidate(self.slots, verdict.video, verdict.frame, candidate)
        if changed:
            self.note_change(verdict.video)
        return changed

    # Renders

    async def render(self, video: str) -> RenderReport:
        """Render ``video`` and publish it; raises :class:`RenderBusy` if already running."""
        async with self.lock_for(f"render#{video}").held() as got:
            if not got:
                raise RenderBusy(f"a render of {video} is already running")
            return await self._render_locked(video)

    async def _render_locked(self, video: str) -> RenderReport:
        built_at = datetime.now(UTC)
        record = await self.store.get_record(video_record_key(video), VideoRecord)
        filled = await self.slots.filled_slots(video)
        clip = await self.encoder.render(await self.inputs(record, filled), self.cache.fetch_all)
        version = version_name(built_at, clip.clip_hash)
        published = {
            p.name: await self._publish(p, clip, version, built_at, sorted(filled))
            for p in self.publishers
        }
        report = report_of(clip, version, built_at, len(filled), published)
        self.latest[video] = report
        await self.store.put_record(render_run_key(video, built_at), render_run(report))
        self._observe(report)
        log.info(
            "render done",
            extra={
                "video": video,
                "version": version,
                "encoded": clip.encoded_segments,
                "published": published,
            },
        )
        return report

    def _observe(self, report: RenderReport) -> None:
        observer: Observer = self.tally
        observer.count("ofof_renders", outcome="ok")
        observer.count("ofof_render_seconds", report.render_seconds)
        observer.count("ofof_render_segments", report.encoded_segments, kind="encoded")
        observer.count("ofof_render_segments", report.reused_segments, kind="reused")
        for target, outcome in report.published.items():
            kind = "failed" if outcome.startswith("failed") else outcome
            observer.count("ofof_publishes", target=target, outcome=kind)
        built = report.built_at.timestamp()
        observer.level("ofof_clip_built_timestamp_seconds", built, video=report.video)

    async def history(self, video: str, limit: int) -> list[RenderRun]:
        """The newest ``limit`` recorded renders of ``video``, newest first."""
        keys = sorted(await self.store.etags(render_runs_prefix(video)), reverse=True)[:limit]
        runs = [await self.store.find_record(key, RenderRun) for key in keys]
        return [run for run in runs if run is not None]

    async def inputs(self, record: VideoRecord, filled: dict[int, BlobRef]) -> ClipInputs:
        """Every frame's input (its photo, else its original), the audio, the settings."""
        stored = await self.store.etags(originals_prefix(record.video))
        return clip_inputs(record, filled, stored, self.prefs)

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

    async def current_clip(self, video: str) -> ClipPointer:
        """The published clip of ``video`` (NotFound before its first publish)."""
        pointer = await self.store.find_record(current_clip_key(video), ClipPointer)
        if pointer is None:
            raise NotFound(f"{video} has no published clip yet", code="no_clip")
        return pointer

    async def latest_render(self, video: str) -> RenderReport | ClipPointer:
        """The latest render of ``video`` by this process, else its published clip."""
        report = self.latest.get(video)
        return report if report is not None else await self.current_clip(video)

    # Schedule

    def note_change(self, video: str, *, forced: bool = False, delay_seconds: float = 0.0) -> None:
        """Remember that ``video`` has something new to render."""
        self.agenda.note(video, self.clock() + delay_seconds, forced=forced)
        self._wake.set()

    async def force_render(self, video: str) -> None:
        """Render an imported video as soon as possible (NotFound for an unknown one)."""
        await self.store.etag(video_record_key(video))
        self.note_change(video, forced=True)

    async def note_new_videos(self) -> None:
        """Note every video whose import finished since the last look (or the start)."""
        found = {video_of_prefix(p) for p in await self.store.prefixes(ORIGINALS_PREFIX)}
        for video in sorted(found - self.known_videos):
            if await self.store.exists(video_record_key(video)):
                self.known_videos.add(video)
                self.note_change(video)

    async def run(self, stopping: asyncio.Event) -> None:
        """Render due videos, one at a time, until ``stopping`` is set."""
        while not stopping.is_set():
            self._wake.clear()
            video = self.agenda.ready(self.clock())
            if video is None:
                wait = self.agenda.wait_seconds(self.clock())
                await self._sleep(stopping, IDLE_WAKE_SECONDS if wait is None else wait)
                continue
            await self.render_now(video)

    async def render_now(self, video: str) -> RenderReport | None:
        """Render ``video`` at once; on failure, note it again for a later retry."""
        self.agenda.started(video, self.clock())
        try:
            report = await self.render(video)
        except RenderBusy:
            # Nothing was rendered, so the rate limit must not push the retry a whole
            # min_interval away: a crashed holder's lock lapses within seconds.
            self.note_change(video, forced=True, delay_seconds=BUSY_RETRY_SECONDS)
            return None
        except Exception:
            self.tally.count("ofof_renders", outcome="failed")
            log.exception("render failed; retrying later", extra={"video": video})
            self.note_change(video, delay_seconds=self.agenda.policy.retry_seconds)
            return None
        if report.failed_targets:
            self.note_change(video, delay_seconds=self.agenda.policy.retry_seconds)
        return report

    async def _sleep(self, stopping: asyncio.Event, seconds: float) -> None:
        waits = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stopping.wait())}
        await asyncio.wait(waits, timeout=max(seconds, 0.0), return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()
