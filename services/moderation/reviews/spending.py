"""Crowd spend (pure): a Mechanical Turk review records what its HIT cost (reward ×
assignments + fee), and that is its spend; a Crowdflower review records no price, so
its spend is computed: the crowd settings' pay per page, shared by the photos on a
page, times the judgments the photo received. Gold (test) questions and rejected
photos are not counted."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Literal

from services.moderation.reviews.review import Review
from shared.records import CrowdSpend, EstimatedVideoSpend, FrameSpend, Record


class VideoSpend(Record):
    """What the crowd cost for one video so far (``GET /videos/{video}/spend``): the sum
    over its Mechanical Turk HITs of reward × assignments + MTurk's fee."""

    video: str
    currency: Literal["USD"] = "USD"
    total: Decimal
    hits: int


def frame_spend(review: Review, cents_per_judgment: float) -> FrameSpend:
    """What the judgments of one approved photo cost."""
    count = len(review.judgments)
    recorded = review.crowd_cost is not None
    cents = Decimal(review.crowd_cost) * 100 if review.crowd_cost else count * cents_per_judgment
    return FrameSpend(
        video=review.video,
        frame=review.frame,
        submission_id=review.submission_id,
        judgments=count,
        cents=round(float(cents), 2),
        recorded=recorded,
    )


def spend_of(approved: list[Review], payment_cents: int, units_per_page: int) -> CrowdSpend:
    """Spend per video and per approved frame (videos by name, frames in clip order)."""
    per_judgment = payment_cents / units_per_page
    frames = sorted(
        (frame_spend(review, per_judgment) for review in approved),
        key=lambda f: (f.video, f.frame, f.submission_id),
    )
    by_video: dict[str, list[FrameSpend]] = defaultdict(list)
    for frame in frames:
        by_video[frame.video].append(frame)
    videos = [
        EstimatedVideoSpend(
            video=video,
            approved_frames=len(spent),
            judgments=sum(f.judgments for f in spent),
            cents=round(sum(f.cents for f in spent), 2),
        )
        for video, spent in sorted(by_video.items())
    ]
    return CrowdSpend(cents_per_judgment=per_judgment, videos=videos, frames=frames)
