"""One health router for every service: ``/healthz``, ``/readyz``, ``/metrics``.

``/healthz`` says the process is alive and checks nothing. ``/readyz`` runs each
dependency check the service registered, concurrently and each with a short timeout,
and answers 503 naming the ones that failed (and a missing bucket, queue or table by
its name). ``/metrics`` is Prometheus text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from shared.errors import MissingResource, NotFound, QueueMissing, TableMissing
from shared.objects import object_errors
from shared.queues import queue_errors
from shared.tables import table_errors

if TYPE_CHECKING:
    from shared.aws import AwsClients

ReadinessCheck = Callable[[], Awaitable[object]]


async def _run_check(check: ReadinessCheck, timeout_seconds: float) -> str:
    try:
        await asyncio.wait_for(check(), timeout_seconds)
    except TimeoutError:
        return f"timed out after {timeout_seconds:g} s"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return "ok"


async def run_checks(
    checks: Mapping[str, ReadinessCheck], timeout_seconds: float
) -> dict[str, str]:
    """Run every check concurrently; map each name to ``"ok"`` or what went wrong."""
    names = list(checks)
    results = await asyncio.gather(*(_run_check(checks[n], timeout_seconds) for n in names))
    return dict(zip(names, results, strict=True))


def health_router(
    checks: Callable[[], Mapping[str, ReadinessCheck]],
    registry: CollectorRegistry,
    timeout_seconds: float,
) -> APIRouter:
    """The health endpoints; ``checks`` is called per request so it sees live clients."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Alive: the process answers. Checks no dependency."""
        return {"status": "ok"}

    @router.get("/readyz", responses={503: {"description": "A dependency is not ready"}})
    async def readyz() -> JSONResponse:
        """Ready: every dependency this service uses answered in time."""
        results = await run_checks(checks(), timeout_seconds)
        failing = sorted(name for name, result in results.items() if result != "ok")
        if not failing:
            return JSONResponse({"status": "ready", "checks": results})
        body = {
            "error": "not_ready",
            "detail": "not ready: " + ", ".join(f"{n} ({results[n]})" for n in failing),
            "checks": results,
        }
        return JSONResponse(body, status_code=503)

    @router.get("/metrics", response_class=Response)
    async def metrics() -> Response:
        """Prometheus metrics in the text exposition format."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


# ``/readyz`` names a missing resource as ``MissingResource: <kind> <name> does not exist``
# (the operator's cue to run the stack or bootstrap), whichever subclass the map raised.


def bucket_check(aws: AwsClients, bucket: str) -> ReadinessCheck:
    """Readiness check: the S3 bucket exists and answers."""

    async def check() -> None:
        try:
            with object_errors(bucket):
                await aws.s3.head_bucket(Bucket=bucket)
        except (NotFound, MissingResource) as exc:
            # HeadBucket has no body: a missing bucket is a bare 404, i.e. NotFound.
            raise MissingResource("s3", f"bucket {bucket} does not exist") from exc

    return check


def queue_check(aws: AwsClients, queue: str) -> ReadinessCheck:
    """Readiness check: the SQS queue exists and answers."""

    async def check() -> None:
        try:
            with queue_errors(queue, "checking readiness"):
                url = await aws.queue_url(queue)
                await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        except QueueMissing as exc:
            raise MissingResource("sqs", f"queue {queue} does not exist") from exc

    return check


def table_check(aws: AwsClients, table: str) -> ReadinessCheck:
    """Readiness check: the DynamoDB table exists and is active."""

    async def check() -> None:
        try:
            with table_errors(f"describing table {table}"):
                answer = await aws.dynamodb.describe_table(TableName=table)
        except TableMissing as exc:
            raise MissingResource("dynamodb", f"table {table} does not exist") from exc
        status = answer["Table"].get("TableStatus")
        if status != "ACTIVE":
            raise RuntimeError(f"table {table} status {status}")

    return check
