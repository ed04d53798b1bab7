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

from services.renderer.renders.clips import BlobRef


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


def bit_rates(sizes: list[int], seconds: list[float]) -> tuple[int, int]:
    """(peak, average) bits per second of segments of ``sizes`` bytes lasting ``seconds``."""
    peak = max((size * 8 / s for size, s in zip(sizes, seconds, strict=True) if s > 0), default=0)
    average = sum(sizes) * 8 / sum(seconds) if sum(seconds) > 0 else 0
    return math.ceil(peak), math.ceil(average)
