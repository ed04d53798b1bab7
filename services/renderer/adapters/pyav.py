"""``SegmentRenderer``: the :class:`ClipEncoder` port on local disk and a process pool.

PyAV's work (:mod:`services.renderer.encoding`, a CPU-bound domain module) runs in the
pool's worker processes, never on the event loop; this adapter plans, fetches inputs,
runs the encodes and assembles the files.

Segments whose hash is already on disk are reused; the others are encoded in worker
processes (several segments at once, so both cores stay busy with decode, conversion
and encode overlapping). The full MP4 is the init part plus every segment's fragment,
renumbered and joined byte for byte: no segment is re-encoded or even remuxed.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import time
from concurrent.futures import Executor
from pathlib import Path

from services.renderer.clips import ClipInputs, RenderedClip
from services.renderer.encoding import SegmentJob, encode_segment
from services.renderer.ports import Fetch
from services.renderer.segments import (
    SegmentPlan,
    clip_hash,
    plan_segments,
    segment_hash,
)

KEPT_CLIPS = 2
COPY_CHUNK_BYTES = 1 << 20


class SegmentRenderer:
    """Encodes missing segments in ``pool`` and assembles clips under ``folder``."""

    def __init__(self, folder: Path, pool: Executor, parallel: int) -> None:
        self.folder = folder
        self.pool = pool
        self.parallel = parallel

    async def render(self, inputs: ClipInputs, fetch: Fetch) -> RenderedClip:
        """Encode what changed, assemble, and describe the result."""
        started = time.perf_counter()
        home = self.folder / inputs.video
        (home / "segments").mkdir(parents=True, exist_ok=True)
        plans = plan_segments(len(inputs.frames), inputs.frames_per_segment)
        fingerprint = inputs.encoder.fingerprint()
        hashes = [
            segment_hash(
                p,
                list(inputs.frames[p.first_frame : p.first_frame + p.frame_count]),
                inputs.audio,
                fingerprint,
            )
            for p in plans
        ]
        paths = tuple(home / "segments" / f"{h}.m4s" for h in hashes)
        init = home / f"init-{_short_hash(fingerprint + repr(inputs.audio))}.mp4"
        missing = await asyncio.to_thread(_missing, plans, paths)
        if missing or not await asyncio.to_thread(init.exists):
            await self._encode(inputs, missing, init, fetch, is_last_index=len(plans) - 1)
        identity = clip_hash([init.name, *hashes])
        mp4 = await asyncio.to_thread(assemble, init, paths, home / "clips" / f"{identity}.mp4")
        poster = await self._poster(inputs, home, fetch)
        _prune(home, set(paths), mp4)
        fps = inputs.encoder.fps
        return RenderedClip(
            video=inputs.video,
            clip_hash=identity,
            frame_count=len(inputs.frames),
            duration_seconds=float(len(inputs.frames) / fps),
            init_path=init,
            segment_paths=paths,
            segment_seconds=tuple(float(p.frame_count / fps) for p in plans),
            mp4_path=mp4,
            poster_path=poster,
            encoded_segments=len(missing),
            reused_segments=len(plans) - len(missing),
            render_seconds=time.perf_counter() - started,
        )

    async def _encode(
        self,
        inputs: ClipInputs,
        missing: list[tuple[SegmentPlan, Path]],
        init: Path,
        fetch: Fetch,
        is_last_index: int,
    ) -> None:
        if not missing:
            # The init part comes out of any encode; re-encode the first segment for it.
            first = plan_segments(len(inputs.frames), inputs.frames_per_segment)[0]
            missing = [(first, init.with_suffix(".scratch.m4s"))]
        limit = asyncio.Semaphore(self.parallel)
        loop = asyncio.get_running_loop()

        async def one(plan: SegmentPlan, path: Path) -> None:
            refs = list(inputs.frames[plan.first_frame : plan.first_frame + plan.frame_count])
            frame_paths = await fetch(refs)
            audio = (await fetch([inputs.audio]))[0] if inputs.audio else None
            job = SegmentJob(
                plan=plan,
                frame_paths=tuple(map(str, frame_paths)),
                audio_path=str(audio) if audio else None,
                encoder=inputs.encoder,
                frames_per_segment=inputs.frames_per_segment,
                media_path=str(path),
                init_path=str(init),
                is_last=plan.index == is_last_index,
            )
            async with limit:
                await loop.run_in_executor(self.pool, encode_segment, job)

        await asyncio.gather(*(one(plan, path) for plan, path in missing))

    async def _poster(self, inputs: ClipInputs, home: Path, fetch: Fetch) -> Path:
        """The poster is the JPEG shown at the middle of the clip, as stored."""
        source = (await fetch([inputs.frames[len(inputs.frames) // 2]]))[0]
        poster = home / "poster.jpg"
        await asyncio.to_thread(shutil.copyfile, source, poster)
        return poster


def assemble(init: Path, segments: tuple[Path, ...], target: Path) -> Path:
    """Write init + every fragment to ``target``: byte copies, nothing parsed or re-muxed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return target
    scratch = target.with_suffix(".part")
    with scratch.open("wb") as out:
        for part in (init, *segments):
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, COPY_CHUNK_BYTES)
    scratch.replace(target)
    return target


def _missing(plans: list[SegmentPlan], paths: tuple[Path, ...]) -> list[tuple[SegmentPlan, Path]]:
    return [(plan, path) for plan, path in zip(plans, paths, strict=True) if not path.exists()]


def _prune(home: Path, keep_segments: set[Path], keep_clip: Path) -> None:
    """Drop segments the current clip no longer uses, and all but the newest clips."""
    for segment in (home / "segments").glob("*.m4s"):
        if segment not in keep_segments:
            segment.unlink(missing_ok=True)
    clips = sorted((home / "clips").glob("*.mp4"), key=lambda p: p.stat().st_mtime, reverse=True)
    for clip in clips:
        if clip != keep_clip and clip in clips[KEPT_CLIPS:]:
            clip.unlink(missing_ok=True)


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
