"""The embedded local stack behind ``make run``.

``devstack.py run`` starts every process of ``deploy/Procfile`` under honcho (a
well-kept Procfile runner: prefixed output, SIGINT/SIGTERM forwarded to every child's
process group, the rest stopped when one dies). ``devstack.py aws`` runs the embedded
local AWS (``deploy/localaws.py``: ministack for S3 + SQS, dynalite for DynamoDB, data
under ``var/localaws``), restarting a server that dies and bootstrapping again after.
``devstack.py setup`` is the Procfile's one-shot helper turned long-lived: it waits for
both servers, bootstraps every AWS resource, imports the generated demo video as video
``demo`` through the importer's command line like any operator (``python -m importer
demo``, a no-op once imported, also across restarts since S3 keeps it), waits until all
four services are ready, prints the home page URL, and then idles, because honcho stops
the whole stack when any process exits. Before anything starts, ``run`` checks that
every port the stack listens on is free (:mod:`deploy.portcheck`) and leaves the
launch's operator token in ``var/operator-token`` (mode 0600) for the ``/ops`` console,
and, while it runs, its local AWS's endpoints and dummy keys in ``var/local-aws.env``
(mode 0600, removed on stop), where the importer typed in another terminal with no
``AWS_*`` variable set finds them (``importer/target.py``).

The stand-ins keep their state as the services they play do, each in its SQLite file
under ``var/`` (``var/crowd/``, ``var/mturk/``, ``var/vimeo/``; ``make reset`` wipes
them with the local AWS), so a restart of the stack finds the crowd jobs and HITs its
reviews name. ``devstack.py crowd`` (and ``vimeo``, ``mturk``) runs the stand-in under
the same supervision as the local AWS's servers: one that dies (``kill -9``) is started
again on its state, the rest of the stack running on.

The local Vimeo (``python -m sims.vimeo``) is off by default: it starts only when the
renderer publishes to Vimeo (``RENDERER_PUBLISHERS`` names ``vimeo``) and no Vimeo API
is named (``RENDERER_VIMEO_API_URL`` unset); the renderer and the gateway are then
pointed at it with one access token per run.

The local Mechanical Turk (``python -m sims.mturk``) is off by default too: it starts
only when moderation's crowd is MTurk (``MODERATION_CROWD_PROVIDER=mturk``, or ``make
run CROWD=mturk``) and no MTurk endpoint is named (``MODERATION_MTURK_ENDPOINT_URL``
unset); moderation is then pointed at it (requests signed with the local AWS's keys, the
form posting to its externalSubmit, moderation's default qualification requirements,
which the local MTurk enforces on its workers) and it delivers notifications into the
local SQS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from types_aiobotocore_sqs.literals import QueueAttributeNameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy import localaws, portcheck  # noqa: E402
from importer.target import remove_stack_file, write_stack_file  # noqa: E402
from services.gateway.settings import GatewaySettings  # noqa: E402
from services.ingest.settings import IngestSettings  # noqa: E402
from services.moderation.settings import ModerationSettings  # noqa: E402
from services.renderer.settings import RendererSettings  # noqa: E402
from shared.aws import open_aws_clients  # noqa: E402
from shared.bootstrap import main as bootstrap_main  # noqa: E402
from shared.logs import configure_logging  # noqa: E402
from shared.queues import frames_queue_of  # noqa: E402
from shared.settings import AwsSettings  # noqa: E402
from sims.crowd.settings import CrowdSettings  # noqa: E402
from sims.mturk.settings import MTurkSimSettings  # noqa: E402
from sims.vimeo.settings import VimeoSimSettings  # noqa: E402

# The local stack collects crowd judgments every 10 s instead of hourly.
LOCAL_RECONCILE_SECONDS = 10
# Longer than each service's uvicorn drain (8 s) so honcho does not SIGKILL a drain.
HONCHO_KILL_WAIT_SECONDS = 12
STARTUP_TIMEOUT_SECONDS = 120.0
DEMO_VIDEO_NAME = "demo"
# The local AWS accepts any credentials; these never leave the machine.
LOCAL_AWS_KEY = "testing"
# Where the stand-ins keep their state (each a SQLite file; Vimeo's uploads beside it).
STAND_IN_STATE_DIR = ROOT / "var"


def state_path(name: str) -> str:
    """The state file of stand-in ``name`` (``crowd``, ``mturk``, ``vimeo``) under var/."""
    return str(STAND_IN_STATE_DIR / name / f"{name}.sqlite3")


def crowd_environment() -> dict[str, str]:
    """Defaults that wire moderation to the local crowd (``python -m sims.crowd``).

    One API key per run, shared by both: the crowd checks requests and signs webhooks
    with it. Ports follow ``CROWD_PORT`` and ``MODERATION_PORT`` when they are set.
    Units are ordered on ``cf_internal``, the channel of an internal (unpaid) run.
    """
    key = os.environ.get("CROWD_API_KEY") or secrets.token_hex(16)
    crowd_port, moderation_port = CrowdSettings().port, ModerationSettings().port
    return {
        "CROWD_API_KEY": key,
        "CROWD_STATE_PATH": state_path("crowd"),
        "MODERATION_CROWD_API_KEY": key,
        "MODERATION_CROWD_BASE_URL": f"http://127.0.0.1:{crowd_port}",
        "MODERATION_WEBHOOK_URL": f"http://127.0.0.1:{moderation_port}/crowd/webhook",
        "MODERATION_RECONCILE_SECONDS": str(LOCAL_RECONCILE_SECONDS),
        "MODERATION_CROWD_CHANNELS": '["cf_internal"]',
    }


def neighbour_environment() -> dict[str, str]:
    """Where the gateway finds ingest and moderation, following their port settings."""
    return {
        "GATEWAY_INGEST_URL": f"http://127.0.0.1:{IngestSettings().port}",
        "GATEWAY_MODERATION_URL": f"http://127.0.0.1:{ModerationSettings().port}",
        "GATEWAY_RENDERER_URL": f"http://127.0.0.1:{RendererSettings().port}",
    }


def wants_local_vimeo(env: Mapping[str, str]) -> bool:
    """True when the renderer publishes to Vimeo and no real Vimeo is named."""
    return "vimeo" in env.get("RENDERER_PUBLISHERS", "") and not env.get("RENDERER_VIMEO_API_URL")


def vimeo_environment() -> dict[str, str]:
    """Defaults that point the renderer and the gateway's CSP at the local Vimeo."""
    token = os.environ.get("VIMEO_ACCESS_TOKEN") or secrets.token_hex(16)
    url = f"http://127.0.0.1:{VimeoSimSettings().port}"
    return {
        "OFOF_LOCAL_VIMEO": "1",
        "VIMEO_ACCESS_TOKEN": token,
        "VIMEO_STATE_PATH": state_path("vimeo"),
        "RENDERER_VIMEO_ACCESS_TOKEN": token,
        "RENDERER_VIMEO_API_URL": url,
        "GATEWAY_VIMEO_PLAYER_ORIGIN": url,
    }


