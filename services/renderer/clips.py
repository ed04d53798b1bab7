"""What a render reads and makes: frozen dataclasses and pure functions, no I/O.

A render turns a video's record and its filled slots into :class:`ClipInputs` (a stored
object per frame: the slot's photo, else the original frame), an encoder turns those
into a :class:`RenderedClip` on local disk, and the render ends with a
:class:`RenderReport` of what was encoded and where it was published.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from services.renderer.ladder import ladder_sizes
from services.renderer.segments import BlobRef, EncoderSettings, frames_per_segment
from shared.records import RenderRun, VideoRecord, audio_key, original_key


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


@dataclass(frozen=True)
class RenderReport:
    """What one render did."""

    video: str
    version: str
    clip_hash: str
    frame_count: int
    filled_slots: int
    built_at: datetime
    render_seconds: float
    duration_seconds: float
    encoded_segments: int
    reused_segments: int
    published: dict[str, str] = field(default_factory=dict)

    @property
    def failed_targets(self) -> list[str]:
        """Publishers that did not take the clip."""
        return [name for name, outcome in self.published.items() if outcome.startswith("failed")]


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
    base = EncoderSettings(
        width=record.width,
        height=record.height,
        fps=fps,
        preset=prefs.preset,
        crf=prefs.crf,
        threads=prefs.threads,
    )
    rungs = [
        replace(base, width=w, height=h)
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


def version_name(built_at: datetime, clip_hash: str) -> str:
    """A clip version's name: sortable by time (to the millisecond), unique by content."""
    millis = built_at.microsecond // 1000
    return f"{built_at:%Y%m%dT%H%M%S}{millis:03d}Z-{clip_hash[:8]}"


def report_of(
    clip: RenderedClip, version: str, built_at: datetime, filled: int, published: dict[str, str]
) -> RenderReport:
    """The report of a render that made ``clip`` and published it as ``published`` says."""
    return RenderReport(
        video=clip.video,
        version=version,
        clip_hash=clip.clip_hash,
        frame_count=clip.frame_count,
        filled_slots=filled,
        built_at=built_at,
        render_seconds=round(clip.render_seconds, 3),
        duration_seconds=clip.duration_seconds,
        encoded_segments=clip.encoded_segments,
        reused_segments=clip.reused_segments,
        published=published,
    )


def render_run(report: RenderReport) -> RenderRun:
    """What the render history keeps of ``report``."""
    return RenderRun(
        video=report.video,
        version=report.version,
        built_at=report.built_at,
        render_seconds=report.render_seconds,
        segments_encoded=report.encoded_segments,
        segments_reused=report.reused_segments,
        publishers=dict(report.published),
    )
