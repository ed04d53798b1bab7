"""Segment planning and identity: pure functions, no I/O.

A clip is cut into fixed runs of frames (default 2 s). Each segment is encoded as an
independent closed GOP, so its bytes depend only on its inputs; its identity is a hash
of those inputs (S3 key + ETag of every frame, the audio track) and the encoder
settings. A render re-encodes only segments whose hash it has not encoded before.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from fractions import Fraction


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
class SegmentPlan:
    """Frames ``first_frame`` .. ``first_frame + frame_count - 1`` of the clip."""

    index: int
    first_frame: int
    frame_count: int

    @property
    def frames(self) -> range:
        """The frame numbers of this segment."""
        return range(self.first_frame, self.first_frame + self.frame_count)


def frames_per_segment(fps: Fraction, segment_seconds: float) -> int:
    """Whole frames in one segment (at least one)."""
    return max(1, math.floor(fps * Fraction(segment_seconds).limit_denominator(1000)))


def plan_segments(frame_count: int, per_segment: int) -> list[SegmentPlan]:
    """Cut ``frame_count`` frames into segments of ``per_segment`` (the last may be short)."""
    return [
        SegmentPlan(index, first, min(per_segment, frame_count - first))
        for index, first in enumerate(range(0, frame_count, per_segment))
    ]


def segment_hash(
    plan: SegmentPlan, inputs: list[BlobRef], audio: BlobRef | None, fingerprint: str
) -> str:
    """The identity of one encoded segment: its inputs, its place and the settings."""
    digest = hashlib.sha256()
    digest.update(f"{fingerprint}|{plan.first_frame}|{plan.frame_count}|".encode())
    if audio is not None:
        digest.update(f"audio:{audio.key}:{audio.etag}|".encode())
    for ref in inputs:
        digest.update(f"{ref.key}:{ref.etag}|".encode())
    return digest.hexdigest()[:32]


def init_name(fingerprint: str, audio: BlobRef | None) -> str:
    """File name of the init part (``ftyp moov``) shared by every segment of one rung."""
    digest = hashlib.sha256((fingerprint + repr(audio)).encode()).hexdigest()[:16]
    return f"init-{digest}.mp4"


def clip_hash(segment_hashes: list[str]) -> str:
    """The identity of a whole clip: its segments in order."""
    return hashlib.sha256("|".join(segment_hashes).encode()).hexdigest()[:32]