def wants_local_mturk(env: Mapping[str, str]) -> bool:
    """True when moderation's crowd is MTurk and no real MTurk endpoint is named."""
    provider = env.get("MODERATION_CROWD_PROVIDER", "crowdflower")
    return provider == "mturk" and not env.get("MODERATION_MTURK_ENDPOINT_URL")


def mturk_environment() -> dict[str, str]:
    """Defaults that point moderation at the local MTurk and the local MTurk at SQS."""
    url = f"http://127.0.0.1:{MTurkSimSettings().port}"
    return {
        "OFOF_LOCAL_MTURK": "1",
        # The local AWS's keys (below): moderation signs its MTurk calls with them.
        "MTURK_SIM_ACCESS_KEY_ID": LOCAL_AWS_KEY,
        "MTURK_SIM_SECRET_ACCESS_KEY": LOCAL_AWS_KEY,
        "MTURK_SIM_SQS_ENDPOINT_URL": localaws.LocalAws.from_env().ministack_url,
        "MTURK_SIM_STATE_PATH": state_path("mturk"),
        "MODERATION_MTURK_ENDPOINT_URL": url,
        "MODERATION_MTURK_SUBMIT_URL": f"{url}/mturk/externalSubmit",
    }


def honcho_arguments(local_vimeo: bool) -> list[str]:
    """honcho's command line: every Procfile process, the local Vimeo only when wanted."""
    off = [] if local_vimeo else ["-c", "vimeo=0"]
    return ["-f", str(ROOT / "deploy" / "Procfile"), "-d", str(ROOT), "start", *off]


def local_aws_environment() -> dict[str, str]:
    """Where the local AWS listens and keeps its data, and the per-service endpoints."""
    local = localaws.LocalAws.from_env()
    return {
        "OFOF_MINISTACK_PORT": str(local.ministack_port),
        "OFOF_DYNALITE_PORT": str(local.dynalite_port),
        "OFOF_LOCALAWS_DIR": str(local.state_dir.resolve()),
        **local.endpoints(),
    }


