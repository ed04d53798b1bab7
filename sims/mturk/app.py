"""The local MTurk's HTTP API: the requester JSON 1.1 protocol on ``POST /``.

Each request names its operation in ``X-Amz-Target: MTurkRequesterServiceV20170117.<Op>``,
carries ``Content-Type: application/x-amz-json-1.1`` and a SigV4 ``Authorization`` for
the configured key (:mod:`sims.mturk.signing`). The body is held to botocore's model of
the operation (:mod:`sims.mturk.shapes`) and answered by :mod:`sims.mturk.operations`.
Errors come back as the real service sends them (see :mod:`sims.mturk.errors`).
``GET /healthz`` is not MTurk: it says the process is up. Nor is ``GET /sim/workers``:
the simulated pool (MTurk ids, kinds, qualification values), so tests can check who
worked a HIT.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sims.mturk.errors import AwsError, Json
from sims.mturk.ledger import Ledger
from sims.mturk.notices import Notifier, QueueClient
from sims.mturk.operations import OPERATIONS, Sim, unsupported
from sims.mturk.settings import MTurkSimSettings
from sims.mturk.shapes import operation, validate
from sims.mturk.signing import verify
from sims.mturk.workforce import Workforce
from sims.store import Store

log = logging.getLogger("sims.mturk")
TARGET_PREFIX = "MTurkRequesterServiceV20170117."
CONTENT_TYPE = "application/x-amz-json-1.1"
SETTLE_SECONDS = 1.0


def answer(body: Json, status: int = 200) -> JSONResponse:
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    return JSONResponse(body, status, headers=headers, media_type=CONTENT_TYPE)


def json_body(raw: bytes) -> Json:
    """The request's JSON object, or AWS's SerializationException."""
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise AwsError(400, "SerializationException", "The request body is not a JSON object.")
    return body


async def call(request: Request, sim: Sim, settings: MTurkSimSettings) -> Json:
    """Check, parse and run one request."""
    raw = await request.body()
    verify(
        str(request.url),
        request.headers,
        raw,
        settings.access_key_id,
        settings.secret_access_key.get_secret_value(),
        datetime.now(UTC),
    )
    target = request.headers.get("x-amz-target", "")
    name = target.removeprefix(TARGET_PREFIX)
    model = operation(name) if target.startswith(TARGET_PREFIX) else None
    if model is None:
        raise AwsError(400, "UnknownOperationException", f"Unknown operation {target}")
    if request.headers.get("content-type", "").split(";")[0].strip() != CONTENT_TYPE:
        raise AwsError(400, "SerializationException", f"Content-Type must be {CONTENT_TYPE}")
    body = json_body(raw)
    validate(model, body)
    if name not in OPERATIONS:
        raise unsupported(name)
    return await OPERATIONS[name](sim, body)


async def settle_forever(sim: Sim) -> None:
    """Let the clock act: expiries and auto-approvals, with their notifications."""
    while True:
        await asyncio.sleep(SETTLE_SECONDS)
        await sim.notifier.events(sim.market.settle(time.time()))


@contextlib.asynccontextmanager
async def queue_client(settings: MTurkSimSettings) -> AsyncIterator[QueueClient | None]:
    """An SQS client to the configured endpoint, or None when there is none."""
    if not settings.sqs_endpoint_url:
        yield None
        return
    timeout = settings.sqs_timeout_seconds
    async with get_session().create_client(
        "sqs",
        endpoint_url=settings.sqs_endpoint_url,
        region_name=settings.sqs_region,
        aws_access_key_id=settings.sqs_access_key_id,
        aws_secret_access_key=settings.sqs_secret_access_key.get_secret_value(),
        config=AioConfig(
            connect_timeout=timeout, read_timeout=timeout, retries={"mode": "standard"}
        ),
    ) as sqs:
        yield sqs


def create_app(settings: MTurkSimSettings) -> FastAPI:
    """The local MTurk app, with the marketplace kept at ``settings.state_path`` (empty
    the first time); HITs still open after a restart are worked on."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Simulation noise, not security: a seedable generator is what repeatability needs.
        rng = random.Random(settings.seed)  # noqa: S311
        store = Store(settings.state_path)
        async with httpx.AsyncClient() as http, queue_client(settings) as sqs:
            market = Ledger(store).market(settings.balance_dollars)
            notifier = Notifier(settings, sqs, rng)
            workforce = Workforce(settings, market, notifier, http, rng, store)
            app.state.sim = sim = Sim(market, notifier, workforce)
            workforce.resume()
            settling = asyncio.create_task(settle_forever(sim))
            try:
                yield
            finally:
                settling.cancel()
                await sim.workforce.stop()
                await asyncio.gather(settling, return_exceptions=True)
                store.close()

    app = FastAPI(title="Local Mechanical Turk (requester API subset)", lifespan=lifespan)

    @app.post("/")
    async def requester_api(request: Request) -> JSONResponse:
        """Every requester API call (the operation is in X-Amz-Target)."""
        try:
            return answer(await call(request, request.app.state.sim, settings))
        except AwsError as exc:
            log.info("refused", extra={"kind": exc.kind, "detail": exc.message[:200]})
            return answer(exc.body(), exc.status)

    @app.get("/sim/workers")
    async def workers(request: Request) -> list[dict[str, object]]:
        """The simulated workers and their qualification values (not MTurk)."""
        return [
            {
                "WorkerId": worker_id,
                "kind": "sloppy" if worker.sloppy else "careless" if worker.careless else "good",
                "Qualifications": standing.as_json(),
            }
            for worker_id, worker, standing in request.app.state.sim.workforce.pool()
        ]

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Alive."""
        return {"status": "ok"}

    return app
