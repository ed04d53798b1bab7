"""``PyavVideoFile``: a video file on disk read with PyAV (frames as JPEG, audio remuxed)."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import av.video.plane
import numpy as np
import simplejpeg

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


def jpeg_of(frame: av.VideoFrame, size: tuple[int, int], quality: int) -> bytes:
    """``frame`` as a JPEG of ``size`` (its top-left part when the source is odd-sized).

    The frame's 4:2:0 planes go to libjpeg-turbo as they are (simplejpeg), converted only
    to full range, which JPEG's YCbCr is: no RGB round trip, several times faster than
    an RGB image through Pillow, so the import is bound by its uploads.
    """
    full = frame.reformat(format="yuvj420p")
    width, height = size
    luma, blue, red = (
        plane_array(full.planes[index], width >> shift, height >> shift)
        for index, shift in ((0, 0), (1, 1), (2, 1))
    )
    return bytes(simplejpeg.encode_jpeg_yuv_planes(luma, blue, red, quality=quality))


def plane_array(plane: av.video.plane.VideoPlane, width: int, height: int) -> np.ndarray:
    """The top-left ``width`` × ``height`` samples of one plane, contiguous."""
    rows = np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)
    return np.ascontiguousarray(rows[:height, :width])


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
                yield index, jpeg_of(frame, size, self.jpeg_quality)

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
