"""deploy/docker-compose.yml under podman-compose, on the image `make image` built.

The whole stack in containers (moto as AWS, bootstrap, importer, the four services, the
local crowd) must serve a contribution through the published gateway port. Run by
`make image` (marker ``image``), not by `make test`: building the image takes minutes.
"""

import importlib.util
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.contribution import contribute
from tests.processes import ROOT, answers, wait_for

pytestmark = [pytest.mark.system, pytest.mark.image]

PROJECT = "ofof-compose-test"
GATEWAY = "http://127.0.0.1:8000"
# Containers start one after another on a loaded 2-core machine; moto alone takes ~25 s.
READY_WITHIN_SECONDS = 240


def podman_env() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("image", ROOT / "deploy" / "image.py")
    assert spec is not None
    assert spec.loader is not None
    image = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(image)
    return image.podman_env() | {"OFOF_LEASE_SECRET": "compose-test-lease-secret"}


def compose(*args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    command = ["podman-compose", "-p", PROJECT, "-f", "deploy/docker-compose.yml", *args]
    return subprocess.run(command, cwd=ROOT, env=podman_env(), capture_output=True, check=check)


@contextmanager
def compose_up() -> Iterator[None]:
    try:
        compose("up", "-d")
        yield
    finally:
        compose("down", check=False)


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


async def test_the_compose_stack_serves_a_contribution_through_the_published_gateway():
    built = subprocess.run(["podman", "image", "exists", "ofof:latest"], env=podman_env())
    assert built.returncode == 0, "no ofof:latest image: run `make image`"
    assert port_is_free(8000), "the compose file publishes 127.0.0.1:8000, which is taken"
    with compose_up():
        wait_for(lambda: answers(f"{GATEWAY}/readyz"), READY_WITHIN_SECONDS, "the gateway")
        await contribute(GATEWAY, verdict_seconds=120, published_seconds=400)
