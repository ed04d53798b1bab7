"""Routes that read their body after the guard still declare it in their OpenAPI spec."""

from services.moderation.app import create_app as moderation_app
from services.moderation.settings import ModerationSettings
from services.renderer.app import create_app as renderer_app
from services.renderer.settings import RendererSettings


def test_force_render_declares_its_json_body_and_its_413():
    operation = renderer_app(RendererSettings()).openapi()["paths"]["/renders"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "video" in schema["properties"]
    assert {"202", "401", "403", "404", "413", "422"} <= set(operation["responses"])


def test_the_crowd_webhook_declares_its_form_fields_and_its_413():
    spec = moderation_app(ModerationSettings()).openapi()
    operation = spec["paths"]["/crowd/webhook"]["post"]
    content = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert set(content["schema"]["properties"]) == {"signal", "payload", "signature"}
    assert {"200", "400", "401", "413"} <= set(operation["responses"])