def local_environment() -> dict[str, str]:
    """Environment defaults that point every process at the local AWS and crowd."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        **crowd_environment(),
        **neighbour_environment(),
        **local_aws_environment(),
        "AWS_ACCESS_KEY_ID": LOCAL_AWS_KEY,
        "AWS_SECRET_ACCESS_KEY": LOCAL_AWS_KEY,
        "AWS_REGION": "us-east-1",
        # Gateway signs lease tokens and ingest verifies them: one secret per launch.
        "OFOF_LEASE_SECRET": secrets.token_urlsafe(32),
        # The local stack creates its own resources; production's come from the stack.
        "OFOF_BOOTSTRAP": "true",
        **operator_environment(),
        "PYTHONUNBUFFERED": "1",
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
    }


def operator_environment() -> dict[str, str]:
    """One operator token per launch for the three services that guard operator routes
    (the console calls moderation's and the renderer's with it), unless one is set."""
    token = os.environ.get("GATEWAY_OPERATOR_TOKEN") or secrets.token_urlsafe(24)
    return {
        "GATEWAY_OPERATOR_TOKEN": token,
        "MODERATION_OPERATOR_TOKEN": token,
        "RENDERER_OPERATOR_TOKEN": token,
    }


def operator_token_file() -> Path:
    """Where ``make run`` leaves the operator token for the person at the console:
    ``OFOF_OPERATOR_TOKEN_FILE``, by default ``var/operator-token``."""
    return Path(os.environ.get("OFOF_OPERATOR_TOKEN_FILE") or ROOT / "var" / "operator-token")


def keep_operator_token(path: Path, token: str) -> None:
    """Write the token readable by this user only; it is never printed or logged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(token + "\n")


def run() -> None:
    """Start the whole stack in the foreground (returns when it stops)."""
    import honcho.manager
    from honcho.command import main as honcho_main

    local_vimeo = wants_local_vimeo(os.environ)
    local_mturk = wants_local_mturk(os.environ)
    defaults = local_environment() | (vimeo_environment() if local_vimeo else {})
    defaults |= mturk_environment() if local_mturk else {}
    for key, value in defaults.items():
        if key == "PATH":
            os.environ["PATH"] = value
        else:
            os.environ.setdefault(key, value)
    problems = portcheck.taken(stack_ports(local_vimeo, local_mturk))
    if problems:
        sys.exit(
            "make run cannot start: "
            + "; ".join(problems)
            + ". Stop that process (Ctrl-C in the terminal of the earlier make run), or move"
            ' this stack with the *_PORT settings (docs/operations.md: "A port is taken").'
        )
    keep_operator_token(operator_token_file(), os.environ["GATEWAY_OPERATOR_TOKEN"])
    honcho.manager.KILL_WAIT = HONCHO_KILL_WAIT_SECONDS
    importer = importer_environment()
    left = write_stack_file(importer) if importer else None
    try:
        honcho_main(honcho_arguments(local_vimeo))
    finally:
        if left:
            remove_stack_file(left)


def importer_environment() -> dict[str, str] | None:
    """Where the importer, run in another terminal with no AWS_* set, finds this stack's
    AWS (``importer/target.py`` reads it from ``var/local-aws.env``).

    None unless the stack runs on its own local AWS with its dummy keys: the file is
    not written then, so no key the operator set ever goes to disk.
    """
    local = localaws.LocalAws.from_env()
    own = local.endpoints() | {
        "AWS_ACCESS_KEY_ID": LOCAL_AWS_KEY,
        "AWS_SECRET_ACCESS_KEY": LOCAL_AWS_KEY,
    }
    if any(os.environ.get(name) != value for name, value in own.items()):
        return None
    settings = AwsSettings()
    return own | {"AWS_REGION": settings.aws_region, "OFOF_MEDIA_BUCKET": settings.media_bucket}


def stack_ports(local_vimeo: bool, local_mturk: bool) -> dict[str, int]:
    """Every loopback port the stack will listen on, by what listens there."""
    local = localaws.LocalAws.from_env()
    ports = {name: int(url.rsplit(":", 1)[1]) for name, url in service_urls().items()}
    ports |= {
        "the local crowd": CrowdSettings().port,
        "the local AWS's S3 and SQS (ministack)": local.ministack_port,
        "the local AWS's DynamoDB (dynalite)": local.dynalite_port,
    }
    if local_vimeo:
        ports["the local Vimeo"] = VimeoSimSettings().port
    if local_mturk:
        ports["the local MTurk"] = MTurkSimSettings().port
    return ports


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
    local = localaws.LocalAws.from_env()
    for answers, name in (
        (local.ministack_answers, "ministack"),
        (local.dynalite_answers, "dynalite"),
    ):
        await asyncio.to_thread(localaws.wait_until, answers, STARTUP_TIMEOUT_SECONDS, name)
    aws = AwsSettings()
    if aws.bootstrap:
        await bootstrap_main(aws)
    await import_demo()
    urls = service_urls()
    crowd = CrowdSettings()
    vimeo = VimeoSimSettings()
    optional = [f"{vimeo.base_url()}/healthz"] if os.environ.get("OFOF_LOCAL_VIMEO") else []
    if os.environ.get("OFOF_LOCAL_MTURK"):
        optional.append(f"http://127.0.0.1:{MTurkSimSettings().port}/healthz")
    await asyncio.gather(
        wait_until(f"http://{crowd.host}:{crowd.port}/healthz", deadline),
        *(wait_until(url, deadline) for url in optional),
        *(wait_until(f"{url}/readyz", deadline) for url in urls.values()),
    )
    await first_offers(AwsSettings(), DEMO_VIDEO_NAME, deadline)
    print(f"One Frame Of Fame is ready: {urls['gateway']}/", flush=True)
    print(
        f"Operators' console: {urls['gateway']}/ops (its token is in {operator_token_file()})",
        flush=True,
    )


