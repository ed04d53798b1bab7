"""Importing a video: a video file becomes the slots of a video name.

Steps, each safe to repeat: (1) every frame as a JPEG at clip size to
``original_key(video, n)`` (frames already stored are skipped); (2) the original audio
stream remuxed, not re-encoded, to ``audio_key(video)``; (3) the :class:`VideoRecord`,
written last with ``If-None-Match: *``. The record is what moderation's feeder looks
for: it then records the video's slots and starts handing them out through the video's
own frames queue, so the import itself sends no messages.

A re-run after a complete import finds the record and does nothing. A run that crashed
is repaired by running it again: frames already stored are skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from importer.ports import ProgressBar, ProgressFactory, VideoShape, VideoSource
from shared.errors import Conflict
from shared.messages import utcnow
from shared.objects import ObjectStore
from shared.records import (
    VideoRecord,
    audio_key,
    original_key,
    originals_prefix,
    video_record_key,
)

log = logging.getLogger(__name__)
UPLOADS_IN_FLIGHT = 16


@dataclass(frozen=True)
class ImportResult:
    """What an import run did."""

    record: VideoRecord
    frames_uploaded: int


@dataclass(frozen=True)
class ImportStatus:
    """What is stored of a video: frames, audio and its record."""

    video: str
    frames_stored: int
    audio_stored: bool
    record: VideoRecord | None

    @property
    def is_complete(self) -> bool:
        """Is the record written (it is written last)?"""
        return self.record is not None


class QuietBar:
    """A :class:`ProgressBar` that shows nothing."""

    def advance(self, count: int = 1) -> None:
        """Nothing to show."""


def quiet(what: str, total: int) -> AbstractContextManager[ProgressBar]:
    """A :data:`ProgressFactory` for runs nobody watches (tests, library calls)."""
    return nullcontext(QuietBar())


class VideoImporter:
    """Imports videos into the media bucket; idempotent."""

    def __init__(
        self,
        store: ObjectStore,
        progress: ProgressFactory = quiet,
        uploads_in_flight: int = UPLOADS_IN_FLIGHT,
    ) -> None:
        self.store = store
        self.progress = progress
        self.uploads_in_flight = uploads_in_flight

    async def record(self, video: str) -> VideoRecord | None:
        """The stored record of ``video``, or None before its import committed."""
        return await self.store.find_record(video_record_key(video), VideoRecord)

    async def import_video(self, source: VideoSource, video: str) -> ImportResult:
        """Import ``source`` as ``video``; idempotent (see the module docstring)."""
        record = await self.record(video)
        if record is not None:
            return ImportResult(record, frames_uploaded=0)
        stored = set(await self.store.etags(originals_prefix(video)))
        shape = await asyncio.to_thread(source.shape)
        frame_count, uploaded = await self._upload_frames(source, shape, video, stored)
        has_audio = await self._upload_audio(source, video, audio_key(video) in stored)
        record = await self._commit_record(describe(video, shape, frame_count, has_audio))
        log.info("import finished", extra={"video": video, "frames_uploaded": uploaded})
        return ImportResult(record, uploaded)

    async def status(self, video: str) -> ImportStatus:
        """What is stored of ``video`` (nothing is changed)."""
        stored = set(await self.store.etags(originals_prefix(video)))
        bookkeeping = {video_record_key(video), audio_key(video)}
        return ImportStatus(
            video=video,
            frames_stored=len(stored - bookkeeping),
            audio_stored=audio_key(video) in stored,
            record=await self.record(video),
        )

    async def _upload_frames(
        self, source: VideoSource, shape: VideoShape, video: str, stored: set[str]
    ) -> tuple[int, int]:
        """Upload every frame not yet stored; return (frames in the video, frames uploaded)."""
        frames = source.jpeg_frames()
        pending: set[asyncio.Task[str]] = set()
        count = uploaded = 0
        with self.progress(f"import {video}", shape.frame_estimate) as bar:
            while (item := await asyncio.to_thread(_next_frame, frames)) is not None:
                index, jpeg = item
                count += 1
                if original_key(video, index) not in stored:
                    uploaded += 1
                    key = original_key(video, index)
                    pending.add(asyncio.create_task(self.store.put(key, jpeg, "image/jpeg")))
                if len(pending) >= self.uploads_in_flight:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        task.result()
                bar.advance()
            await asyncio.gather(*pending)
        return count, uploaded

    async def _upload_audio(self, source: VideoSource, video: str, already_stored: bool) -> bool:
        """Store the audio track unless stored; False when there is none to keep."""
        if not await asyncio.to_thread(source.has_audio):
            return False
        if not already_stored:
            audio = await asyncio.to_thread(source.audio)
            await self.store.put(audio_key(video), audio, "audio/x-matroska")
        return True

    async def _commit_record(self, record: VideoRecord) -> VideoRecord:
        """Write the record unless one exists; the one stored wins."""
        key = video_record_key(record.video)
        try:
            await self.store.put_record(key, record, if_absent=True)
        except Conflict:
            return await self.store.get_record(key, VideoRecord)
        return record


def describe(video: str, shape: VideoShape, frame_count: int, has_audio: bool) -> VideoRecord:
    """The record of ``video`` imported from a file of ``shape``."""
    return VideoRecord(
        video=video,
        fps_num=shape.rate.numerator,
        fps_den=shape.rate.denominator,
        frame_count=frame_count,
        width=shape.width,
        height=shape.height,
        has_audio=has_audio,
        imported_at=utcnow(),
    )


def _next_frame(frames: Iterator[tuple[int, bytes]]) -> tuple[int, bytes] | None:
    return next(frames, None)
