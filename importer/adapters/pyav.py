"""``PyavVideoFile``: a video file on disk read with PyAV (frames as JPEG, audio remuxed)."""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av

from importer.ports import VideoShape

log = logging.getLogger(__name__)
JPEG_QUALITY = 90
# Audio codecs that remux into the MP4 clip as they are; others are dropped, not re-encoded.
REMUXABLE_AUDIO = frozenset({"aac", "mp3"})


class UnreadableVideo(ValueError):
    """The file is missing, is not a video PyAV can decode, or has no video stream."""


def clip_size(width: int, height: int) -> tuple[int, int]:
    """The clip size for a source size: even numbers, as yuv420p needs."""
    return width - width % 2, height - height % 2


class PyavVideoFile:
    """:class:`importer.ports.VideoSource` on a file PyAV decodes."""

    def __init__(self, path: Path, jpeg_quality: int = JPEG_QUALITY) -> None:
        self.path = path
        self.jpeg_quality = jpeg_quality

    @classmethod
    def open(cls, path: Path, jpeg_quality: int = JPEG_QUALITY) -> PyavVideoFile:
        """The file at ``path``, checked to hold a decodable video stream."""
        source = cls(path, jpeg_quality)
        source.shape()
        return source

    def shape(self) -> VideoShape:
        """Clip size, frame rate and the frame count the container claims."""
        try:
            with av.open(str(self.path)) as source:
                if not source.streams.video:
                    raise UnreadableVideo(f"{self.path} has no video stream")
                stream = source.streams.video[0]
                width, height = clip_size(stream.codec_context.width, stream.codec_context.height)
                rate = Fraction(stream.average_rate or stream.guessed_rate or 25)
                return VideoShape(width, height, rate, stream.frames or 1)
        except (OSError, av.FFmpegError) as exc:
            raise UnreadableVideo(f"{self.path} is not a readable video ({exc})") from exc

    def jpeg_frames(self) -> Iterator[tuple[int, bytes]]:
        """(frame number, JPEG bytes at clip size) for every decoded frame, in order."""
        with av.open(str(self.path)) as source:
            stream = source.streams.video[0]
            stream.thread_type = "AUTO"
            size = clip_size(stream.codec_context.width, stream.codec_context.height)
            for index, frame in enumerate(source.decode(stream)):
                image = frame.to_image()  # type: ignore[no-untyped-call]
                if image.size != size:
                    image = image.crop((0, 0, *size))
                buffer = io.BytesIO()
                image.save(buffer, "JPEG", quality=self.jpeg_quality)
                yield index, buffer.getvalue()

    def has_audio(self) -> bool:
        """Is the first audio stream one that remuxes into MP4? Warns when it is not."""
        with av.open(str(self.path)) as source:
            if not source.streams.audio:
                return False
            codec = source.streams.audio[0].codec_context.name
        if codec not in REMUXABLE_AUDIO:
            kept = sorted(REMUXABLE_AUDIO)
            log.warning("audio codec %s is not kept (only %s remux into MP4)", codec, kept)
            return False
        return True

    def audio(self) -> bytes:
        """The first audio stream, packets copied into a Matroska file."""
        with tempfile.TemporaryDirectory() as scratch:
            target = Path(scratch) / "audio.mka"
            with av.open(str(self.path)) as source, av.open(str(target), "w") as out:
                stream = out.add_stream_from_template(source.streams.audio[0])
                for packet in source.demux(source.streams.audio[0]):
                    if packet.dts is None:
                        continue
                    packet.stream = stream
                    out.mux(packet)
            return target.read_bytes()
