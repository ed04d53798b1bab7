"""``python -m services.renderer import VIDEO_FILE --video NAME``: a video becomes slots.

Steps, each safe to repeat: (1) every frame as a JPEG at clip size to
``originals/{video}/{frame:06d}.jpg`` (frames already stored are skipped); (2) the
original audio stream remuxed, not re-encoded, to ``audio_key(video)``; (3) the
:class:`VideoRecord`, written last with ``If-None-Match: *``; (4) one ``frames``
message per slot, in batches of ten, each batch followed by a progress marker
(``originals/{video}/slots-sent.json``).

A re-run after a complete import finds the marker at the end and does nothing. A run
that crashed is repaired by running it again: missing frames are uploaded, and slot
messages resume after the last recorded batch. The one window left is a crash between
sending a batch and recording it, which re-sends at most that batch of ten; the
``frames`` consumer tolerates duplicates (SQS delivers at least once anyway).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from services.renderer.blobstore import S3BlobStore
from services.renderer.progress import Progress
from shared.aws import AwsClients
from shared.errors import Conflict, NotFound
from shared.messages import FrameSlot, utcnow
from shared.queues import SQS_MAX_BATCH, SqsQueueSender
from shared.records import VideoRecord, audio_key, original_key, video_record_key

log = logging.getLogger(__name__)
JPEG_QUALITY = 90
UPLOADS_IN_FLIGHT = 16
REMUXABLE_AUDIO = frozenset({"aac", "mp3"})


def slots_marker_key(video: str) -> str:
    """S3 key of the record of how many slot messages were sent."""
    return f"originals/{video}/slots-sent.json"


@dataclass(frozen=True)
class ImportResult:
    """What an import run did."""

    record: VideoRecord
    frames_uploaded: int
    slots_sent: int


async def import_video(
    aws: AwsClients, bucket: str, queue: str, path: Path, video: str
) -> ImportResult:
    """Import ``path`` as ``video``; idempotent (see the module docstring)."""
    store = S3BlobStore(aws.s3, bucket)
    record = await _existing_record(store, video)
    uploaded = 0
    if record is None:
        stored = set(await store.etags(f"originals/{video}/"))
        frame_count, uploaded = await _upload_frames(store, path, video, stored)
        has_audio = await _upload_audio(store, path, video, audio_key(video) in stored)
        record = await _commit_record(store, _describe(path, video, frame_count, has_audio))
    sent = await _send_slots(aws, store, queue, record)
    log.info(
        "import finished", extra={"video": video, "frames_uploaded": uploaded, "slots_sent": sent}
    )
    return ImportResult(record, uploaded, sent)


async def _existing_record(store: S3BlobStore, video: str) -> VideoRecord | None:
    try:
        data, _ = await store.get(video_record_key(video))
    except NotFound:
        return None
    return VideoRecord.model_validate_json(data)


def _describe(path: Path, video: str, frame_count: int, has_audio: bool) -> VideoRecord:
    with av.open(str(path)) as source:
        stream = source.streams.video[0]
        rate = Fraction(stream.average_rate or stream.guessed_rate or 25)
        width, height = clip_size(stream.codec_context.width, stream.codec_context.height)
    return VideoRecord(
        video=video,
        fps_num=rate.numerator,
        fps_den=rate.denominator,
        frame_count=frame_count,
        width=width,
        height=height,
        has_audio=has_audio,
        imported_at=utcnow(),
    )


def clip_size(width: int, height: int) -> tuple[int, int]:
    """The clip size for a source size: even numbers, as yuv420p needs."""
    return width - width % 2, height - height % 2


async def _upload_frames(
    store: S3BlobStore, path: Path, video: str, stored: set[str]
) -> tuple[int, int]:
    """Upload every frame not yet stored; return (frames in the video, frames uploaded)."""
    frames = jpeg_frames(path)
    progress = Progress(f"import {video}", _frame_estimate(path))
    pending: set[asyncio.Task[str]] = set()
    count = uploaded = 0
    while (item := await asyncio.to_thread(next, frames, None)) is not None:
        index, jpeg = item
        count += 1
        if original_key(video, index) not in stored:
            uploaded += 1
            pending.add(
                asyncio.create_task(store.put(original_key(video, index), jpeg, "image/jpeg"))
            )
        if len(pending) >= UPLOADS_IN_FLIGHT:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        progress.advance()
    await asyncio.gather(*pending)
    progress.finish()
    return count, uploaded


def _frame_estimate(path: Path) -> int:
    with av.open(str(path)) as source:
        return source.streams.video[0].frames or 1


def jpeg_frames(path: Path) -> Iterator[tuple[int, bytes]]:
    """(frame number, JPEG bytes at clip size) for every decoded frame, in order."""
    with av.open(str(path)) as source:
        stream = source.streams.video[0]
        stream.thread_type = "AUTO"
        size = clip_size(stream.codec_context.width, stream.codec_context.height)
        for index, frame in enumerate(source.decode(stream)):
            image = frame.to_image()  # type: ignore[no-untyped-call]
            if image.size != size:
                image = image.crop((0, 0, *size))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=JPEG_QUALITY)
            yield index, buffer.getvalue()


async def _upload_audio(store: S3BlobStore, path: Path, video: str, already_stored: bool) -> bool:
    """Remux the first audio stream to the audio key; False when there is none to keep."""
    with av.open(str(path)) as source:
        if not source.streams.audio:
            return False
        codec = source.streams.audio[0].codec_context.name
    if codec not in REMUXABLE_AUDIO:
        log.warning(
            "audio codec %s is not kept (only %s remux into MP4)", codec, sorted(REMUXABLE_AUDIO)
        )
        return False
    if not already_stored:
        await store.put(
            audio_key(video), await asyncio.to_thread(remux_audio, path), "audio/x-matroska"
        )
    return True


def remux_audio(path: Path) -> bytes:
    """The first audio stream of ``path``, packets copied into a Matroska file."""
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "audio.mka"
        with av.open(str(path)) as source, av.open(str(target), "w") as out:
            stream = out.add_stream_from_template(source.streams.audio[0])
            for packet in source.demux(source.streams.audio[0]):
                if packet.dts is None:
                    continue
                packet.stream = stream
                out.mux(packet)
        return target.read_bytes()


async def _commit_record(store: S3BlobStore, record: VideoRecord) -> VideoRecord:
    """Write the record unless one exists; the one stored wins."""
    try:
        await store.put(
            video_record_key(record.video),
            record.model_dump_json().encode(),
            "application/json",
            if_absent=True,
        )
    except Conflict:
        data, _ = await store.get(video_record_key(record.video))
        return VideoRecord.model_validate_json(data)
    return record


async def _send_slots(aws: AwsClients, store: S3BlobStore, queue: str, record: VideoRecord) -> int:
    """Send the slot messages not yet recorded as sent; return how many were sent now."""
    marker = slots_marker_key(record.video)
    try:
        data, _ = await store.get(marker)
        sent_before = int(json.loads(data)["sent"])
    except NotFound:
        sent_before = 0
    for start in range(sent_before, record.frame_count, SQS_MAX_BATCH):
        end = min(start + SQS_MAX_BATCH, record.frame_count)
        await SqsQueueSender(aws).send_batch(
            queue, [FrameSlot(video=record.video, frame=n) for n in range(start, end)]
        )
        await store.put(marker, json.dumps({"sent": end}).encode(), "application/json")
    return record.frame_count - sent_before
