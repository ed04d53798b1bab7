"""The embedded local stack behind ``make run``.

``devstack.py run`` starts every process of ``deploy/Procfile`` under honcho (a
well-kept Procfile runner: prefixed output, SIGINT/SIGTERM forwarded to every child's
process group, the rest stopped when one dies). ``devstack.py setup`` is the Procfile's
one-shot helper turned long-lived: it waits for the moto server, bootstraps every AWS
resource, imports the generated demo video as video ``demo`` through the importer's
command line like any operator (``python -m importer demo``, a no-op once imported),
waits until all four services are ready, prints the home page URL, and then idles,
because honcho stops the whole stack when any process exits.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.gateway.settings import GatewaySettings  # noqa: E402
from services.ingest.settings import IngestSettings  # noqa: E402
from services.moderation.settings import ModerationSettings  # noqa: E402
from services.renderer.settings import RendererSettings  # noqa: E402
from shared.bootstrap import main as bootstrap_main  # noqa: E402
from shared.logs import configure_logging  # noqa: E402
from shared.settings import AwsSettings  # noqa: E402
from sims.crowd.settings import CrowdSettings  # noqa: E402

DEFAULT_MOTO_PORT = 4566
# The local stack collects crowd judgments every 10 s instead of hourly.
LOCAL_RECONCILE_SECONDS = 10
# Longer than each service's uvicorn drain (8 s) so honcho does not SIGKILL a drain.
HONCHO_KILL_WAIT_SECONDS = 12
STARTUP_TIMEOUT_SECONDS = 120.0
DEMO_VIDEO_NAME = "demo"


def crowd_environment() -> dict[str, str]:
    """Defaults that wire moderation to the local crowd (``python -m sims.crowd``).

    One API key per run, shared by both: the crowd checks requests and signs webhooks
    with it. Ports follow ``CROWD_PORT`` and ``MODERATION_PORT`` when they are set.
    """
    key = os.environ.get("CROWD_API_KEY") or secrets.token_hex(16)
    crowd_port, moderation_port = CrowdSettings().port, ModerationSettings().port
    return {
        "CROWD_API_KEY": key,
        "MODERATION_CROWD_API_KEY": key,
        "MODERATION_CROWD_BASE_URL": f"http://127.0.0.1:{crowd_port}",
        "MODERATION_WEBHOOK_URL": f"http://127.0.0.1:{moderation_port}/crowd/webhook",
        "MODERATION_RECONCILE_SECONDS": str(LOCAL_RECONCILE_SECONDS),
    }


def neighbour_environment() -> dict[str, str]:
    """Where the gateway finds ingest and moderation, following their port settings."""
    return {
        "GATEWAY_INGEST_URL": f"http://127.0.0.1:{IngestSettings().port}",
        "GATEWAY_MODERATION_URL": f"http://127.0.0.1:{ModerationSettings().port}",
    }


def local_environment() -> dict[str, str]:
    """Environment defaults that point every process at the local moto server and crowd."""
    moto_port = os.environ.get("OFOF_MOTO_PORT", str(DEFAULT_MOTO_PORT))
    venv_bin = str(Path(sys.executable).parent)
    return {
        **crowd_environment(),
        **neighbour_environment(),
        "OFOF_MOTO_PORT": moto_port,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        # moto accepts any credentials; these never leave the machine.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        # Gateway signs lease tokens and ingest verifies them: one secret per launch.
        "OFOF_LEASE_SECRET": secrets.token_urlsafe(32),
        # The local stack creates its own resources; production's come from the stack.
        "OFOF_BOOTSTRAP": "true",
        "PYTHONUNBUFFERED": "1",
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
    }


def run() -> None:
    """Start the whole stack in the foreground (returns when it stops)."""
    import honcho.manager
    from honcho.command import main as honcho_main

    for key, value in local_environment().items():
        if key == "PATH":
            os.environ["PATH"] = value
        else:
            os.environ.setdefault(key, value)
    honcho.manager.KILL_WAIT = HONCHO_KILL_WAIT_SECONDS
    honcho_main(["-f", str(ROOT / "deploy" / "Procfile"), "-d", str(ROOT), "start"])


def service_urls() -> dict[str, str]:
    """Base URL of each service, from its settings."""
    settings = {
        "gateway": GatewaySettings(),
        "ingest": IngestSettings(),
        "moderation": ModerationSettings(),
        "renderer": RendererSettings(),
    }
    return {name: f"http://{s.host}:{s.port}" for name, s in settings.items()}


async def wait_until(url: str, deadline: float) -> None:
    """Poll ``url`` until it answers 200 or the deadline passes."""
    async with httpx.AsyncClient(timeout=2.0) as client:
        while True:
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} not ready after {STARTUP_TIMEOUT_SECONDS:g} s")
            await asyncio.sleep(0.25)


async def setup() -> None:
    """Bootstrap AWS, wait for every service, announce the URL."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    aws = AwsSettings()
    await wait_until(f"{aws.aws_endpoint_url}/moto-api/", deadline)
    if aws.bootstrap:
        await bootstrap_main(aws)
    await import_demo()
    urls = service_urls()
    crowd = CrowdSettings()
    await asyncio.gather(
        wait_until(f"http://{crowd.host}:{crowd.port}/healthz", deadline),
        *(wait_until(f"{url}/readyz", deadline) for url in urls.values()),
    )
    print(f"One Frame Of Fame is ready: {urls['gateway']}/", flush=True)


def import_demo_command() -> list[str]:
    """The importer's command line that generates and imports the demo video."""
    return [sys.executable, "-m", "importer", "demo", "--video", DEMO_VIDEO_NAME]


async def import_demo() -> None:
    """Import the demo video as any operator would (a no-op once it is imported)."""
    process = await asyncio.create_subprocess_exec(*import_demo_command(), cwd=ROOT)
    if await process.wait() != 0:
        raise RuntimeError(f"importing the demo video failed (exit status {process.returncode})")


def moto() -> None:
    """Run the moto server (AWS stand-in) on loopback, without per-request log lines."""
    import logging

    from moto.server import main as moto_main

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto_main(["-H", "127.0.0.1", "-p", os.environ.get("OFOF_MOTO_PORT", str(DEFAULT_MOTO_PORT))])


def idle() -> None:
    """Stay alive until honcho stops the stack."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "moto", "setup"])
    args = parser.parse_args()
    if args.command == "run":
        run()
    elif args.command == "moto":
        moto()
    else:
        configure_logging("setup")
        asyncio.run(setup())
        idle()
