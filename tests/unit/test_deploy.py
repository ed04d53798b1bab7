"""The compose file is checked against the code, since no Docker engine runs here."""

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from importer.settings import ImporterSettings
from services.gateway.settings import GatewaySettings
from services.ingest.settings import IngestSettings
from services.moderation.settings import ModerationSettings
from services.renderer.settings import RendererSettings
from shared.settings import AwsSettings, env_names
from sims.crowd.settings import CrowdSettings

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


def test_the_local_crowd_runs_its_module_on_its_default_port_with_known_variables(compose):
    crowd = compose["services"]["crowd"]
    assert module_of(crowd["command"]) == "sims.crowd"
    assert importlib.util.find_spec("sims.crowd.__main__") is not None
    port = CrowdSettings.model_fields["port"].default
    assert int(crowd["environment"]["CROWD_PORT"]) == port
    assert f"127.0.0.1:{port}/healthz" in " ".join(crowd["healthcheck"]["test"])
    assert set(crowd["environment"]) <= env_names(CrowdSettings)
    assert "ports" not in crowd, "the crowd is reached inside the compose network only"


def test_moderation_reaches_the_crowd_and_shares_its_api_key(compose):
    moderation = compose["services"]["moderation"]["environment"]
    crowd = compose["services"]["crowd"]["environment"]
    assert moderation["MODERATION_CROWD_BASE_URL"] == f"http://crowd:{crowd['CROWD_PORT']}"
    assert moderation["MODERATION_CROWD_API_KEY"] == crowd["CROWD_API_KEY"]
    assert moderation["MODERATION_WEBHOOK_URL"].startswith("http://moderation:8002/")


def test_the_dockerfile_copies_every_package_the_project_installs():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for package in ("shared", "services", "sims", "importer"):
        assert f"COPY {package} ./{package}" in dockerfile


def test_the_importer_imports_the_demo_video_once_aws_is_bootstrapped(compose):
    importer = compose["services"]["importer"]
    assert importer["command"][:5] == ["python", "-m", "importer", "demo", "--video"]
    assert importlib.util.find_spec("importer.__main__") is not None
    assert set(importer["environment"]) <= env_names(ImporterSettings)
    assert importer["depends_on"]["bootstrap"]["condition"] == "service_completed_successfully"


def test_the_local_stack_imports_the_demo_with_the_importers_command_line():
    devstack = load_devstack()
    command = devstack.import_demo_command()
    assert command[1:] == ["-m", "importer", "demo", "--video", "demo"]
    assert importlib.util.find_spec("importer.__main__") is not None


def test_the_procfile_starts_the_local_crowd():
    procfile = (DEPLOY / "Procfile").read_text().splitlines()
    # Under devstack's supervision: started again on its state when it dies
    # (tests/integration/test_crowd_restart.py).
    assert "crowd: exec python deploy/devstack.py crowd" in procfile


def load_devstack():
    spec = importlib.util.spec_from_file_location("devstack", DEPLOY / "devstack.py")
    assert spec is not None
    assert spec.loader is not None
    devstack = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(devstack)
    return devstack


def test_the_local_stack_wires_moderation_to_the_crowd_through_real_settings(monkeypatch):
    devstack = load_devstack()
    monkeypatch.setenv("MODERATION_PORT", "18002")
    monkeypatch.setenv("CROWD_PORT", "18004")
    environment = devstack.crowd_environment()
    assert set(environment) <= env_names(ModerationSettings) | env_names(CrowdSettings)
    assert environment["CROWD_API_KEY"] == environment["MODERATION_CROWD_API_KEY"]
    assert environment["MODERATION_CROWD_BASE_URL"] == "http://127.0.0.1:18004"
    assert environment["MODERATION_WEBHOOK_URL"] == "http://127.0.0.1:18002/crowd/webhook"
    assert float(environment["MODERATION_RECONCILE_SECONDS"]) <= 30


def test_the_local_vimeo_is_in_the_procfile_but_off_unless_the_renderer_publishes_there():
    devstack = load_devstack()
    # Under devstack's supervision, like the local crowd: started again on its state if it dies.
    assert (
        "vimeo: exec python deploy/devstack.py vimeo"
        in (DEPLOY / "Procfile").read_text().splitlines()
    )
    assert devstack.honcho_arguments(local_vimeo=False)[-2:] == ["-c", "vimeo=0"]
    assert devstack.honcho_arguments(local_vimeo=True)[-1] == "start"
    assert not devstack.wants_local_vimeo({})
    assert devstack.wants_local_vimeo({"RENDERER_PUBLISHERS": '["s3","vimeo"]'})
    real = {"RENDERER_PUBLISHERS": '["vimeo"]', "RENDERER_VIMEO_API_URL": "https://api.vimeo.com"}
    assert not devstack.wants_local_vimeo(real)


def test_the_renderer_and_the_local_vimeo_share_one_token_and_the_gateway_may_frame_it():
    env = load_devstack().vimeo_environment()
    assert env["RENDERER_VIMEO_ACCESS_TOKEN"] == env["VIMEO_ACCESS_TOKEN"]
    assert env["RENDERER_VIMEO_API_URL"] == env["GATEWAY_VIMEO_PLAYER_ORIGIN"]
    assert env["RENDERER_VIMEO_API_URL"].startswith("http://127.0.0.1:")


def test_the_local_stack_points_each_aws_client_at_its_local_server(monkeypatch):
    devstack = load_devstack()
    for name in ("OFOF_MINISTACK_PORT", "OFOF_DYNALITE_PORT", "OFOF_LOCALAWS_DIR"):
        monkeypatch.delenv(name, raising=False)
    environment = devstack.local_aws_environment()
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = AwsSettings()
    assert settings.aws_endpoint_url_s3 == settings.aws_endpoint_url_sqs == "http://127.0.0.1:4566"
    assert settings.aws_endpoint_url_dynamodb == "http://127.0.0.1:4567"
    assert environment["OFOF_LOCALAWS_DIR"] == str(DEPLOY.parent / "var" / "localaws")
    procfile = (DEPLOY / "Procfile").read_text()
    assert "aws: exec python deploy/devstack.py aws" in procfile
