"""Bodies of the gateway's JSON API, named by role."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class LeaseCreated(BaseModel):
    """A frame reserved for this visitor: re-create ``original_url`` and upload it."""

    lease_id: str
    video: str
    frame: int
    original_url: str
    expires_at: datetime
    max_expires_at: datetime
    token: str


class LeaseExtended(BaseModel):
    """The lease after a heartbeat; use the new token from now on."""

    lease_id: str
    expires_at: datetime
    max_expires_at: datetime
    token: str


class PhotoAccepted(BaseModel):
    """The photo is stored; follow its review at ``status_url``."""

    submission_id: str
    status_url: str


class SubmissionStatus(BaseModel):
    """Where a submitted photo stands: ``received`` (not yet with the crowd), ``pending``
    (being rated), ``approved`` or ``rejected`` (with reasons)."""

    submission_id: str
    video: str
    frame: int
    status: str
    score: float | None = None
    reasons: list[str] = []
    display_name: str | None = None
    thumb_url: str
    medium_url: str
    frame_url: str


class ShownPhoto(BaseModel):
    """An approved photo as the pages show it."""

    submission_id: str
    video: str
    frame: int
    display_name: str | None
    score: float | None
    thumb_url: str
    medium_url: str
    frame_url: str
    decided_at: datetime | None


class RecentFrames(BaseModel):
    """The latest approved photos, newest first."""

    frames: list[ShownPhoto]


class ClipVersion(BaseModel):
    """One published version of the clip."""

    version: str
    mp4_url: str
    poster_url: str
    hls_url: str
    built_at: datetime
    render_seconds: float
    duration_seconds: float


class ClipStatus(BaseModel):
    """The featured video: its size, how much is re-made, and its current clip (if any)."""

    video: str
    frame_count: int
    fps: float
    filled: int
    filled_frames: list[int]
    clip: ClipVersion | None


class SlotPhotos(BaseModel):
    """One slot: where it sits in the clip and its approved photos, best first."""

    video: str
    frame: int
    frame_count: int
    fps: float
    original_url: str
    photos: list[ShownPhoto]