async def first_offers(settings: AwsSettings, video: str, deadline: float) -> None:
    """Wait until moderation's feeder has slots of ``video`` out, so a visitor who opens
    the page gets a frame (the feeder finds the video and fills its window in seconds)."""
    queue = frames_queue_of(settings.frames_queue, video)
    async with AsyncExitStack() as stack:
        aws = await open_aws_clients(settings, stack)
        while True:
            with contextlib.suppress(ClientError):
                url = (await aws.sqs.get_queue_url(QueueName=queue))["QueueUrl"]
                names: list[QueueAttributeNameType] = [
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ]
                answer = await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)
                if any(int(count) for count in answer["Attributes"].values()):
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"no frame of {video} offered in {STARTUP_TIMEOUT_SECONDS:g} s")
            await asyncio.sleep(0.25)


def import_demo_command() -> list[str]:
    """The importer's command line that generates and imports the demo video."""
    return [sys.executable, "-m", "importer", "demo", "--video", DEMO_VIDEO_NAME]


async def import_demo() -> None:
    """Import the demo video as any operator would (a no-op once it is imported)."""
    process = await asyncio.create_subprocess_exec(*import_demo_command(), cwd=ROOT)
    if await process.wait() != 0:
        raise RuntimeError(f"importing the demo video failed (exit status {process.returncode})")


def aws() -> None:
    """Run the local AWS until SIGTERM: both servers, restarted (and the resources
    bootstrapped again, queues included) when one of them dies."""
    local = localaws.LocalAws.from_env()

    def rebootstrap() -> None:
        asyncio.run(bootstrap_main(AwsSettings()))

    servers = [
        localaws.Supervised(
            "ministack",
            lambda: localaws.start_ministack(local, supervised=True),
            local.ministack_answers,
            rebootstrap,
        ),
        localaws.Supervised(
            "dynalite",
            lambda: localaws.start_dynalite(local, supervised=True),
            local.dynalite_answers,
            rebootstrap,
        ),
    ]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        localaws.supervise(servers, STARTUP_TIMEOUT_SECONDS)
    finally:
        localaws.stop(servers)


def mturk() -> None:
    """The Procfile's ``mturk`` process: the local MTurk when it is wanted, else idle."""
    if os.environ.get("OFOF_LOCAL_MTURK"):
        stand_in("sims.mturk", MTurkSimSettings().port)
        return
    idle()


def stand_in(module: str, port: int) -> None:
    """Run ``python -m <module>`` until SIGTERM, started again when it dies (its state
    is on disk, so nothing is lost), as the local AWS's servers are; it gets SIGTERM
    when this supervisor dies, even by ``kill -9``, so it never outlives it on its port."""

    def answers() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    server = localaws.Supervised(
        module,
        lambda: subprocess.Popen(
            [sys.executable, "-m", module], cwd=ROOT, preexec_fn=localaws.die_with_parent
        ),
        answers,
        lambda: None,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        localaws.supervise([server], STARTUP_TIMEOUT_SECONDS)
    finally:
        localaws.stop([server])


def idle() -> None:
    """Stay alive until honcho stops the stack."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "aws", "setup", "crowd", "vimeo", "mturk"])
    args = parser.parse_args()
    if args.command == "run":
        run()
    elif args.command == "mturk":
        mturk()
    elif args.command == "crowd":
        stand_in("sims.crowd", CrowdSettings().port)
    elif args.command == "vimeo":
        stand_in("sims.vimeo", VimeoSimSettings().port)
    elif args.command == "aws":
        configure_logging("aws")
        aws()
    else:
        configure_logging("setup")
        asyncio.run(setup())
        idle()
