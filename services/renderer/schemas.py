"""The renderer's HTTP bodies, named by role."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class RenderRequested(BaseModel):
    """``POST /renders`` body."""

    video: str = Field("demo", min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")


class RenderScheduled(BaseModel):
    """A forced render was queued."""

    video: str
    status: str = "scheduled"


class RenderSummary(BaseModel):
    """A clip version: what ``GET /clip`` and ``GET /renders/latest`` report."""

    video: str
    version: str
    clip_hash: str
    frame_count: int
    filled_slots: int
    built_at: datetime
    render_seconds: float
    duration_seconds: float
    encoded_segments: int | None = None
    reused_segments: int | None = None
    published: dict[str, str] | None = None
    mp4_key: str | None = None
    poster_key: str | None = None
    hls_key: str | None = None
