from pathlib import Path

import pytest

from services.gateway.settings import GatewaySettings
from services.ingest.settings import IngestSettings
from services.moderation.settings import ModerationSettings
from services.renderer.settings import RendererSettings
from shared.aws import client_kwargs
from shared.leases import MAX_LEASE_SECONDS
from shared.settings import AwsSettings, env_names


def test_defaults_match_the_local_stack_ports_and_names():
    ports = [
        cls().port
        for cls in (GatewaySettings, IngestSettings, ModerationSettings, RendererSettings)
    ]
    assert ports == [8000, 8001, 8002, 8003]
    settings = GatewaySettings()
    assert settings.host == "127.0.0.1"
    assert settings.media_bucket == "ofof-media"
    assert (settings.frames_queue, settings.moderation_queue, settings.render_queue) == (
        "ofof-frames",
        "ofof-moderation",
        "ofof-render",
    )


def test_service_fields_read_their_prefixed_variables(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("INGEST_PORT", "9101")
    monkeypatch.setenv("GATEWAY_PORT", "9100")
    assert IngestSettings().port == 9101
    assert GatewaySettings().port == 9100


def test_shared_aws_fields_read_unprefixed_variables(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9999")
    monkeypatch.setenv("OFOF_MEDIA_BUCKET", "other-bucket")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    settings = RendererSettings()
    assert settings.aws_endpoint_url == "http://127.0.0.1:9999"
    assert settings.media_bucket == "other-bucket"
    assert settings.aws_region == "eu-west-1"


def test_secrets_never_show_in_repr(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret-value")
    settings = AwsSettings()
    assert "very-secret-value" not in repr(settings)
    assert "very-secret-value" not in str(settings.model_dump())
    assert settings.aws_secret_access_key is not None
    assert settings.aws_secret_access_key.get_secret_value() == "very-secret-value"


def test_env_names_lists_prefixed_and_aliased_variables():
    names = env_names(GatewaySettings)
    assert {"GATEWAY_PORT", "GATEWAY_INGEST_URL", "AWS_ENDPOINT_URL", "OFOF_MEDIA_BUCKET"} <= names
    assert "PORT" not in names
    assert "INGEST_PORT" not in names


def test_each_aws_client_takes_its_own_endpoint_else_the_common_one(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4567")
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SQS", raising=False)
    settings = AwsSettings()
    assert client_kwargs(settings, "dynamodb")["endpoint_url"] == "http://127.0.0.1:4567"
    assert client_kwargs(settings, "s3")["endpoint_url"] == "http://127.0.0.1:4566"
    assert client_kwargs(settings, "sqs")["endpoint_url"] == "http://127.0.0.1:4566"
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert "endpoint_url" not in client_kwargs(AwsSettings(), "s3")


def test_gateway_and_moderation_agree_on_the_longest_lease_by_default():
    assert GatewaySettings().max_lease_seconds == MAX_LEASE_SECONDS
    assert ModerationSettings().max_lease_seconds == MAX_LEASE_SECONDS


def test_deploy_files_set_both_longest_lease_settings_or_neither():
    # Moderation holds a lost frame as long as the gateway lets a lease live: an override
    # of one alone would offer frames whose leases still bring photos.
    root = Path(__file__).resolve().parents[2]
    for path in [*(root / "deploy").rglob("*"), root / "Makefile"]:
        if path.is_file() and path.suffix in {".py", ".yaml", ".yml", ".json", ""}:
            text = path.read_text(errors="replace").upper()
            gateway = "GATEWAY_MAX_LEASE_SECONDS" in text
            assert gateway == ("MODERATION_MAX_LEASE_SECONDS" in text), path
