"""The production path in the local AWS: the core stack, then the four services on it.

A moto server of its own gets the core CloudFormation stack; nothing else creates a
resource (bootstrap is off) but moderation's feeder, which makes the video's frames queue
under its own role. IAM is enforced, the operator's importer imports a short clip under
the importer role, and each service runs with the temporary
credentials of its own task role, so a call its role does not allow fails. A visitor's
photo must go all the way: leased, uploaded, approved by the local crowd, in the clip.
"""

import os
import subprocess
from contextlib import ExitStack

import pytest

from tests.cloudstack import (
    client,
    deploy_core,
    enforce_iam,
    fill_moto_gaps,
    iam_moto_server,
    resource_env,
    role_env,
)
from tests.contribution import contribute
from tests.crowd_process import crowd_server
from tests.media import short_video
from tests.processes import PYTHON, ROOT, answers, free_port, running, wait_for

pytestmark = pytest.mark.system

VIDEO = "demo"
CROWD_KEY = "stack-crowd-key"
SERVICES = ("ingest", "moderation", "renderer", "gateway")
ROLE_OUTPUT = {
    "gateway": "GatewayTaskRoleArn",
    "ingest": "IngestTaskRoleArn",
    "moderation": "ModerationTaskRoleArn",
    "renderer": "RendererTaskRoleArn",
    "importer": "ImporterRoleArn",
}


def service_env(
    name: str, ports: dict[str, int], crowd_url: str, tmp_path
) -> dict[str, str]:  # fmt: skip
    """What the compute stack sets for one service, on loopback."""
    moderation = f"http://127.0.0.1:{ports['moderation']}"
    settings = {
        "gateway": {
            "GATEWAY_INGEST_URL": f"http://127.0.0.1:{ports['ingest']}",
            "GATEWAY_MODERATION_URL": moderation,
            "GATEWAY_VIDEO": VIDEO,
        },
        "ingest": {"INGEST_IMAGE_WORKERS": "1"},
        "moderation": {
            "MODERATION_CROWD_BASE_URL": crowd_url,
            "MODERATION_CROWD_API_KEY": CROWD_KEY,
            "MODERATION_WEBHOOK_URL": f"{moderation}/crowd/webhook",
            "MODERATION_RECONCILE_SECONDS": "5",
        },
        "renderer": {
            "RENDERER_WORK_DIR": str(tmp_path / "renderer"),
            "RENDERER_DEFAULT_VIDEO": VIDEO,
            "RENDERER_MIN_INTERVAL_SECONDS": "1",
            "RENDERER_MAX_DELAY_SECONDS": "3",
        },
    }
    return {f"{name.upper()}_PORT": str(ports[name]), **settings[name]}


def import_video(env: dict[str, str], tmp_path) -> None:
    source = short_video(tmp_path / "source.mp4", seconds=1.0)
    command = [PYTHON, "-m", "importer", "video", str(source), "--video", VIDEO]
    done = subprocess.run(
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]


async def test_the_services_serve_a_contribution_on_the_stack_resources_under_their_own_roles(
    output_dir, tmp_path
):
    with ExitStack() as exits:
        endpoint = exits.enter_context(iam_moto_server(output_dir / "moto-stack.log"))
        outputs = deploy_core(endpoint, "ofof")
        for role in ROLE_OUTPUT.values():
            fill_moto_gaps(endpoint, outputs[role], outputs["MediaBucket"])
        credentials = {name: role_env(endpoint, outputs[o]) for name, o in ROLE_OUTPUT.items()}
        enforce_iam(endpoint)
        base = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": "us-east-1",
            "OFOF_BOOTSTRAP": "false",
            **resource_env(outputs),
            "OFOF_LEASE_SECRET": "stack-lease-secret",
        }
        denied = client(endpoint, "sqs", **_boto(credentials["gateway"]))
        with pytest.raises(denied.exceptions.ClientError, match=r"AccessDenied|not authorized"):
            denied.send_message(QueueUrl=f"{endpoint}/123456789012/ofof-render", MessageBody="{}")
        import_video({**base, **credentials["importer"]}, tmp_path)

        crowd_url = exits.enter_context(crowd_server(CROWD_KEY, output_dir / "crowd-stack.log"))
        ports = {name: free_port() for name in SERVICES}
        for name in SERVICES:
            env = {**base, **credentials[name], **service_env(name, ports, crowd_url, tmp_path)}
            log_path = output_dir / f"stack-{name}.log"
            exits.enter_context(
                running([PYTHON, "-m", f"services.{name}"], env=env, log_path=log_path)
            )
        for name in SERVICES:
            url = f"http://127.0.0.1:{ports[name]}/readyz"
            wait_for(lambda u=url: answers(u), 60, f"{name} to be ready on the stack")
        await contribute(f"http://127.0.0.1:{ports['gateway']}")


def _boto(env: dict[str, str]) -> dict[str, str]:
    return {
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": env["AWS_SESSION_TOKEN"],
    }
