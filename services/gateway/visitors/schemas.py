"""Bodies of the visitors' JSON API, named by role."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.gateway.core.links import original_url
from services.gateway.core.schemas import ShownPhoto, moment
from shared.leases import LeaseClaims
from shared.records import MAX_REPORT_NOTE_CHARS, ReportReason, VideoRecord


class LeaseExtended(BaseModel):
    """The lease after a heartbeat; use the new token from now on."""

    lease_id: str
    expires_at: datetime
    max_expires_at: datetime
    token: str

    @classmethod
    def of(cls, claims: LeaseClaims, token: str) -> LeaseExtended:
        """The API view of a lease after a heartbeat."""
        return cls(**cls._times(claims), token=token)

    @staticmethod
    def _times(claims: LeaseClaims) -> dict[str, object]:
        return {
            "lease_id": claims.lease_id,
            "expires_at": moment(claims.expires_at),
            "max_expires_at": moment(claims.max_expires_at),
        }


class LeaseCreated(LeaseExtended):
    """A frame reserved for this visitor: re-create ``original_url`` and upload it."""

    video: str
    frame: int
    original_url: str

    @classmethod
    def of(cls, claims: LeaseClaims, token: str) -> LeaseCreated:
        """The API view of a lease."""
        return cls(
            **cls._times(claims),
            token=token,
            video=claims.video,
            frame=claims.frame,
            original_url=original_url(claims.video, claims.frame),
        )


class PhotoAccepted(BaseModel):
    """The photo is stored; follow its review at ``status_url``."""

    submission_id: str
    status_url: str


class RecentFrames(BaseModel):
    """The latest approved photos, newest first."""

    frames: list[ShownPhoto]


class VideoSummary(BaseModel):
    """One imported video and where its pages are."""

    video: str
    frame_count: int
    fps: float
    duration_seconds: float
    page_url: str
    contribute_url: str

    @classmethod
    def of(cls, record: VideoRecord) -> VideoSummary:
        """The summary of an imported video's record."""
        return cls(
            **record.model_dump(include={"video", "frame_count"}),
            fps=record.fps,
            duration_seconds=round(record.frame_count / record.fps, 3),
            page_url=f"/v/{record.video}",
            contribute_url=f"/v/{record.video}/contribute",
        )


class VideoList(BaseModel):
    """Every imported video, the featured one first."""

    videos: list[VideoSummary]


class ReportRequest(BaseModel):
    """A visitor's report about a shown photo."""

    reason: ReportReason
    note: str = Field("", max_length=MAX_REPORT_NOTE_CHARS)


class ReportReceived(BaseModel):
    """The report is counted (or was already: one per visitor and photo)."""

    submission_id: str
    counted: bool
    hidden: bool
