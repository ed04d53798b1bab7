"""The renderer's HTTP bodies, named by role."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.records import ClipFacts


class RenderRequested(BaseModel):
    """``POST /renders`` body."""

    video: str = Field("demo", min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")


class RenderScheduled(BaseModel):
    """A forced render was queued."""

    video: str
    status: str = "scheduled"


class RenderSummary(ClipFacts):
    """A clip version: what ``GET /clip`` and ``GET /renders/latest`` report.

    Either the published :class:`shared.records.ClipPointer` (with its S3 keys) or a
    render by this process (with what it encoded and where it published).
    """

    encoded_segments: int | None = None
    reused_segments: int | None = None
    published: dict[str, str] | None = None
    mp4_key: str | None = None
    poster_key: str | None = None
    hls_key: str | None = None
