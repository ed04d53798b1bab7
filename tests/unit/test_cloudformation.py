"""The CloudFormation templates are checked against the code (moto cannot deploy the
compute stack: ECS services, the load balancer, CloudFront and autoscaling). cfn-lint and
checkov run in `make iac`, which `make test` runs first.
"""

import importlib.util
from pathlib import Path

import pytest
from cfnlint.decode import decode_str

from services.gateway.settings import GatewaySettings
from services.ingest.settings import IngestSettings
from services.moderation.settings import ModerationSettings
from services.renderer.settings import RendererSettings
from shared.settings import env_names

TEMPLATES = Path(__file__).resolve().parents[2] / "deploy" / "cloudformation"
SETTINGS = {
    "services.gateway": GatewaySettings,
    "services.ingest": IngestSettings,
    "services.moderation": ModerationSettings,
    "services.renderer": RendererSettings,
}


def load(name: str) -> dict:
    template, problems = decode_str((TEMPLATES / name).read_text())
    assert not problems, problems
    return template


@pytest.fixture(scope="module")
def core() -> dict:
    return load("core.yaml")


@pytest.fixture(scope="module")
def services() -> dict:
    return load("services.yaml")


def resources_of(template: dict, kind: str) -> dict[str, dict]:
    return {n: r for n, r in template["Resources"].items() if r["Type"] == kind}


def containers(services: dict) -> list[dict]:
    tasks = resources_of(services, "AWS::ECS::TaskDefinition").values()
    return [c for task in tasks for c in task["Properties"]["ContainerDefinitions"]]


def test_each_container_runs_a_module_that_exists(services):
    for container in containers(services):
        command = container["Command"]
        assert command[:2] == ["python", "-m"], command
        assert command[2] in SETTINGS, command
        assert importlib.util.find_spec(f"{command[2]}.__main__") is not None


def test_every_variable_a_container_sets_is_a_settings_field_of_its_process(services):
    for container in containers(services):
        known = env_names(SETTINGS[container["Command"][2]])
        names = {e["Name"] for e in container["Environment"]}
        names |= {s["Name"] for s in container.get("Secrets", [])}
        assert names - {"AWS_REGION"} <= known, (container["Name"], names - known)
        assert {e["Name"]: e["Value"] for e in container["Environment"]}["OFOF_BOOTSTRAP"] == (
            "false"
        )


def test_secrets_reach_the_containers_from_secrets_manager_only(services):
    for container in containers(services):
        plain = {e["Name"] for e in container["Environment"]}
        assert not {n for n in plain if any(w in n for w in ("SECRET", "TOKEN", "API_KEY"))}
    moderation = next(c for c in containers(services) if c["Name"] == "moderation")
    secrets = {s["Name"] for s in moderation["Secrets"]}
    assert secrets == {"MODERATION_CROWD_API_KEY", "MODERATION_OPERATOR_TOKEN"}


def test_each_service_listens_on_its_settings_default_port(services):
    for container in containers(services):
        module = container["Command"][2]
        if container["Command"][3:] == ["worker"]:
            continue
        port = SETTINGS[module]().port
        assert [m["ContainerPort"] for m in container["PortMappings"]] == [port]
        assert f"127.0.0.1:{port}/healthz" in " ".join(container["HealthCheck"]["Command"])


def test_every_import_names_an_export_of_the_core_stack(core, services):
    exports = {
        output["Export"]["Name"]["Fn::Sub"].removeprefix("${AWS::StackName}-")
        for output in core["Outputs"].values()
        if "Export" in output
    }
    imported = set()

    def walk(node):
        if isinstance(node, dict):
            if "Fn::ImportValue" in node:
                imported.add(node["Fn::ImportValue"]["Fn::Sub"].removeprefix("${CoreStackName}-"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(services["Resources"])
    assert imported and imported <= exports, imported - exports


def test_each_process_has_its_own_task_role(services):
    tasks = resources_of(services, "AWS::ECS::TaskDefinition").values()
    roles = [t["Properties"]["TaskRoleArn"]["Fn::ImportValue"]["Fn::Sub"] for t in tasks]
    assert len(roles) == len(set(roles)) == 5


def test_only_the_crowd_webhook_reaches_moderation_and_nothing_reaches_the_renderer(services):
    rules = resources_of(services, "AWS::ElasticLoadBalancingV2::ListenerRule")
    forwards = {
        action["TargetGroupArn"]["Ref"]: rule["Properties"]["Conditions"]
        for rule in rules.values()
        for action in rule["Properties"]["Actions"]
        if action["Type"] == "forward"
    }
    assert set(forwards) == {"ModerationTargetGroup"}
    paths = forwards["ModerationTargetGroup"][0]["PathPatternConfig"]["Values"]
    assert paths == ["/crowd/webhook"]
    groups = resources_of(services, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert set(groups) == {"GatewayTargetGroup", "ModerationTargetGroup"}


def test_clip_versions_and_original_frames_come_from_s3_through_cloudfront(services):
    config = services["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    to_s3 = {b["PathPattern"] for b in config["CacheBehaviors"] if b["TargetOriginId"] == "media"}
    assert to_s3 == {"/media/clips/*/*/*", "/media/originals/*.jpg", "/api/frames/*/original"}


def test_every_service_the_gateway_calls_is_named_by_service_connect(services):
    aliases = {
        f"http://{alias['DnsName']}:{alias['Port']}"
        for service in resources_of(services, "AWS::ECS::Service").values()
        for entry in service["Properties"]
        .get("ServiceConnectConfiguration", {})
        .get("Services", [])
        for alias in entry["ClientAliases"]
    }
    gateway = next(c for c in containers(services) if c["Name"] == "gateway")
    called = {
        v["Value"]
        for v in gateway["Environment"]
        if v["Name"] in ("GATEWAY_INGEST_URL", "GATEWAY_MODERATION_URL", "GATEWAY_RENDERER_URL")
    }
    assert len(called) == 3
    assert called <= aliases
