"""ingest's internal API, called by the gateway."""

from __future__ import annotations

import time
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status

from services.ingest.schemas import SubmissionStored
from services.ingest.settings import IngestSettings
from services.ingest.usecases import Ingestor
from shared.errors import OfofError, Unauthorized, error_responses
from shared.leases import authorize
from shared.photos import PHOTO_REQUEST_BODY, read_photo
from shared.service import app_state


class IngestWired(Protocol):
    """What the routes need of the composition root's deps (``IngestDeps``): the routes
    see the use case, never the adapters behind it."""

    @property
    def ingestor(self) -> Ingestor: ...


Deps = Annotated[IngestWired, Depends(app_state("deps"))]
Settings = Annotated[IngestSettings, Depends(app_state("settings"))]
router = APIRouter()


@router.put(
    "/submissions/{submission_id}",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        401,
        403,
        404,
        408,
        409,
        410,
        413,
        415,
        422,
        503,
        _200={"model": SubmissionStored, "description": "Already stored; nothing changed"},
    ),
    openapi_extra=PHOTO_REQUEST_BODY,
)
async def store_submission(
    submission_id: str,
    request: Request,
    response: Response,
    deps: Deps,
    settings: Settings,
    x_lease_token: Annotated[str | None, Header(alias="X-Lease-Token")] = None,
    display_name: Annotated[str | None, Query(max_length=40)] = None,
) -> SubmissionStored:
    """Store the photo of a lease (raw image body) and hand it to moderation. Idempotent."""
    if not x_lease_token:
        raise Unauthorized("send the lease token in X-Lease-Token", code="missing_lease_token")
    assert settings.lease_secret is not None
    claims = authorize(
        x_lease_token,
        settings.lease_secret.get_secret_value().encode(),
        lease_id=submission_id,
        client_id=None,
        now=time.time(),
    )
    try:
        photo = await read_photo(
            request, settings.max_upload_bytes, settings.upload_timeout_seconds
        )
    except OfofError as exc:
        deps.ingestor.refused(exc.code)
        raise
    outcome = await deps.ingestor.ingest(claims, photo.content_type, photo.data, display_name)
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    return SubmissionStored(**outcome.record.model_dump(), created=outcome.created)
