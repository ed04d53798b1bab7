"""moderation's HTTP schemas, named by role."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from services.moderation.reviews import Review, Status


class ReviewShown(BaseModel):
    """One review as the read API shows it; keys are S3 keys in the media bucket."""

    submission_id: str
    video: str
    frame: int
    status: Status
    score: float | None
    auto_score: float | None
    reasons: list[str]
    judgments: int
    display_name: str | None
    thumb_key: str
    medium_key: str
    large_key: str
    created_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, review: Review) -> ReviewShown:
        """The public view of ``review``."""
        return cls(
            submission_id=review.submission_id,
            video=review.video,
            frame=review.frame,
            status=review.status,
            score=review.score,
            auto_score=review.auto_score,
            reasons=list(review.reasons),
            judgments=review.judgment_count,
            display_name=review.display_name,
            thumb_key=review.renditions.thumb,
            medium_key=review.renditions.medium,
            large_key=review.renditions.large,
            created_at=review.created_at,
            decided_at=review.decided_at,
        )


class RecentApprovals(BaseModel):
    """The latest approved photos, newest decision first."""

    reviews: list[ReviewShown]


class WebhookTaken(BaseModel):
    """What a webhook delivery did: ``decided``, ``pending`` (no quorum yet) or ``ignored``."""

    outcome: Literal["decided", "pending", "ignored"]
