"""moderation's application factory: every wing's routes, readiness, the consumers and
the periodic jobs (:mod:`.jobs`).

The crowd is deliberately not a readiness dependency: a unit whose creation fails is
retried by the reconcile loop, so moderation keeps taking submissions while the crowd
is down.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack

from fastapi import FastAPI

from services.moderation.crowd.crowdflower import routes as webhook_routes
from services.moderation.crowd.mturk.consumers import notification_handler
from services.moderation.deps import ModerationDeps, open_deps
from services.moderation.jobs import start_jobs
from services.moderation.reports import routes as reports_routes
from services.moderation.reviews import routes as reviews_routes
from services.moderation.reviews.consumers import ingest_handler
from services.moderation.settings import ModerationSettings
from shared.background import BackgroundLoops
from shared.consumer import MessageHandler, QueueConsumer
from shared.health import ReadinessCheck, queue_check, table_check
from shared.metrics import MODERATION_METRICS
from shared.service import StartWork, create_service_app

log = logging.getLogger(__name__)


def _checks(deps: ModerationDeps, settings: ModerationSettings) -> Mapping[str, ReadinessCheck]:
    return {
        "sqs_moderation": queue_check(deps.aws, settings.moderation_queue),
        "sqs_render": queue_check(deps.aws, settings.render_queue),
        "dynamodb_reviews": table_check(deps.aws, settings.reviews_table),
    }


def consumers(
    deps: ModerationDeps, settings: ModerationSettings
) -> dict[str, tuple[str, MessageHandler]]:
    """Each consumer by name, with its queue and handler: submissions, and Mechanical
    Turk's notifications when it takes new reviews."""
    found = {"moderation-consumer": (settings.moderation_queue, ingest_handler(deps.moderator))}
    if deps.mturk is not None:
        handler = notification_handler(deps.mturk, deps.moderator.receive)
        found["mturk-consumer"] = (settings.mturk_queue, handler)
    return found


def starter(settings: ModerationSettings) -> StartWork:
    """Start the consumers and the periodic jobs; they stop when the lifespan ends."""

    async def start(app: FastAPI, stack: AsyncExitStack) -> None:
        deps: ModerationDeps = app.state.deps
        loops = BackgroundLoops()
        for name, (queue, handler) in consumers(deps, settings).items():
            consumer = QueueConsumer(
                deps.aws,
                queue,
                handler,
                wait_seconds=settings.consumer_wait_seconds,
                visibility_seconds=settings.consumer_visibility_seconds,
            )
            loops.start(name, consumer.run)
        start_jobs(loops, deps, settings)
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
    for router in (reviews_routes.router, reports_routes.router, webhook_routes.router):
        app.include_router(router)
    return app
