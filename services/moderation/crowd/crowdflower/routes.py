"""The Crowdflower wing's HTTP route: the v1 webhook, its judgments handed to the
moderator's one entry point."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, SecretStr
from starlette.datastructures import FormData

from services.moderation.crowd.crowdflower.payloads import (
    MalformedPayload,
    parse_judgments_payload,
    parse_unit_payload,
)
from services.moderation.crowd.crowdflower.signatures import SignatureMode, is_signed
from services.moderation.reviews.moderator import Moderator
from services.moderation.reviews.ports import Judged, Outcome
from shared.bodies import bounded, form_body_spec
from shared.errors import Unauthorized, error_responses
from shared.service import app_state

router = APIRouter()

# Signals v1 sends that carry nothing we need: accepted and ignored.
IGNORED_SIGNALS = frozenset({"job_complete", "job_data_processed", "unit_updated"})
WEBHOOK_FIELDS = ("signal", "payload", "signature")


class WebhookTaken(BaseModel):
    """What a webhook delivery did: ``decided``, ``pending`` (no quorum yet) or ``ignored``."""

    outcome: Outcome


class WebhookApp(Protocol):
    """What the webhook calls (``app.state.deps``)."""

    moderator: Moderator


class WebhookSettings(Protocol):
    """How webhooks are bounded and signed (``app.state.settings``)."""

    max_webhook_bytes: int
    crowd_webhook_signature: SignatureMode
    crowd_api_key: SecretStr
    crowd_webhook_token: SecretStr


Deps = Annotated[WebhookApp, Depends(app_state("deps"))]
Settings = Annotated[WebhookSettings, Depends(app_state("settings"))]


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
    if signal in IGNORED_SIGNALS:
        return WebhookTaken(outcome="ignored")
    return WebhookTaken(outcome=await deps.moderator.receive(judged_of(signal, payload)))


def judged_of(signal: str | None, payload: str) -> list[Judged]:
    """The judgments a ``unit_complete`` or ``new_judgments`` payload delivers."""
    if signal == "unit_complete":
        return [parse_unit_payload(payload).judged()]
    if signal == "new_judgments":
        return [unit.judged() for unit in parse_judgments_payload(payload)]
    raise MalformedPayload(f"unknown webhook signal {signal!r}")


def text_field(form: FormData, name: str) -> str | None:
    """A text field of ``form`` (a file sent under that name does not count)."""
    value = form.get(name)
    return value if isinstance(value, str) else None
