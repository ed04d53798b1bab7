"""moderation's shell: its app, declared once (every wing's routes, readiness, the
consumers and periodic jobs of :mod:`.jobs`).

The crowd is deliberately not a readiness dependency: a unit whose creation fails is
retried by the reconcile loop, so moderation keeps taking submissions while the crowd
is down.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from services.moderation.crowd.crowdflower import routes as webhook_routes
from services.moderation.deps import ModerationDeps, open_deps
from services.moderation.jobs import moderation_jobs
from services.moderation.reports import routes as reports_routes
from services.moderation.reviews import routes as reviews_routes
from services.moderation.settings import ModerationSettings
from shared.health import ReadinessCheck, queue_check, table_check
from shared.metrics import MODERATION_METRICS
from shared.service import ServiceShell


def moderation_checks(
    deps: ModerationDeps, settings: ModerationSettings
) -> Mapping[str, ReadinessCheck]:
    """moderation is ready when its queues and the reviews table answer."""
    return {
        "sqs_moderation": queue_check(deps.aws, settings.moderation_queue),
        "sqs_render": queue_check(deps.aws, settings.render_queue),
        "dynamodb_reviews": table_check(deps.aws, settings.reviews_table),
    }


MODERATION: ServiceShell[ModerationSettings, ModerationDeps] = ServiceShell(
    "One Frame Of Fame moderation",
    open_deps,
    moderation_checks,
    moderation_jobs,
    routers=[reviews_routes.router, reports_routes.router, webhook_routes.router],
    domain_metrics=MODERATION_METRICS,
    tally_of=lambda deps: deps.tally,
    stop_seconds_of=lambda settings: settings.background_stop_seconds,
)


def create_app(settings: ModerationSettings, deps: ModerationDeps | None = None) -> FastAPI:
    """Build the moderation app; ``deps`` replaces the real clients in tests."""
    return MODERATION.app(settings, deps)
