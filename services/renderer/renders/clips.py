"""What a render reads and makes: frozen dataclasses and pure functions, no I/O.

A render turns a video's record and its filled slots into :class:`ClipInputs` (a stored
object per frame: the slot's photo, else the original frame; the encoder settings of
every rung of its ladder), and an encoder turns those into a :class:`RenderedClip` on
local disk. These are the words the core's ports speak, so the encoding and publishing
wings import them from here; what a render reports is in :mod:`.reports`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from services.renderer.renders.ladder import ladder_sizes
from shared.records import VideoRecord, audio_key, original_key


@dataclass(frozen=True)
class BlobRef:
    """One stored object at one content version: its S3 key and ETag."""

    key: str
    etag: str


@dataclass(frozen=True)
class EncoderSettings:
    """Everything that decides a segment's encoding besides its inputs.

    ``threads`` is how many x264 frame threads encode it: it changes how fast, not the
    stream's parameters (the init part is the same byte for byte), so it is no part of
    the :meth:`fingerprint` and a render may give a segment more threads when it has
    fewer segments to encode than worker processes.
    """

    width: int
    height: int
    fps: Fraction
    preset: str
    crf: int
    threads: int

    def x264_params(self, frames_per_segment: int) -> str:
        """x264 options: one closed GOP per segment, no B-frames (see ``fingerprint``)."""
        # bframes=0 keeps decode time equal to presentation time, so fragments of separately
        # encoded segments join byte for byte without an edit list or an A/V offset.
        return (
            f"keyint={frames_per_segment}:min-keyint={frames_per_segment}"
            ":scenecut=0:bframes=0:open-gop=0"
        )

    def fingerprint(self) -> str:
        """A stable text of every setting that shapes the stream, for hashing."""
        return (
            f"h264/{self.width}x{self.height}@{self.fps}/{self.preset}/crf{self.crf}/yuv420p-tv/bf0"
        )


@dataclass(frozen=True)
class EncodingPrefs:
    """The operator's encoding choices; the video's record gives size and rate."""

    preset: str
    crf: int
    threads: int
    segment_seconds: float
    # Heights of the resolution ladder; empty: the video's own size only.
    ladder_heights: tuple[int, ...] = ()


@dataclass(frozen=True)
class ClipInputs:
    """Everything one render of a video needs: a ref per frame, the audio, settings."""

    video: str
    encoder: EncoderSettings
    frames_per_segment: int
    frames: tuple[BlobRef, ...]
    audio: BlobRef | None
    # The smaller rungs of a resolution ladder (``encoder`` is the top one, the MP4's).
    lower_rungs: tuple[EncoderSettings, ...] = ()

    @property
    def rungs(self) -> tuple[EncoderSettings, ...]:
        """Every rung's encoder settings, smallest first; the last is ``encoder``."""
        return (*self.lower_rungs, self.encoder)


@dataclass(frozen=True)
class RenderedRung:
    """One rung of a rendered clip: its size, files and bit rates (bits per second)."""

    width: int
    height: int
    init_path: Path
    segment_paths: tuple[Path, ...]
    peak_bits_per_second: int
    average_bits_per_second: int
    codecs: str


@dataclass(frozen=True)
class RenderedClip:
    """A clip assembled on local disk, ready to publish."""

    video: str
    clip_hash: str
    frame_count: int
    duration_seconds: float
    init_path: Path
    segment_paths: tuple[Path, ...]
    segment_seconds: tuple[float, ...]
    mp4_path: Path
    poster_path: Path
    encoded_segments: int
    reused_segments: int
    render_seconds: float
    # Every rung, smallest first (the last is the MP4's); one rung: no ladder.
    rungs: tuple[RenderedRung, ...] = ()


def frames_per_segment(fps: Fraction, segment_seconds: float) -> int:
    """Whole frames in one segment (at least one)."""
    return max(1, math.floor(fps * Fraction(segment_seconds).limit_denominator(1000)))


def clip_inputs(
    record: VideoRecord,
    filled: dict[int, BlobRef],
    stored: dict[str, str],
    prefs: EncodingPrefs,
) -> ClipInputs:
    """Every frame's input (its photo, else its original), the audio, the encoder.

    ``stored`` maps the keys of the video's originals to their ETags.
    """
    frames = tuple(
        filled.get(n)
        or BlobRef(original_key(record.video, n), stored[original_key(record.video, n)])
        for n in range(record.frame_count)
    )
    audio = audio_key(record.video)
    fps = Fraction(record.fps_num, record.fps_den)
    rungs = [
        EncoderSettings(w, h, fps, prefs.preset, prefs.crf, prefs.threads)
        for w, h in ladder_sizes(record.width, record.height, prefs.ladder_heights)
    ]
    return ClipInputs(
        record.video,
        rungs[-1],
        frames_per_segment(fps, prefs.segment_seconds),
        frames,
        BlobRef(audio, stored[audio]) if record.has_audio else None,
        tuple(rungs[:-1]),
    )
