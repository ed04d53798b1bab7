"""Visitors' reports about a shown photo (``POST /api/photos/{id}/reports``).

Cross-site posts are refused by :class:`~services.gateway.routes.security.BrowserSecurityMiddleware`
like every write; the visitor is the client-id cookie, the rate limit is per address.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from services.gateway.deps import Reports
from services.gateway.links import SUBMISSION_ID
from services.gateway.routes.api import client_id_of
from services.gateway.schemas import ReportReceived, ReportRequest
from shared.errors import error_responses

router = APIRouter(prefix="/api")
SubmissionId = Annotated[str, Path(pattern=SUBMISSION_ID.pattern)]


@router.post(
    "/photos/{submission_id}/reports", responses=error_responses(400, 403, 404, 422, 429, 503)
)
async def report_photo(
    submission_id: SubmissionId, body: ReportRequest, request: Request, reports: Reports
) -> ReportReceived:
    """Report a shown photo (nudity, hate, personal data, other); once per visitor."""
    client_ip = request.client.host if request.client else "unknown"
    return await reports.report(submission_id, client_id_of(request), client_ip, body)
