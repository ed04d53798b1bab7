"""The crowd webhook over HTTP: signature modes, new_judgments arrays, job_complete, bad signals."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from services.moderation.app import create_app
from services.moderation.crowd.crowdflower.signatures import sign
from services.moderation.deps import build_deps
from services.moderation.settings import ModerationSettings
from shared.aws import AwsClients
from tests.fakes.moderation import FakeCrowd
from tests.integration.test_moderation_api import pending_review, submit

KEY, TOKEN = "api-key", "webhook-token"


async def moderation_client(
    aws_fields: dict, aws: AwsClients, **settings: object
) -> AsyncIterator[httpx.AsyncClient]:
    config = ModerationSettings(
        **aws_fields, crowd_api_key=KEY, reconcile_seconds=3600, consumer_wait_seconds=1, **settings
    )
    app = create_app(config, build_deps(config, aws, FakeCrowd()))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://moderation") as c:
            c.settings = config  # type: ignore[attr-defined]
            yield c


@pytest.fixture
async def by_token(aws_fields, aws):
    async for c in moderation_client(
        aws_fields, aws, crowd_webhook_signature="webhook_token", crowd_webhook_token=TOKEN
    ):
        yield c


@pytest.fixture
async def unsigned(aws_fields, aws):
    async for c in moderation_client(aws_fields, aws, crowd_webhook_signature="none"):
        yield c


def judgment(unit_id: int, sid: str, n: int) -> dict:
    return {
        "id": unit_id * 10 + n,
        "unit_id": unit_id,
        "job_id": 1,
        "worker_id": 50 + n,
        "worker_trust": 0.9,
        "trust": 0.9,
        "golden": False,
        "unit_data": {"submission_id": sid},
        "data": {"nudity": "no", "mimic": "5", "trying": "yes"},
    }


def form(signal: str, document: object, secret: str | None) -> dict[str, str]:
    payload = json.dumps(document)
    signed = {"signature": sign(payload, secret)} if secret is not None else {}
    return {"signal": signal, "payload": payload} | signed


async def test_webhook_token_mode_takes_the_token_signature_and_refuses_the_key_one(
    by_token, aws, aws_fields
):
    settings = by_token.settings
    for sid in ("nj-1", "nj-2"):
        await submit(aws, settings, sid)
        await pending_review(by_token, sid)
    array = [judgment(1, "nj-1", n) for n in range(3)] + [judgment(2, "nj-2", n) for n in range(3)]
    refused = await by_token.post("/crowd/webhook", data=form("new_judgments", array, KEY))
    assert refused.status_code == 401
    taken = await by_token.post("/crowd/webhook", data=form("new_judgments", array, TOKEN))
    assert (taken.status_code, taken.json()) == (200, {"outcome": "decided"})
    for sid in ("nj-1", "nj-2"):
        assert (await by_token.get(f"/reviews/{sid}")).json()["status"] == "approved"


async def test_job_complete_is_accepted_and_ignored_and_an_unknown_signal_is_400(by_token):
    done = await by_token.post("/crowd/webhook", data=form("job_complete", {"id": 1}, TOKEN))
    assert (done.status_code, done.json()) == (200, {"outcome": "ignored"})
    odd = await by_token.post("/crowd/webhook", data=form("unit_exploded", {"id": 1}, TOKEN))
    assert (odd.status_code, odd.json()["error"]) == (400, "malformed_payload")


async def test_none_mode_takes_unsigned_deliveries(unsigned, aws):
    await submit(aws, unsigned.settings, "plain-1")
    await pending_review(unsigned, "plain-1")
    array = [judgment(3, "plain-1", n) for n in range(3)]
    answer = await unsigned.post("/crowd/webhook", data=form("new_judgments", array, None))
    assert answer.json() == {"outcome": "decided"}


def test_webhook_token_mode_without_a_token_is_refused_at_start(aws_fields):
    with pytest.raises(ValueError, match="crowd_webhook_token"):
        ModerationSettings(**aws_fields, crowd_webhook_signature="webhook_token")
