"""moderation's routes for visitors' reports and the operators' console (the gateway's
``/ops`` calls these with the operator token): the report queue, pending reviews,
restore, bulk revert and crowd spend."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query

from services.moderation.complaints import Complaint
from services.moderation.deps import Deps, Settings
from services.moderation.reporting import QueuedReport
from services.moderation.reviews import review_list, review_view
from services.moderation.spending import spend_of
from services.moderation.usecases import EVERY_APPROVAL
from shared.errors import error_responses
from shared.operator import require_operator
from shared.records import (
    CrowdSpend,
    ReportedPhotoView,
    ReportFiled,
    ReportOutcome,
    ReportQueue,
    ReportView,
    ReviewList,
    ReviewView,
)

router = APIRouter(tags=["reports"])
Authorization = Annotated[str | None, Header()]
MAX_LISTED = 200
CLIENT_ID = r"^[A-Za-z0-9_-]{1,64}$"


@router.post("/reviews/{submission_id}/reports", responses=error_responses(400, 404, 422))
async def file_report(submission_id: str, body: ReportFiled, deps: Deps) -> ReportOutcome:
    """A visitor's report about a shown photo (once per visitor; hides it after enough)."""
    taken = await deps.desk.report(submission_id, body.visitor, body.reason, body.note)
    return ReportOutcome(counted=taken.is_new, hidden=taken.hidden)


@router.get("/reports", responses=error_responses(401, 403, 422))
async def report_queue(
    deps: Deps,
    settings: Settings,
    authorization: Authorization = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 50,
) -> ReportQueue:
    """The reported photos awaiting an operator, oldest first (operator only)."""
    require_operator(authorization, settings.operator_token)
    return ReportQueue(photos=[queued_view(entry) for entry in await deps.desk.queue(limit)])


@router.get("/pending-reviews", responses=error_responses(401, 403, 422))
async def pending_reviews(
    deps: Deps,
    settings: Settings,
    authorization: Authorization = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 50,
) -> ReviewList:
    """Reviews still waiting for the crowd, oldest first (operator only)."""
    require_operator(authorization, settings.operator_token)
    return review_list(await deps.moderator.pending(limit))


@router.post("/reviews/{submission_id}/restore", responses=error_responses(401, 403, 404, 409))
async def restore(
    submission_id: str, deps: Deps, settings: Settings, authorization: Authorization = None
) -> ReviewView:
    """Approve a taken-down photo again (operator only); the renderer shows it again."""
    require_operator(authorization, settings.operator_token)
    return review_view(await deps.desk.restore(submission_id))


@router.post("/clients/{client_id}/takedown", responses=error_responses(401, 403, 422))
async def revert_contributor(
    client_id: Annotated[str, Path(pattern=CLIENT_ID)],
    deps: Deps,
    settings: Settings,
    authorization: Authorization = None,
) -> ReviewList:
    """Take down every approved photo of one contributor (operator only)."""
    require_operator(authorization, settings.operator_token)
    return review_list(await deps.desk.revert_contributor(client_id))


@router.get("/crowd/spend", responses=error_responses(401, 403))
async def crowd_spend(
    deps: Deps, settings: Settings, authorization: Authorization = None
) -> CrowdSpend:
    """Crowd spend per video and per approved frame: recorded (MTurk), else computed."""
    require_operator(authorization, settings.operator_token)
    approved = await deps.moderator.store.recent_approved(EVERY_APPROVAL)
    return spend_of(approved, settings.crowd_payment_cents, settings.crowd_units_per_assignment)


def report_view(complaint: Complaint) -> ReportView:
    """One report as the console shows it."""
    return ReportView(
        visitor=complaint.visitor,
        reason=complaint.reason,
        note=complaint.note,
        created_at=complaint.created_at,
    )


def queued_view(entry: QueuedReport) -> ReportedPhotoView:
    """One queue entry as the console shows it."""
    return ReportedPhotoView(
        review=review_view(entry.review),
        client_id=entry.review.client_id,
        first_reported_at=entry.photo.first_reported_at,
        reports=[report_view(c) for c in entry.complaints],
    )
