"""Bodies the wings' JSON APIs share, named by role: a photo as the pages show it, where a
submission stands, a clip and a slot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from services.gateway.core.links import frame_url, media_url
from shared.records import ClipPointer, ReviewView, SubmissionRecord, rendition_key


def moment(epoch_seconds: float) -> datetime:
    """Epoch seconds as an aware UTC datetime (how answers spell times)."""
    return datetime.fromtimestamp(epoch_seconds, UTC)


class PhotoPlaces(BaseModel):
    """A submitted photo and where the pages find it: its renditions and its frame."""

    submission_id: str
    video: str
    frame: int
    thumb_url: str
    medium_url: str
    frame_url: str

    @staticmethod
    def places(
        submission_id: str, video: str, frame: int, thumb_key: str, medium_key: str
    ) -> dict[str, Any]:
        """The fields of :class:`PhotoPlaces` for a photo stored under these keys."""
        return {
            "submission_id": submission_id,
            "video": video,
            "frame": frame,
            "thumb_url": media_url(thumb_key),
            "medium_url": media_url(medium_key),
            "frame_url": frame_url(video, frame),
        }


class SubmissionStatus(PhotoPlaces):
    """Where a submitted photo stands: ``received`` (not yet with the crowd), ``pending``
    (being rated), ``approved`` or ``rejected`` (with reasons)."""

    status: str
    score: float | None = None
    reasons: list[str] = []
    display_name: str | None = None

    @classmethod
    def of_review(cls, review: ReviewView) -> SubmissionStatus:
        """A submission moderation knows: pending, approved or rejected."""
        return cls(
            **cls._stored(review.submission_id, review.video, review.frame),
            **review.model_dump(include={"status", "score", "reasons", "display_name"}),
        )

    @classmethod
    def of_record(cls, record: SubmissionRecord) -> SubmissionStatus:
        """A stored submission moderation has not seen yet: ``received``."""
        return cls(
            **cls._stored(record.submission_id, record.video, record.frame),
            status="received",
            display_name=record.display_name,
        )

    @classmethod
    def _stored(cls, submission_id: str, video: str, frame: int) -> dict[str, Any]:
        thumb, medium = (rendition_key(submission_id, size) for size in ("thumb", "medium"))
        return cls.places(submission_id, video, frame, thumb, medium)


class ShownPhoto(PhotoPlaces):
    """An approved photo as the pages show it."""

    display_name: str | None
    score: float | None
    decided_at: datetime | None

    @classmethod
    def of(cls, review: ReviewView) -> ShownPhoto:
        """An approved review as the pages show it."""
        return cls(
            **cls.places(
                review.submission_id,
                review.video,
                review.frame,
                review.thumb_key,
                review.medium_key,
            ),
            **review.model_dump(include={"display_name", "score", "decided_at"}),
        )


class ClipFiles(BaseModel):
    """A published version of a clip and the files a player loads."""

    version: str
    built_at: datetime
    mp4_url: str
    poster_url: str

    @staticmethod
    def files(pointer: ClipPointer) -> dict[str, Any]:
        """The fields of :class:`ClipFiles` for the clip a pointer names."""
        return {
            **pointer.model_dump(include={"version", "built_at"}),
            "mp4_url": media_url(pointer.mp4_key),
            "poster_url": media_url(pointer.poster_key),
        }


class ClipVersion(ClipFiles):
    """One published version of the clip."""

    hls_url: str
    render_seconds: float
    duration_seconds: float
    published_at: datetime

    @classmethod
    def of(cls, pointer: ClipPointer) -> ClipVersion:
        """The published clip a pointer names, as the pages load it."""
        return cls(
            **ClipFiles.files(pointer),
            hls_url=media_url(pointer.hls_key),
            **pointer.model_dump(include={"render_seconds", "duration_seconds", "published_at"}),
        )


class ClipStatus(BaseModel):
    """One video: its size, how much is re-made, and its current clip (if any)."""

    video: str
    frame_count: int
    fps: float
    filled: int
    filled_frames: list[int]
    clip: ClipVersion | None
    # The video host's player to embed instead of the clip (GATEWAY_FEATURED_PLAYER);
    # left out of the answer when there is none, so the HLS-only answer is unchanged.
    player_embed_url: str | None = Field(None, exclude_if=lambda url: url is None)


class SlotPhotos(BaseModel):
    """One slot: where it sits in the clip and its approved photos, best first."""

    video: str
    frame: int
    frame_count: int
    fps: float
    original_url: str
    photos: list[ShownPhoto]
