import warnings

import pytest

from services.gateway.app import create_app as gateway_app
from services.gateway.settings import GatewaySettings
from services.ingest.app import create_app as ingest_app
from services.ingest.settings import IngestSettings
from services.moderation.app import create_app as moderation_app
from services.moderation.settings import ModerationSettings
from services.renderer.app import create_app as renderer_app
from services.renderer.settings import RendererSettings

APPS = {
    "gateway": (gateway_app, GatewaySettings),
    "ingest": (ingest_app, IngestSettings),
    "moderation": (moderation_app, ModerationSettings),
    "renderer": (renderer_app, RendererSettings),
}


@pytest.mark.parametrize("name", sorted(APPS))
def test_each_service_publishes_an_openapi_spec_with_unique_operations(name):
    factory, settings_cls = APPS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastAPI warns about duplicate operation ids
        spec = factory(settings_cls()).openapi()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    assert {"/healthz", "/readyz", "/metrics"} <= set(spec["paths"])
    for operation in operations:
        assert operation.get("summary") or operation.get("description"), operation["operationId"]


def test_declared_gateway_errors_have_the_error_and_detail_shape():
    spec = gateway_app(GatewaySettings()).openapi()
    photo = spec["paths"]["/api/leases/{lease_id}/photo"]["post"]["responses"]
    assert {"202", "403", "408", "410", "413", "415", "422", "503"} <= set(photo)
    schema = photo["413"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["error", "detail"]
