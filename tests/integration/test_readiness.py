from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.app import create_app as gateway_app
from services.gateway.settings import GatewaySettings
from services.ingest.app import create_app as ingest_app
from services.ingest.settings import IngestSettings
from services.moderation.app import create_app as moderation_app
from services.moderation.settings import ModerationSettings
from services.renderer.app import create_app as renderer_app
from services.renderer.settings import RendererSettings
from shared.aws import AwsClients
from shared.correlation import REQUEST_ID_ATTRIBUTE, request_id_var
from shared.messages import FrameSlot
from shared.queues import SqsQueueSender
from tests.conftest import aws_settings_for
from tests.processes import moto_server

SERVICES = {
    "gateway": (gateway_app, GatewaySettings),
    "ingest": (ingest_app, IngestSettings),
    "moderation": (moderation_app, ModerationSettings),
    "renderer": (renderer_app, RendererSettings),
}
# Settings every service accepts (extra fields are ignored by the others).
SECRETS = {"lease_secret": "test-lease-secret"}
DEPENDENCIES = {
    "gateway": {"s3"},
    "ingest": {"s3", "sqs_moderation"},
    "moderation": {"sqs_moderation", "sqs_render", "dynamodb_reviews"},
    "renderer": {"sqs_render", "s3", "dynamodb_slots"},
}


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            yield client


@pytest.mark.parametrize("name", sorted(SERVICES))
async def test_each_service_is_ready_when_its_resources_exist(name, aws: AwsClients, aws_fields):
    factory, settings_cls = SERVICES[name]
    async with serving(factory(settings_cls(**aws_fields, **SECRETS))) as client:
        answer = await client.get("/readyz")
    assert answer.status_code == 200, answer.text
    assert set(answer.json()["checks"]) == DEPENDENCIES[name]


@pytest.mark.parametrize("name", sorted(SERVICES))
async def test_readyz_is_503_naming_aws_when_the_moto_server_stops(name, output_dir):
    factory, settings_cls = SERVICES[name]
    with moto_server(output_dir / f"moto-stopped-{name}.log") as endpoint:
        fields = aws_settings_for(endpoint) | {
            "readiness_timeout_seconds": 1.5,
            "aws_connect_timeout_seconds": 0.5,
            "aws_max_attempts": 1,
            **SECRETS,
        }
        app = factory(settings_cls(**fields))
        async with serving(app) as client:
            # Resources were never created on this server: not ready, but answering.
            missing = await client.get("/readyz")
            assert missing.status_code == 503
    # The moto server is gone now; the app is still up and must say why it is not ready.
    async with serving(app) as client:
        answer = await client.get("/readyz")
        healthz = await client.get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["error"] == "not_ready"
    for dependency in DEPENDENCIES[name]:
        assert dependency in body["detail"]
        assert body["checks"][dependency] != "ok"
    assert healthz.status_code == 200


async def test_sent_messages_carry_the_request_id_attribute(aws: AwsClients, aws_fields):
    queue = str(aws_fields["moderation_queue"])
    token = request_id_var.set("req-from-browser")
    try:
        await SqsQueueSender(aws).send(queue, FrameSlot(video="demo", frame=1))
        await SqsQueueSender(aws).send_batch(
            queue, [FrameSlot(video="demo", frame=n) for n in range(2, 14)]
        )
    finally:
        request_id_var.reset(token)
    seen: list[tuple[str, str]] = []
    url = await aws.queue_url(queue)
    while len(seen) < 13:
        got = await aws.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=1
        )
        for message in got.get("Messages", []):
            seen.append(
                (message["Body"], message["MessageAttributes"][REQUEST_ID_ATTRIBUTE]["StringValue"])
            )
    assert {request_id for _, request_id in seen} == {"req-from-browser"}
    assert sorted(FrameSlot.model_validate_json(body).frame for body, _ in seen) == list(
        range(1, 14)
    )
