"""The core's HTTP routes: the read API, contributors' own lists and deletions, and the
operators' view of pending reviews and crowd spend."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Query

from services.moderation.reviews.access import ClientId, Operator
from services.moderation.reviews.contributors import Contributions
from services.moderation.reviews.moderator import EVERY_APPROVAL, Moderator
from services.moderation.reviews.review import review_list, review_view
from services.moderation.reviews.spending import VideoSpend, spend_of
from shared.errors import error_responses
from shared.records import CrowdSpend, ReviewList, ReviewView
from shared.service import app_state

router = APIRouter()
MAX_RECENT = 50
MAX_LISTED = 200


class ReviewsApp(Protocol):
    """What these routes call (``app.state.deps``)."""

    moderator: Moderator
    contributions: Contributions


class SpendSettings(Protocol):
    """The crowd's price, for the spend of reviews that record none."""

    crowd_payment_cents: int
    crowd_units_per_assignment: int


Deps = Annotated[ReviewsApp, Depends(app_state("deps"))]
Settings = Annotated[SpendSettings, Depends(app_state("settings"))]


@router.get("/reviews/recent", tags=["reviews"])
async def recent_reviews(
    deps: Deps, limit: Annotated[int, Query(ge=1, le=MAX_RECENT)] = 10
) -> ReviewList:
    """The latest approved photos, newest first."""
    return review_list(await deps.moderator.recent(limit))


@router.get("/slots/{video}/{frame}/reviews", tags=["reviews"])
async def slot_reviews(video: str, frame: int, deps: Deps) -> ReviewList:
    """The approved photos of one slot, best score first."""
    return review_list(await deps.moderator.of_slot(video, frame))


@router.get("/videos/{video}/spend", tags=["reviews"])
async def video_spend(video: str, deps: Deps) -> VideoSpend:
    """What the crowd (Mechanical Turk's HITs) cost for one video so far, USD."""
    spent = await deps.moderator.spend(video)
    return VideoSpend(video=spent.video, total=spent.total, hits=spent.hits)


@router.get("/reviews/{submission_id}", tags=["reviews"], responses=error_responses(404))
async def get_review(submission_id: str, deps: Deps) -> ReviewView:
    """One submission's review: pending, approved or rejected, with score and reasons."""
    return review_view(await deps.moderator.review(submission_id))


@router.get("/clients/{client_id}/reviews", tags=["contributors"])
async def client_reviews(client_id: ClientId, deps: Deps) -> ReviewList:
    """One visitor's submissions, newest first (the gateway asks only for its cookie's)."""
    return review_list(await deps.contributions.of_client(client_id))


@router.delete(
    "/clients/{client_id}/reviews/{submission_id}",
    tags=["contributors"],
    responses=error_responses(404, 409),
)
async def delete_review(client_id: ClientId, submission_id: str, deps: Deps) -> ReviewView:
    """Withdraw one of the visitor's photos (404 alike for another's or an unknown one)."""
    return review_view(await deps.contributions.delete(client_id, submission_id))


@router.get("/videos/{video}/credits", tags=["contributors"])
async def video_credits(video: str, deps: Deps) -> ReviewList:
    """The approved photo each slot of a video shows, in frame order."""
    return review_list(await deps.contributions.credits(video))


@router.get("/pending-reviews", tags=["reports"], responses=error_responses(401, 403, 422))
async def pending_reviews(
    _: Operator, deps: Deps, limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 50
) -> ReviewList:
    """Reviews still waiting for the crowd, oldest first (operator only)."""
    return review_list(await deps.moderator.pending(limit))


@router.get("/crowd/spend", tags=["reports"], responses=error_responses(401, 403))
async def crowd_spend(_: Operator, deps: Deps, settings: Settings) -> CrowdSpend:
    """Crowd spend per video and per approved frame: recorded (MTurk), else computed;
    and how often forgotten crowd work was re-created."""
    approved = await deps.moderator.store.recent_approved(EVERY_APPROVAL)
    spent = spend_of(approved, settings.crowd_payment_cents, settings.crowd_units_per_assignment)
    return spent.model_copy(update={"healed": await deps.moderator.healed()})
