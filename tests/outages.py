"""What the dependency-fault tests share: a fault proxy in front of moto, short AWS tries,
the 503 they expect, polling with a bound, the log of the process under test, and a
submission waiting for review."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from services.ingest.keys import renditions_of
from shared.aws import AwsClients
from shared.messages import SubmissionIngested
from shared.queues import SqsQueueSender
from shared.records import original_key
from shared.settings import AwsSettings
from tests.faults import HttpFaultProxy, http_fault_proxy
from tests.pictures import good_copy, jpeg, original_frame

T = TypeVar("T")

# Service env for fault tests: an AWS call is tried twice at most (botocore's
# max_attempts counts retries after the first), with short timeouts, so an outage shows
# at once. The read timeout must stay above a consumer's long poll.
ONE_AWS_TRY = {
    "OFOF_AWS_MAX_ATTEMPTS": "1",
    "OFOF_AWS_CONNECT_TIMEOUT_SECONDS": "0.5",
    "OFOF_AWS_READ_TIMEOUT_SECONDS": "2",
}


@pytest.fixture
def aws_proxy(moto_endpoint: str) -> Iterator[HttpFaultProxy]:
    """An :class:`HttpFaultProxy` in front of the session's moto server (faultless at first)."""
    with http_fault_proxy(moto_endpoint) as proxy:
        yield proxy


def assert_unavailable(answer: httpx.Response) -> None:
    """``answer`` is the project's 503: ``Retry-After`` and ``{"error", "detail"}``."""
    assert answer.status_code == 503, (answer.status_code, answer.text)
    assert int(answer.headers["Retry-After"]) > 0
    assert set(answer.json()) == {"error", "detail"}


async def poll(check: Callable[[], Awaitable[T]], timeout_seconds: float, what: str) -> T:
    """Await ``check()`` every 0.3 s until it returns something true; fail after the bound."""
    deadline = time.monotonic() + timeout_seconds
    while not (found := await check()):
        assert time.monotonic() < deadline, f"timed out after {timeout_seconds} s: {what}"
        await asyncio.sleep(0.3)
    return found


def newest_log(log_dir: Path, service: str) -> Path:
    """The log of the ``service`` process the running test started (the newest one)."""
    return max(log_dir.glob(f"{service}-*.log"), key=lambda path: path.stat().st_mtime)


async def log_has(log: Path, line: str) -> bool:
    """Does the log at ``log`` hold ``line`` yet? (A check for :func:`poll`.)"""
    return line in log.read_text()


async def submit_for_review(
    aws: AwsClients, settings: AwsSettings, sid: str, frame: int, photo: bytes | None = None
) -> None:
    """Store ``photo`` (a good copy of ``frame`` by default) as submission ``sid`` and
    announce it to moderation."""
    bucket = settings.media_bucket
    await aws.s3.put_object(
        Bucket=bucket, Key=original_key("demo", frame), Body=jpeg(original_frame(frame))
    )
    await aws.s3.put_object(
        Bucket=bucket, Key=renditions_of(sid).medium, Body=photo or good_copy(frame)
    )
    message = SubmissionIngested(
        submission_id=sid,
        video="demo",
        frame=frame,
        client_id=f"client-{sid}",
        renditions=renditions_of(sid),
        width=320,
        height=180,
        created_at=datetime.now(UTC),
    )
    await SqsQueueSender(aws).send(settings.moderation_queue, message)
