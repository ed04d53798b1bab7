"""The compose file is checked against the code, since no Docker engine runs here."""

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from services.gateway.settings import GatewaySettings
from services.ingest.settings import IngestSettings
from services.moderation.settings import ModerationSettings
from services.renderer.settings import RendererSettings
from shared.settings import AwsSettings, env_names

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SETTINGS = {
    "gateway": GatewaySettings,
    "ingest": IngestSettings,
    "moderation": ModerationSettings,
    "renderer": RendererSettings,
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def module_of(command: list[str]) -> str:
    assert command[:2] == ["python", "-m"], command
    return command[2]


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_each_service_command_starts_a_module_that_exists(compose, name):
    module = module_of(compose["services"][name]["command"])
    assert module == f"services.{name}"
    assert importlib.util.find_spec(f"{module}.__main__") is not None


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_each_service_port_matches_its_settings_default(compose, name):
    service = compose["services"][name]
    default_port = SETTINGS[name]().port
    assert int(service["environment"][f"{name.upper()}_PORT"]) == default_port
    assert f"127.0.0.1:{default_port}/readyz" in " ".join(service["healthcheck"]["test"])
    for mapping in service.get("ports", []):
        assert mapping.startswith("127.0.0.1:"), "publish on loopback only"
        assert mapping.endswith(f":{default_port}")


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_env_var_a_service_sets_is_a_real_settings_field(compose, name):
    environment = compose["services"][name]["environment"]
    unknown = set(environment) - env_names(SETTINGS[name])
    assert not unknown, f"{name} sets variables no settings field reads: {unknown}"


def test_bootstrap_runs_the_bootstrap_module_with_known_variables(compose):
    bootstrap = compose["services"]["bootstrap"]
    module = module_of(bootstrap["command"])
    assert importlib.util.find_spec(module) is not None
    assert set(bootstrap["environment"]) <= env_names(AwsSettings)
    assert bootstrap["depends_on"]["aws"]["condition"] == "service_healthy"


def test_services_wait_for_healthy_dependencies(compose):
    for name in SETTINGS:
        depends_on = compose["services"][name]["depends_on"]
        assert depends_on["bootstrap"]["condition"] == "service_completed_successfully"
        conditions = {dep["condition"] for dep in depends_on.values()}
        assert conditions <= {"service_healthy", "service_completed_successfully"}
    assert compose["services"]["aws"]["healthcheck"]


def test_moto_image_matches_the_locked_moto_version(compose):
    locked = re.search(r"^moto==(\S+)$", (DEPLOY.parent / "requirements.lock").read_text(), re.M)
    assert locked is not None
    assert compose["services"]["aws"]["image"] == f"motoserver/moto:{locked.group(1)}"


def test_dockerfile_installs_the_lock_and_checks_pillow_simd():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile
    assert "libwebp-dev" in dockerfile
    assert "shared.pillow_check" in dockerfile
