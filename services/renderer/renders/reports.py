"""What a render did: its report, its version name and its entry in the render history.

Pure, no I/O: a render ends with a :class:`RenderReport` of what was encoded and where it
was published, and keeps a :class:`shared.records.RenderRun` of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.renderer.renders.clips import RenderedClip
from shared.records import RenderRun


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
    """What the render history keeps of ``report`` (the fields both name alike, and the
    segment counts and publishers under the history's names)."""
    return RenderRun.model_validate(
        {
            **vars(report),
            "segments_encoded": report.encoded_segments,
            "segments_reused": report.reused_segments,
            "publishers": report.published,
        }
    )
