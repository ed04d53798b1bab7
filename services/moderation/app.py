"""moderation's application factory: routes, readiness, the consumer and reconcile loops.

The crowd is deliberately not a readiness dependency: a unit whose creation fails is
retried by the reconcile loop, so moderation keeps taking submissions while the crowd
is down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import asdict

from fastapi import FastAPI

from services.moderation.consumers import ingest_handler, mturk_handler
from services.moderation.deps import ModerationDeps, open_deps
from services.moderation.feeder import SlotFeeder, TransportGuard
from services.moderation.routes import router
from services.moderation.routes_reports import router as reports_router
from services.moderation.settings import ModerationSettings
from services.moderation.usecases import Moderator
from shared.background import BackgroundLoops, sleep_unless_stopping
from shared.consumer import MessageHandler, QueueConsumer
from shared.health import ReadinessCheck, queue_check, table_check
from shared.locks import RENEWALS_PER_TTL, DynamoLock
from shared.metrics import MODERATION_METRICS
from shared.service import StartWork, create_service_app

log = logging.getLogger(__name__)
RECONCILE_LOCK = "reconcile"
FEEDER_LOCK = "feeder"


def _checks(deps: ModerationDeps, settings: ModerationSettings) -> Mapping[str, ReadinessCheck]:
    return {
        "sqs_moderation": queue_check(deps.aws, settings.moderation_queue),
        "sqs_render": queue_check(deps.aws, settings.render_queue),
        "dynamodb_reviews": table_check(deps.aws, settings.reviews_table),
    }


def reconcile_pass(moderator: Moderator, lock: DynamoLock) -> Callable[[], Awaitable[bool]]:
    """One reconcile pass, run only by the replica that holds the lock; True if it ran."""

    async def run() -> bool:
        async with lock.held() as got:
            if got:
                looked_at = await moderator.reconcile()
                log.info("reconciled", extra={"open_reviews": looked_at})
            return got

    return run


async def reconcile_loop(
    work: Callable[[], Awaitable[bool]],
    interval_seconds: float,
    first_retry_seconds: float,
    stopping: asyncio.Event,
) -> None:
    """Reconcile at once, then every ``interval_seconds``.

    Until a first pass has run, a skipped or failed pass is tried again after
    ``first_retry_seconds``: after a crash the lock may still be held by the dead
    process for up to its TTL, and the webhooks lost while we were down must be
    collected now, not an interval later.
    """
    has_run = False
    while not stopping.is_set():
        try:
            has_run = await work() or has_run
        except Exception:
            log.exception("reconcile pass failed; trying again")
        wait = interval_seconds if has_run else min(first_retry_seconds, interval_seconds)
        if await sleep_unless_stopping(stopping, wait):
            return


async def feeder_loop(
    deps: ModerationDeps, lock: DynamoLock, settings: ModerationSettings, stopping: asyncio.Event
) -> None:
    """Feed every video's window each ``feed_seconds``, sweeping every ``sweep_seconds``,
    in the one replica holding the feeder lock (held, and renewed, for as long as it can;
    the others try again every third of its TTL)."""
    while not stopping.is_set():
        try:
            async with lock.held() as got:
                if got:
                    await feeding(deps.feeder, deps.guard, settings, stopping)
        except Exception:
            log.exception("feeder pass failed; trying again")
        if await sleep_unless_stopping(
            stopping, settings.reconcile_lock_seconds / RENEWALS_PER_TTL
        ):
            return


async def feeding(
    feeder: SlotFeeder, guard: TransportGuard, settings: ModerationSettings, stopping: asyncio.Event
) -> None:
    """Passes under the held lock until stopping; a sweep (lost queues repaired, videos
    discovered, unsent offers resent) first, then every ``sweep_seconds``."""
    next_sweep = next_discovery = 0.0
    while not stopping.is_set():
        sweep = time.monotonic() >= next_sweep
        if sweep:
            await guard.check()
            next_sweep = time.monotonic() + settings.sweep_seconds
        if time.monotonic() >= next_discovery:
            await feeder.discover()
            next_discovery = time.monotonic() + settings.discover_seconds
        for report in await feeder.feed_all(sweep):
            if report.registered or report.reopened or report.resent:
                log.info("feeder repaired", extra=asdict(report))
        if await sleep_unless_stopping(stopping, settings.feed_seconds):
            return


def consumer_of(
    deps: ModerationDeps,
    settings: ModerationSettings,
    queue: str,
    handler: Callable[[Moderator], MessageHandler],
) -> QueueConsumer:
    """A consumer of ``queue`` handing its messages to ``handler`` over the moderator."""
    return QueueConsumer(
        deps.aws,
        queue,
        handler(deps.moderator),
        wait_seconds=settings.consumer_wait_seconds,
        visibility_seconds=settings.consumer_visibility_seconds,
    )


def starter(settings: ModerationSettings) -> StartWork:
    """Start the consumer and reconcile loops; they stop when the lifespan ends."""

    async def start(app: FastAPI, stack: AsyncExitStack) -> None:
        deps: ModerationDeps = app.state.deps
        consumer = consumer_of(deps, settings, settings.moderation_queue, ingest_handler)
        lock = DynamoLock(
            deps.aws.dynamodb,
            settings.reviews_table,
            RECONCILE_LOCK,
            settings.reconcile_lock_seconds,
        )
        work = reconcile_pass(deps.moderator, lock)
        feeder_lock = DynamoLock(
            deps.aws.dynamodb, settings.reviews_table, FEEDER_LOCK, settings.reconcile_lock_seconds
        )
        loops = BackgroundLoops()
        loops.start("moderation-consumer", consumer.run)
        if settings.crowd_provider == "mturk":
            notices = consumer_of(deps, settings, settings.mturk_queue, mturk_handler)
            loops.start("mturk-consumer", notices.run)
        loops.start("feeder", lambda stopping: feeder_loop(deps, feeder_lock, settings, stopping))
        retry = settings.reconcile_lock_seconds / RENEWALS_PER_TTL
        loops.start(
            "reconcile",
            lambda stopping: reconcile_loop(work, settings.reconcile_seconds, retry, stopping),
        )
        stack.push_async_callback(loops.stop, settings.background_stop_seconds)

    return start


def create_app(settings: ModerationSettings, deps: ModerationDeps | None = None) -> FastAPI:
    """Build the moderation app; ``deps`` replaces the real clients in tests."""
    app = create_service_app(
        title="One Frame Of Fame moderation",
        settings=settings,
        deps=deps,
        open_deps=open_deps,
        checks=_checks,
        start=starter(settings),
        domain_metrics=MODERATION_METRICS,
        tally_of=lambda deps: deps.tally,
    )
    app.include_router(router)
    app.include_router(reports_router)
    return app
