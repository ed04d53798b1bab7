"""moderation's application factory: routes, readiness, the consumer and reconcile loops.

The crowd is deliberately not a readiness dependency: a unit whose creation fails is
retried by the reconcile loop, so moderation keeps taking submissions while the crowd
is down.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack

from fastapi import FastAPI

from services.moderation.consumers import ingest_handler
from services.moderation.deps import ModerationDeps, open_deps
from services.moderation.routes import router
from services.moderation.settings import ModerationSettings
from services.moderation.usecases import Moderator
from shared.background import BackgroundLoops, every
from shared.consumer import QueueConsumer
from shared.health import ReadinessCheck, queue_check, table_check
from shared.locks import DynamoLock
from shared.service import StartWork, create_service_app

log = logging.getLogger(__name__)
RECONCILE_LOCK = "reconcile"


def _checks(deps: ModerationDeps, settings: ModerationSettings) -> Mapping[str, ReadinessCheck]:
    return {
        "sqs_moderation": queue_check(deps.aws, settings.moderation_queue),
        "sqs_frames": queue_check(deps.aws, settings.frames_queue),
        "sqs_render": queue_check(deps.aws, settings.render_queue),
        "dynamodb_reviews": table_check(deps.aws, settings.reviews_table),
    }


def reconcile_pass(moderator: Moderator, lock: DynamoLock) -> Callable[[], Awaitable[None]]:
    """One reconcile pass, run only by the replica that holds the lock."""

    async def run() -> None:
        async with lock.held() as got:
            if got:
                looked_at = await moderator.reconcile()
                log.info("reconciled", extra={"open_reviews": looked_at})

    return run


def starter(settings: ModerationSettings) -> StartWork:
    """Start the consumer and reconcile loops; they stop when the lifespan ends."""

    async def start(app: FastAPI, stack: AsyncExitStack) -> None:
        deps: ModerationDeps = app.state.deps
        consumer = QueueConsumer(
            deps.aws,
            settings.moderation_queue,
            ingest_handler(deps.moderator),
            wait_seconds=settings.consumer_wait_seconds,
            visibility_seconds=settings.consumer_visibility_seconds,
        )
        lock = DynamoLock(
            deps.aws.dynamodb,
            settings.reviews_table,
            RECONCILE_LOCK,
            settings.reconcile_lock_seconds,
        )
        work = reconcile_pass(deps.moderator, lock)
        loops = BackgroundLoops()
        loops.start("moderation-consumer", consumer.run)
        loops.start("reconcile", lambda stopping: every(settings.reconcile_seconds, work, stopping))
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
    )
    app.include_router(router)
    return app
