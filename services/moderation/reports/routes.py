"""The reports wing's HTTP routes: visitors' reports, and the operators' decisions on
shown photos (the gateway's ``/ops`` calls these with the operator token): the report
queue, takedown, restore and bulk revert."""

from __future__ import annotations

import logging
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Path, Query

from services.moderation.reports.desk import QueuedReport, ReportDesk
from services.moderation.reports.report import Report
from services.moderation.reviews.access import Operator
from services.moderation.reviews.review import review_list, review_view
from shared.errors import error_responses
from shared.records import (
    ReportedPhotoView,
    ReportFiled,
    ReportOutcome,
    ReportQueue,
    ReportView,
    ReviewList,
    ReviewView,
)
from shared.service import app_state

log = logging.getLogger(__name__)
router = APIRouter(tags=["reports"])
MAX_LISTED = 200
CLIENT_ID = r"^[A-Za-z0-9_-]{1,64}$"


class ReportsApp(Protocol):
    """What these routes call (``app.state.deps``)."""

    desk: ReportDesk


Deps = Annotated[ReportsApp, Depends(app_state("deps"))]


@router.post("/reviews/{submission_id}/reports", responses=error_responses(400, 404, 422))
async def file_report(submission_id: str, body: ReportFiled, deps: Deps) -> ReportOutcome:
    """A visitor's report about a shown photo (once per visitor; hides it after enough)."""
    return await deps.desk.report(submission_id, body.visitor, body.reason, body.note)


@router.get("/reports", responses=error_responses(401, 403, 422))
async def report_queue(
    _: Operator, deps: Deps, limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 50
) -> ReportQueue:
    """The reported photos awaiting an operator, oldest first (operator only)."""
    return ReportQueue(photos=[queued_view(entry) for entry in await deps.desk.queue(limit)])


@router.post(
    "/reviews/{submission_id}/takedown",
    tags=["reviews"],
    responses=error_responses(401, 403, 404, 409),
)
async def take_down(_: Operator, submission_id: str, deps: Deps) -> ReviewView:
    """Reject an approved photo (operator only); the renderer drops it from the clip."""
    log.info("takedown", extra={"submission_id": submission_id})
    return review_view(await deps.desk.takedown(submission_id))


@router.post("/reviews/{submission_id}/restore", responses=error_responses(401, 403, 404, 409))
async def restore(_: Operator, submission_id: str, deps: Deps) -> ReviewView:
    """Approve a taken-down photo again (operator only); the renderer shows it again."""
    return review_view(await deps.desk.restore(submission_id))


@router.post("/clients/{client_id}/takedown", responses=error_responses(401, 403, 422))
async def revert_contributor(
    _: Operator, client_id: Annotated[str, Path(pattern=CLIENT_ID)], deps: Deps
) -> ReviewList:
    """Take down every approved photo of one contributor (operator only)."""
    return review_list(await deps.desk.revert_contributor(client_id))


def report_view(report: Report) -> ReportView:
    """One report as the console shows it."""
    return ReportView.model_validate(report, from_attributes=True)


def queued_view(entry: QueuedReport) -> ReportedPhotoView:
    """One queue entry as the console shows it."""
    return ReportedPhotoView(
        review=review_view(entry.review),
        client_id=entry.review.client_id,
        first_reported_at=entry.photo.first_reported_at,
        reports=[report_view(r) for r in entry.reports],
    )
