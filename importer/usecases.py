"""Importing a video: a video file becomes the slots of a video name.

Steps, each safe to repeat: (1) every frame as a JPEG at clip size to
``original_key(video, n)`` (frames already stored are skipped); (2) the original audio
stream remuxed, not re-encoded, to ``audio_key(video)``; (3) the :class:`VideoRecord`,
written last with ``If-None-Match: *``; (4) one ``frames`` message per slot, in batches
of ten, each batch followed by a progress marker (``slots_sent_key(video)``).

A re-run after a complete import finds the marker at the end and does nothing. A run
that crashed is repaired by running it again: missing frames are uploaded, and slot
messages resume after the last recorded batch. The one window left is a crash between
sending a batch and recording it, which re-sends at most that batch of ten; the
``frames`` consumer tolerates duplicates (SQS delivers at least once anyway).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from importer.ports import ProgressBar, ProgressFactory, VideoShape, VideoSource
from importer.slots import SlotsSent, unsent_batches
from shared.errors import Conflict
from shared.messages import FrameSlot, utcnow
from shared.objects import ObjectStore
from shared.queues import SQS_MAX_BATCH, QueueSender
from shared.records import (
    VideoRecord,
    audio_key,
    original_key,
    originals_prefix,
    slots_sent_key,
    video_record_key,
)

log = logging.getLogger(__name__)
UPLOADS_IN_FLIGHT = 16


@dataclass(frozen=True)
class ImportResult:
    """What an import run did."""

    record: VideoRecord
    frames_uploaded: int
    slots_sent: int


@dataclass(frozen=True)
class ImportStatus:
    """What is stored of a video: frames, audio, its record and the slot messages sent."""

    video: str
    frames_stored: int
    audio_stored: bool
    record: VideoRecord | None
    slots_sent: int

    @property
    def is_complete(self) -> bool:
        """Is the record written and a slot message sent for every frame?"""
        return self.record is not None and self.slots_sent >= self.record.frame_count


class QuietBar:
    """A :class:`ProgressBar` that shows nothing."""

    def advance(self, count: int = 1) -> None:
        """Nothing to show."""


def quiet(what: str, total: int) -> AbstractContextManager[ProgressBar]:
    """A :data:`ProgressFactory` for runs nobody watches (tests, library calls)."""
    return nullcontext(QuietBar())


class VideoImporter:
    """Imports videos into the media bucket and the ``frames`` queue; idempotent."""

    def __init__(
        self,
        store: ObjectStore,
        queues: QueueSender,
        frames_queue: str,
        progress: ProgressFactory = quiet,
        uploads_in_flight: int = UPLOADS_IN_FLIGHT,
    ) -> None:
        self.store = store
        self.queues = queues
        self.frames_queue = frames_queue
        self.progress = progress
        self.uploads_in_flight = uploads_in_flight

    async def record(self, video: str) -> VideoRecord | None:
        """The stored record of ``video``, or None before its import committed."""
        return await self.store.find_record(video_record_key(video), VideoRecord)

    async def import_video(self, source: VideoSource, video: str) -> ImportResult:
        """Import ``source`` as ``video``; idempotent (see the module docstring)."""
        record = await self.record(video)
        if record is not None:
            return await self.finish(record)
        stored = set(await self.store.etags(originals_prefix(video)))
        shape = await asyncio.to_thread(source.shape)
        frame_count, uploaded = await self._upload_frames(source, shape, video, stored)
        has_audio = await self._upload_audio(source, video, audio_key(video) in stored)
        record = await self._commit_record(describe(video, shape, frame_count, has_audio))
        return await self.finish(record, uploaded)

    async def finish(self, record: VideoRecord, frames_uploaded: int = 0) -> ImportResult:
        """Send the slot messages of a committed import not yet recorded as sent."""
        sent = await self._send_slots(record)
        log.info(
            "import finished",
            extra={"video": record.video, "frames_uploaded": frames_uploaded, "slots_sent": sent},
        )
        return ImportResult(record, frames_uploaded, sent)

    async def status(self, video: str) -> ImportStatus:
        """What is stored of ``video`` (nothing is changed)."""
        stored = set(await self.store.etags(originals_prefix(video)))
        bookkeeping = {video_record_key(video), audio_key(video), slots_sent_key(video)}
        return ImportStatus(
            video=video,
            frames_stored=len(stored - bookkeeping),
            audio_stored=audio_key(video) in stored,
            record=await self.record(video),
            slots_sent=await self._slots_sent(video),
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

    async def _send_slots(self, record: VideoRecord) -> int:
        """Send the slot messages not yet recorded as sent; return how many were sent now."""
        sent_before = await self._slots_sent(record.video)
        for batch in unsent_batches(record.frame_count, sent_before, SQS_MAX_BATCH):
            slots = [FrameSlot(video=record.video, frame=n) for n in batch]
            await self.queues.send_batch(self.frames_queue, slots)
            await self.store.put_record(slots_sent_key(record.video), SlotsSent(sent=batch.stop))
        return max(record.frame_count - sent_before, 0)

    async def _slots_sent(self, video: str) -> int:
        marker = await self.store.find_record(slots_sent_key(video), SlotsSent)
        return 0 if marker is None else marker.sent


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
