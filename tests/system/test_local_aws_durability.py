"""The local AWS of `make run` keeps its data across a `kill -9` of either server.

Real processes on loopback: ministack (S3 + SQS) and dynalite (DynamoDB) on a state
directory of this test. S3 objects and DynamoDB items are durable; SQS queues are
transport, gone after a ministack restart until bootstrap makes them again (the
supervisor of `make run`, ``devstack.py aws``, does that by itself).
"""

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import ClientError

from deploy.localaws import LocalAws
from services.moderation.reviews.adapters.dynamo import DynamoReviewStore
from shared.aws import AwsClients, open_aws_clients
from shared.bootstrap import bootstrap
from shared.objects import S3ObjectStore
from shared.settings import AwsSettings
from tests.conftest import local_aws_settings_for
from tests.integration.test_review_store import review
from tests.peeks import queue_counts
from tests.processes import (
    PYTHON,
    descendants,
    free_port,
    is_alive,
    local_aws_servers,
    running,
    wait_for,
)
from tests.stack import aws_env, service_stack

pytestmark = pytest.mark.system

# A killed server is restarted, answers and is bootstrapped again within this.
BACK_WITHIN_SECONDS = 60.0


async def queue_exists(aws: AwsClients, name: str) -> bool:
    try:
        await aws.sqs.get_queue_url(QueueName=name)
    except ClientError:
        return False
    return True


@asynccontextmanager
async def bootstrapped(settings: AwsSettings) -> AsyncIterator[AwsClients]:
    """Clients to the local AWS of ``settings``, every resource bootstrapped."""
    async with AsyncExitStack() as stack:
        aws = await open_aws_clients(settings, stack)
        await bootstrap(aws, settings)
        yield aws


async def test_objects_and_items_survive_a_kill_9_of_each_server_and_queues_are_transport(
    tmp_path: Path, output_dir: Path
):
    with local_aws_servers(tmp_path / "state", output_dir) as servers:
        settings = AwsSettings(**local_aws_settings_for(servers.local))  # type: ignore[arg-type]
        async with bootstrapped(settings) as aws:
            store = S3ObjectStore(aws.s3, settings.media_bucket)
            reviews = DynamoReviewStore(aws.dynamodb, settings.reviews_table)
            etag = await store.put("originals/demo/000001.jpg", b"frame", "image/jpeg")
            stored = await reviews.put(review("s1"))
            for name in ("ministack", "dynalite"):
                servers.kill(name)
                servers.start(name)
            got = await store.get("originals/demo/000001.jpg")
            assert (got.data, got.etag) == (b"frame", etag)
            assert not await store.create("originals/demo/000001.jpg", b"again", "image/jpeg")
            assert await reviews.get("s1") == stored
            assert [r.submission_id async for r in reviews.open_reviews()] == ["s1"]
            assert not await queue_exists(aws, settings.moderation_queue)
            await bootstrap(aws, settings)
            assert await queue_counts(aws, settings.moderation_queue) == (0, 0)


def ministack_pid(supervisor: int) -> int:
    """The ministack process under ``supervisor`` (``devstack.py aws``)."""
    for pid in descendants(supervisor):
        try:
            if b"ministack" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise AssertionError("no ministack process under the supervisor")


async def wait_until_bootstrapped(aws: AwsClients, settings: AwsSettings) -> None:
    deadline = time.monotonic() + BACK_WITHIN_SECONDS
    while not await queue_exists(aws, settings.render_queue):
        assert time.monotonic() < deadline, "the queues did not come back"
        await asyncio.sleep(0.5)


@contextmanager
def supervisor(
    local: LocalAws, fields: dict[str, object], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``devstack.py aws`` (the `make run` entry) on ``local``, once both servers answer."""
    env = {
        **aws_env(fields),
        "OFOF_MINISTACK_PORT": str(local.ministack_port),
        "OFOF_DYNALITE_PORT": str(local.dynalite_port),
        "OFOF_LOCALAWS_DIR": str(local.state_dir),
        # As `make run` sets it: the supervisor bootstraps a restarted server again.
        "OFOF_BOOTSTRAP": "true",
    }
    with running([PYTHON, "deploy/devstack.py", "aws"], env=env, log_path=log_path) as proc:
        wait_for(lambda: local.ministack_answers() and local.dynalite_answers(), 60, "local AWS")
        yield proc


async def test_make_runs_local_aws_restarts_a_killed_ministack_and_bootstraps_it_again(
    tmp_path: Path, output_dir: Path
):
    local = LocalAws(free_port(), free_port(), tmp_path / "state")
    fields = local_aws_settings_for(local)
    settings = AwsSettings(**fields)  # type: ignore[arg-type]
    log_path = output_dir / "localaws-supervisor.log"
    with supervisor(local, fields, log_path) as aws_process:
        async with bootstrapped(settings) as aws:
            store = S3ObjectStore(aws.s3, settings.media_bucket)
            await store.put("clips/demo/current.json", b"{}", "application/json")
            with service_stack(["renderer"], fields, output_dir) as services:
                killed = ministack_pid(aws_process.pid)
                os.kill(killed, signal.SIGKILL)
                await wait_until_bootstrapped(aws, settings)
                assert ministack_pid(aws_process.pid) != killed
                assert (await store.get("clips/demo/current.json")).data == b"{}"
                renderer = services.process("renderer")
                assert renderer.poll() is None, "the renderer died with its queue"
                async with httpx.AsyncClient(base_url=services.urls["renderer"]) as client:
                    assert (await client.get("/healthz")).status_code == 200


async def test_a_killed_supervisor_takes_both_servers_along_and_a_restart_finds_the_data(
    tmp_path: Path, output_dir: Path
):
    """Under honcho a dead ``aws`` process then stops the stack; `make run` again finds
    everything. No server outlives its supervisor holding the port."""
    local = LocalAws(free_port(), free_port(), tmp_path / "state")
    fields = local_aws_settings_for(local)
    settings = AwsSettings(**fields)  # type: ignore[arg-type]
    log_path = output_dir / "localaws-supervisor-killed.log"
    for attempt in range(2):
        with supervisor(local, fields, log_path) as aws_process:
            async with bootstrapped(settings) as aws:
                reviews = DynamoReviewStore(aws.dynamodb, settings.reviews_table)
                store = S3ObjectStore(aws.s3, settings.media_bucket)
                if attempt == 0:
                    await store.put("originals/demo/video.json", b"{}", "application/json")
                    await reviews.put(review("s1"))
                else:
                    assert (await store.get("originals/demo/video.json")).data == b"{}"
                    assert await reviews.get("s1") is not None
            servers = descendants(aws_process.pid)
            os.kill(aws_process.pid, signal.SIGKILL)
            wait_for(lambda s=servers: not any(is_alive(p) for p in s), 15, "the servers to end")
