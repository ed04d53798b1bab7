"""Schemathesis against the four services' OpenAPI specs, each a real process over moto.

Every operation of every spec gets generated requests (valid and invalid) and each answer
is checked: no 5xx, the status code is one the spec declares, the content type and the
body match what the spec declares for that status. Operator routes run twice: with
whatever ``Authorization`` the fuzzer makes up, and with the real operator token.

Bounded for CI: ``FUZZ_MAX_EXAMPLES`` examples per operation (default 25), derandomized
so a run is repeatable; ``make fuzz`` runs the same tests with many more examples.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import AsyncExitStack
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
from shared.settings import AwsSettings
from tests.conftest import aws_settings_for
from tests.stack import Stack, seed_video, service_stack

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))
OPERATOR_TOKEN = secrets.token_urlsafe(24)
CHECKS = [
    not_a_server_error,
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


@pytest.fixture(scope="module")
def fuzz_stack(
    moto_endpoint: str, output_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
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
        yield stack


def _fuzz(stack: Stack, service: str, case: schemathesis.Case, token: str | None = None) -> None:
    if token is not None:
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.headers = {**headers, "Authorization": f"Bearer {token}"}
    case.call_and_validate(base_url=stack.urls[service], checks=CHECKS)


@pytest.mark.parametrize("service", sorted(SCHEMAS))
def test_each_process_serves_the_spec_that_is_fuzzed(fuzz_stack: Stack, service: str) -> None:
    served = httpx.get(f"{fuzz_stack.urls[service]}/openapi.json", timeout=5).json()
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


@gateway.parametrize()
@FUZZ_SETTINGS
def test_gateway_answers_every_request_as_its_spec_says(fuzz_stack, case):
    _fuzz(fuzz_stack, "gateway", case)


@ingest.parametrize()
@FUZZ_SETTINGS
def test_ingest_answers_every_request_as_its_spec_says(fuzz_stack, case):
    _fuzz(fuzz_stack, "ingest", case)


@moderation.parametrize()
@FUZZ_SETTINGS
def test_moderation_answers_every_request_as_its_spec_says(fuzz_stack, case):
    _fuzz(fuzz_stack, "moderation", case)


# POST /renders is fuzzed on its own below: it answers an undeclared 400 (see there).
@renderer.exclude(path="/renders", method="POST").parametrize()
@FUZZ_SETTINGS
def test_renderer_answers_every_request_as_its_spec_says(fuzz_stack, case):
    _fuzz(fuzz_stack, "renderer", case)


@moderation.include(path_regex="/takedown$").parametrize()
@FUZZ_SETTINGS
def test_moderation_operator_routes_with_the_operator_token(fuzz_stack, case):
    _fuzz(fuzz_stack, "moderation", case, OPERATOR_TOKEN)


# Known finding, left to the change that bounds and authenticates this route's body first:
# a body that is not JSON answers FastAPI's 400 ("There was an error parsing the body"),
# which the route does not declare. Strict, so the fix turns these red until removed.
UNDECLARED_400 = pytest.mark.xfail(strict=True, reason="POST /renders: undeclared 400")
force_render = renderer.include(path="/renders", method="POST")


@UNDECLARED_400
@force_render.parametrize()
@FUZZ_SETTINGS
def test_force_render_answers_as_its_spec_says(fuzz_stack, case):
    _fuzz(fuzz_stack, "renderer", case)


@UNDECLARED_400
@force_render.parametrize()
@FUZZ_SETTINGS
def test_force_render_with_the_operator_token_answers_as_its_spec_says(fuzz_stack, case):
    _fuzz(fuzz_stack, "renderer", case, OPERATOR_TOKEN)
