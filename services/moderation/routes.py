"""moderation's HTTP routes: the read API, contributors' own lists and deletions,
operator takedowns and the crowd webhook."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from starlette.datastructures import FormData

from services.moderation.deps import Deps, Settings
from services.moderation.payloads import (
    MalformedPayload,
    parse_judgments_payload,
    parse_unit_payload,
)
from services.moderation.reviews import review_list, review_view
from services.moderation.schemas import WebhookTaken
from services.moderation.signatures import is_signed
from shared.bodies import bounded, form_body_spec
from shared.errors import Unauthorized, error_responses
from shared.operator import require_operator
from shared.records import ReviewList, ReviewView, VideoSpend

log = logging.getLogger(__name__)
router = APIRouter()

# Signals v1 sends that carry nothing we need: accepted and ignored.
IGNORED_SIGNALS = frozenset({"job_complete", "job_data_processed", "unit_updated"})
MAX_RECENT = 50
WEBHOOK_FIELDS = ("signal", "payload", "signature")
# The gateway's client-id cookie (services/gateway/routes/cookies.py): nothing else.
ClientId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


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


@router.post(
    "/reviews/{submission_id}/takedown",
    tags=["reviews"],
    responses=error_responses(401, 403, 404, 409),
)
async def take_down(
    submission_id: str,
    deps: Deps,
    settings: Settings,
    authorization: Annotated[str | None, Header()] = None,
) -> ReviewView:
    """Reject an approved photo (operator only); the renderer drops it from the clip."""
    require_operator(authorization, settings.operator_token)
    log.info("takedown", extra={"submission_id": submission_id})
    return review_view(await deps.desk.takedown(submission_id))


@router.post(
    "/crowd/webhook",
    tags=["crowd"],
    responses=error_responses(400, 401, 413),
    openapi_extra=form_body_spec(*WEBHOOK_FIELDS),
)
async def crowd_webhook(request: Request, deps: Deps, settings: Settings) -> WebhookTaken:
    """Crowdflower v1 webhook: ``signal``, ``payload`` (JSON) and ``signature``."""
    # Bounded before the form is parsed; the signature is checked before the JSON is.
    body = bounded(request, settings.max_webhook_bytes)
    form = await body.form(max_files=0, max_fields=len(WEBHOOK_FIELDS) + 8)
    signal, payload, signature = (text_field(form, name) for name in WEBHOOK_FIELDS)
    signed = payload is not None and is_signed(
        settings.crowd_webhook_signature,
        payload,
        signature,
        api_key=settings.crowd_api_key.get_secret_value(),
        token=settings.crowd_webhook_token.get_secret_value(),
    )
    if payload is None or not signed:
        raise Unauthorized("missing or bad webhook signature")
    if signal == "unit_complete":
        unit = parse_unit_payload(payload)
        return WebhookTaken(outcome=await deps.moderator.receive_unit(unit))
    if signal == "new_judgments":
        units = parse_judgments_payload(payload)
        return WebhookTaken(outcome=await deps.moderator.receive_judgments(units))
    if signal in IGNORED_SIGNALS:
        return WebhookTaken(outcome="ignored")
    raise MalformedPayload(f"unknown webhook signal {signal!r}")


def text_field(form: FormData, name: str) -> str | None:
    """A text field of ``form`` (a file sent under that name does not count)."""
    value = form.get(name)
    return value if isinstance(value, str) else None
