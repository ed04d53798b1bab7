"""Schemathesis against the four services' OpenAPI specs, each a real process over moto.

Every operation of every spec gets generated requests (valid and invalid) and each answer
is checked: no 5xx, the status code is one the spec declares, the content type and the
body match what the spec declares for that status. Operator routes run twice: with
whatever ``Authorization`` the fuzzer makes up, and with the real operator token; the
lease routes and ingest's upload run a second time with a real visitor's lease, so the
fuzzer gets past the token check.

Bounded for CI: ``FUZZ_MAX_EXAMPLES`` examples per operation (default 25), derandomized
so a run is repeatable; ``make fuzz`` runs the same tests with many more examples.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.gateway.app import create_app as gateway_app
from services.gateway.settings import GatewaySettings
from services.ingest.app import create_app as ingest_app
from services.ingest.settings import IngestSettings
from services.moderation.app import create_app as moderation_app
from services.moderation.settings import ModerationSettings
from services.renderer.app import create_app as renderer_app
from services.renderer.settings import RendererSettings
from shared.aws import open_aws_clients
from shared.bootstrap import bootstrap
from shared.photos import ALLOWED_PHOTO_TYPES
from shared.settings import AwsSettings
from tests.conftest import aws_settings_for
from tests.stack import Stack, seed_video, service_stack

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))
OPERATOR_TOKEN = secrets.token_urlsafe(24)


def not_a_server_error_but_a_declared_503(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """No 5xx, except a 503 the operation declares, sent with ``Retry-After``.

    A 503 is how a service says "a dependency is down" or "nothing to hand out now"
    (no free frame): fine where the spec says so and the client is told when to retry.
    """
    declared = "503" in case.operation.responses.status_codes
    if response.status_code == 503 and declared and "retry-after" in response.headers:
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [
    not_a_server_error_but_a_declared_503,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

gateway = schemathesis.openapi.from_dict(gateway_app(GatewaySettings()).openapi())
ingest = schemathesis.openapi.from_dict(ingest_app(IngestSettings()).openapi())
moderation = schemathesis.openapi.from_dict(moderation_app(ModerationSettings()).openapi())
renderer = schemathesis.openapi.from_dict(renderer_app(RendererSettings()).openapi())
SCHEMAS = {"gateway": gateway, "ingest": ingest, "moderation": moderation, "renderer": renderer}
OPERATOR_ROUTES = {"moderation": moderation, "renderer": renderer}


async def _seeded(fields: dict[str, object]) -> None:
    settings_ = AwsSettings(**fields)  # type: ignore[arg-type]
    async with AsyncExitStack() as stack:
        clients = await open_aws_clients(settings_, stack)
        await bootstrap(clients, settings_)
        await seed_video(clients, settings_, frames=3)


@dataclass(frozen=True)
class Visitor:
    """A visitor who took a lease before the fuzzing began: its id, token and cookies."""

    lease_id: str
    token: str
    cookies: dict[str, str]


@dataclass(frozen=True)
class Target:
    """The running services and the visitor."""

    stack: Stack
    visitor: Visitor


def _take_lease(gateway_url: str) -> Visitor:
    with httpx.Client(base_url=gateway_url, timeout=10) as client:
        answer = client.post("/api/leases")
        assert answer.status_code == 201, answer.text
        lease = answer.json()
        return Visitor(lease["lease_id"], lease["token"], dict(client.cookies))


@pytest.fixture(scope="module")
def target(
    moto_endpoint: str, output_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """All four services as real processes over their own moto resources, one video in."""
    fields = aws_settings_for(moto_endpoint)
    asyncio.run(_seeded(fields))
    with service_stack(
        list(SCHEMAS),
        fields,
        output_dir,
        MODERATION_OPERATOR_TOKEN=OPERATOR_TOKEN,
        RENDERER_OPERATOR_TOKEN=OPERATOR_TOKEN,
        RENDERER_WORK_DIR=str(tmp_path_factory.mktemp("renderer")),
    ) as stack:
        yield Target(stack, _take_lease(stack.urls["gateway"]))


def _fuzz(target: Target, service: str, case: schemathesis.Case, token: str | None = None) -> None:
    if token is not None:
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.headers = {**headers, "Authorization": f"Bearer {token}"}
    case.call_and_validate(base_url=target.stack.urls[service], checks=CHECKS)


def _as_visitor(case: schemathesis.Case, visitor: Visitor, id_name: str) -> None:
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-lease-token"}
    case.headers = {**headers, "X-Lease-Token": visitor.token}
    case.path_parameters = {**(case.path_parameters or {}), id_name: visitor.lease_id}
    case.cookies = {**(case.cookies or {}), **visitor.cookies}


@pytest.mark.parametrize("service", sorted(SCHEMAS))
def test_each_process_serves_the_spec_that_is_fuzzed(target: Target, service: str) -> None:
    served = httpx.get(f"{target.stack.urls[service]}/openapi.json", timeout=5).json()
    assert served == SCHEMAS[service].raw_schema


def _resolved(spec: dict, schema: dict) -> dict:
    ref = schema.get("$ref", "")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


@pytest.mark.parametrize("service", sorted(SCHEMAS))
def test_every_declared_422_has_the_error_and_detail_shape(service: str) -> None:
    spec = SCHEMAS[service].raw_schema
    for operations in spec["paths"].values():
        for operation in operations.values():
            declared = operation["responses"].get("422")
            if declared:
                schema = declared["content"]["application/json"]["schema"]
                assert _resolved(spec, schema)["required"] == ["error", "detail"]


@pytest.mark.parametrize(
    ("service", "path", "method"),
    [
        ("gateway", "/api/leases/{lease_id}/photo", "post"),
        ("ingest", "/submissions/{submission_id}", "put"),
    ],
)
def test_photo_routes_declare_their_raw_image_body(service: str, path: str, method: str) -> None:
    operation = SCHEMAS[service].raw_schema["paths"][path][method]
    assert tuple(operation["requestBody"]["content"]) == ALLOWED_PHOTO_TYPES


@gateway.parametrize()
@FUZZ_SETTINGS
def test_gateway_answers_every_request_as_its_spec_says(target, case):
    _fuzz(target, "gateway", case)


@ingest.parametrize()
@FUZZ_SETTINGS
def test_ingest_answers_every_request_as_its_spec_says(target, case):
    _fuzz(target, "ingest", case)


@moderation.parametrize()
@FUZZ_SETTINGS
def test_moderation_answers_every_request_as_its_spec_says(target, case):
    _fuzz(target, "moderation", case)


# Heartbeat and photo only: a release or a delete would end the lease for the rest.
@gateway.include(path_regex=r"^/api/leases/\{lease_id\}/(heartbeat|photo)$").parametrize()
@FUZZ_SETTINGS
def test_gateway_lease_routes_with_a_real_lease_answer_as_their_spec_says(target, case):
    _as_visitor(case, target.visitor, "lease_id")
    _fuzz(target, "gateway", case)


@ingest.include(path="/submissions/{submission_id}", method="PUT").parametrize()
@FUZZ_SETTINGS
def test_ingest_upload_with_a_real_lease_answers_as_its_spec_says(target, case):
    _as_visitor(case, target.visitor, "submission_id")
    _fuzz(target, "ingest", case)


# POST /renders is fuzzed on its own below: it answers an undeclared 400 (see there).
@renderer.exclude(path="/renders", method="POST").parametrize()
@FUZZ_SETTINGS
def test_renderer_answers_every_request_as_its_spec_says(target, case):
    _fuzz(target, "renderer", case)


@moderation.include(path_regex="/takedown$").parametrize()
@FUZZ_SETTINGS
def test_moderation_operator_routes_with_the_operator_token(target, case):
    _fuzz(target, "moderation", case, OPERATOR_TOKEN)


force_render = renderer.include(path="/renders", method="POST")


@force_render.parametrize()
@FUZZ_SETTINGS
def test_force_render_answers_as_its_spec_says(target, case):
    _fuzz(target, "renderer", case)


@force_render.parametrize()
@FUZZ_SETTINGS
def test_force_render_with_the_operator_token_answers_as_its_spec_says(target, case):
    _fuzz(target, "renderer", case, OPERATOR_TOKEN)
