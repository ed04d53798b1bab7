"""``SegmentRenderer``: the :class:`ClipEncoder` port on local disk and a process pool.

PyAV's work (:mod:`services.renderer.encoding.encoder`, a CPU-bound domain module) runs in the
pool's worker processes, never on the event loop; this adapter plans, fetches inputs,
runs the encodes and assembles the files.

Segments whose hash is already on disk are reused; the others are encoded in worker
processes (several segments at once, so both cores stay busy with decode, conversion
and encode overlapping), or first handed to encoder workers elsewhere through a
:class:`SegmentFarm` when fan-out is on; what the farm does not deliver by its
deadline is encoded here. Every rung of the resolution ladder is encoded the same way.
The full MP4 (the top rung) is the init part plus every segment's fragment,
renumbered and joined byte for byte: no segment is re-encoded or even remuxed.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import shutil
import time
import uuid
from concurrent.futures import Executor
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

from services.renderer.encoding.encoder import SegmentJob, encode_segment
from services.renderer.encoding.fanout import EncodeJob, RungPlan, SegmentOrder, rung_plans
from services.renderer.encoding.mp4boxes import codecs_of
from services.renderer.encoding.ports import SegmentFarm
from services.renderer.encoding.segments import bit_rates, clip_hash
from services.renderer.renders.clips import ClipInputs, RenderedClip, RenderedRung
from services.renderer.renders.ports import Fetch
from shared.errors import DependencyUnavailable

log = logging.getLogger(__name__)

KEPT_CLIPS = 2
COPY_CHUNK_BYTES = 1 << 20
UNSUPPORTED_COPY = {errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP}


class PoolSegmentEncoder:
    """Encodes one :class:`SegmentOrder` in a process pool, at most ``parallel`` at once."""

    def __init__(self, pool: Executor, parallel: int) -> None:
        self.pool = pool
        self.parallel = parallel
        self.limit = asyncio.Semaphore(parallel)

    async def encode(self, job: EncodeJob, fetch: Fetch, threads: int | None = None) -> None:
        """Fetch the order's inputs, encode it to ``job.media_path`` (and the init part),
        with ``threads`` x264 threads (None: the order's own)."""
        order = job.order
        frame_paths = await fetch(list(order.frames))
        audio = (await fetch([order.audio]))[0] if order.audio else None
        work = SegmentJob(
            plan=order.plan,
            frame_paths=tuple(map(str, frame_paths)),
            audio_path=str(audio) if audio else None,
            encoder=order.encoder if threads is None else replace(order.encoder, threads=threads),
            frames_per_segment=order.frames_per_segment,
            media_path=str(job.media_path),
            init_path=str(job.init_path),
            is_last=order.is_last,
        )
        async with self.limit:
            await asyncio.get_running_loop().run_in_executor(self.pool, encode_segment, work)

    async def encode_all(self, jobs: list[EncodeJob], fetch: Fetch) -> None:
        """Encode every job (``parallel`` at a time); fewer jobs than processes share out
        the idle processes' threads (:func:`threads_for`)."""
        await asyncio.gather(
            *(self.encode(job, fetch, threads_for(job, len(jobs), self.parallel)) for job in jobs)
        )


def threads_for(job: EncodeJob, count: int, parallel: int) -> int:
    """x264 threads for ``job``, one of ``count`` encoded at once by ``parallel``
    processes: its own, times the processes each job would leave idle. After one
    approval a render encodes one segment; without this it would use one process's
    threads and leave the others' cores idle."""
    own = job.order.encoder.threads
    return own * max(1, parallel // max(1, count))


class FragmentEncoder:
    """:class:`SegmentEncoder` of an encoder worker: an order's bytes, via scratch files."""

    def __init__(self, local: PoolSegmentEncoder, folder: Path, fetch: Fetch) -> None:
        self.local = local
        self.folder = folder
        self.fetch = fetch
        folder.mkdir(parents=True, exist_ok=True)

    async def encode(self, order: SegmentOrder) -> tuple[bytes, bytes]:
        """Encode ``order``; return (its fragment, its rung's init part)."""
        media = self.folder / f"{order.segment_hash}.{uuid.uuid4().hex}.m4s"
        job = EncodeJob(order, media, self.folder / order.init_name)
        await self.local.encode(job, self.fetch)
        try:
            return await asyncio.to_thread(media.read_bytes), job.init_path.read_bytes()
        finally:
            media.unlink(missing_ok=True)


class SegmentRenderer:
    """Encodes missing segments (in ``pool``, or first on ``farm``), assembles clips."""

    def __init__(
        self, folder: Path, pool: Executor, parallel: int, farm: SegmentFarm | None = None
    ) -> None:
        self.folder = folder
        self.local = PoolSegmentEncoder(pool, parallel)
        self.farm = farm

    async def render(self, inputs: ClipInputs, fetch: Fetch) -> RenderedClip:
        """Encode what changed, assemble, and describe the result."""
        started = time.perf_counter()
        home = self.folder / inputs.video
        (home / "segments").mkdir(parents=True, exist_ok=True)
        rungs = rung_plans(inputs)
        jobs = [self._jobs(home, rung) for rung in rungs]
        missing = await asyncio.to_thread(_missing, [job for js in jobs for job in js])
        await self._encode(missing, await asyncio.to_thread(_inits_missing, jobs), fetch)
        identity = clip_hash([n for r in rungs for n in (r.init_name, *_hashes(r))])
        top = jobs[-1]
        mp4 = await asyncio.to_thread(
            assemble, top[0].init_path, _media(top), home / "clips" / f"{identity}.mp4"
        )
        poster = await self._poster(inputs, home, fetch)
        _prune(home, {job.media_path for js in jobs for job in js}, mp4)
        if self.farm is not None:
            names = {p.name for js in jobs for j in js for p in (j.media_path, j.init_path)}
            await self.farm.prune(inputs.video, names)
        fps = inputs.encoder.fps
        described = await asyncio.to_thread(lambda: [_described(js, fps) for js in jobs])
        return RenderedClip(
            video=inputs.video,
            clip_hash=identity,
            frame_count=len(inputs.frames),
            duration_seconds=float(len(inputs.frames) / fps),
            init_path=top[0].init_path,
            segment_paths=_media(top),
            segment_seconds=_seconds(top, fps),
            mp4_path=mp4,
            poster_path=poster,
            encoded_segments=len(missing),
            reused_segments=sum(map(len, jobs)) - len(missing),
            render_seconds=time.perf_counter() - started,
            rungs=tuple(described),
        )

    def _jobs(self, home: Path, rung: RungPlan) -> list[EncodeJob]:
        init = home / rung.init_name
        return [
            EncodeJob(order, home / "segments" / f"{order.segment_hash}.m4s", init)
            for order in rung.orders
        ]

    async def _encode(self, missing: list[EncodeJob], inits: list[EncodeJob], fetch: Fetch) -> None:
        """Encode ``missing``, then make any init part still missing (``inits``)."""
        if missing and self.farm is not None:
            try:
                missing = await self.farm.encode(missing)
            except DependencyUnavailable:
                # No queue or no store for workers: this process alone still renders.
                log.warning("fan-out unavailable; encoding every segment here", exc_info=True)
                missing = await asyncio.to_thread(_missing, missing)
        await self.local.encode_all(missing, fetch)
        # A rung's init part comes out of any of its encodes; re-encode the first segment.
        still = await asyncio.to_thread(lambda: [j for j in inits if not j.init_path.exists()])
        scratch = [
            EncodeJob(j.order, j.init_path.with_suffix(".scratch.m4s"), j.init_path) for j in still
        ]
        await self.local.encode_all(scratch, fetch)

    async def _poster(self, inputs: ClipInputs, home: Path, fetch: Fetch) -> Path:
        """The poster is the JPEG shown at the middle of the clip, as stored."""
        source = (await fetch([inputs.frames[len(inputs.frames) // 2]]))[0]
        poster = home / "poster.jpg"
        await asyncio.to_thread(shutil.copyfile, source, poster)
        return poster


def _hashes(rung: RungPlan) -> list[str]:
    return [order.segment_hash for order in rung.orders]


def _media(jobs: list[EncodeJob]) -> tuple[Path, ...]:
    return tuple(job.media_path for job in jobs)


def _seconds(jobs: list[EncodeJob], fps: Fraction) -> tuple[float, ...]:
    return tuple(float(job.order.plan.frame_count / fps) for job in jobs)


def _described(jobs: list[EncodeJob], fps: Fraction) -> RenderedRung:
    """A rung's size, files, bit rates (from the fragments' sizes) and codecs."""
    encoder = jobs[0].order.encoder
    sizes = [job.media_path.stat().st_size for job in jobs]
    peak, average = bit_rates(sizes, list(_seconds(jobs, fps)))
    return RenderedRung(
        width=encoder.width,
        height=encoder.height,
        init_path=jobs[0].init_path,
        segment_paths=_media(jobs),
        peak_bits_per_second=peak,
        average_bits_per_second=average,
        codecs=codecs_of(jobs[0].init_path.read_bytes()),
    )


def assemble(init: Path, segments: tuple[Path, ...], target: Path) -> Path:
    """Write init + every fragment to ``target``: byte copies, nothing parsed or re-muxed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return target
    scratch = target.with_suffix(".part")
    with scratch.open("wb") as out:
        for part in (init, *segments):
            with part.open("rb") as source:
                append(source, out)
    scratch.replace(target)
    return target


def append(source: BinaryIO, out: BinaryIO) -> None:
    """Copy all of ``source`` to the end of ``out``, inside the kernel where it can.

    A 1080p clip of 4,500 frames is 1.3 GB: ``copy_file_range`` joins it in about half
    the time of a copy through user space, a large share of the render after one approval.
    """
    out.flush()
    size = os.fstat(source.fileno()).st_size
    try:
        copied = 0
        while copied < size:
            step = os.copy_file_range(source.fileno(), out.fileno(), size - copied)
            if step == 0:
                break
            copied += step
    except OSError as exc:
        # Not on this file system (EXDEV, EINVAL, ENOSYS...): nothing was copied yet.
        if exc.errno not in UNSUPPORTED_COPY or copied:
            raise
        shutil.copyfileobj(source, out, COPY_CHUNK_BYTES)


def _missing(jobs: list[EncodeJob]) -> list[EncodeJob]:
    return [job for job in jobs if not job.media_path.exists()]


def _inits_missing(jobs: list[list[EncodeJob]]) -> list[EncodeJob]:
    """The first job of every rung whose init part is not on disk."""
    return [js[0] for js in jobs if not js[0].init_path.exists()]


def _prune(home: Path, keep_segments: set[Path], keep_clip: Path) -> None:
    """Drop segments the current clip no longer uses, and all but the newest clips."""
    for segment in (home / "segments").glob("*.m4s"):
        if segment not in keep_segments:
            segment.unlink(missing_ok=True)
    clips = sorted((home / "clips").glob("*.mp4"), key=lambda p: p.stat().st_mtime, reverse=True)
    for clip in clips:
        if clip != keep_clip and clip in clips[KEPT_CLIPS:]:
            clip.unlink(missing_ok=True)
