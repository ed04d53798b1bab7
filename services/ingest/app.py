"""ingest's application factory."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AsyncExitStack

from fastapi import FastAPI

from services.ingest import routes
from services.ingest.deps import IngestDeps, open_deps
from services.ingest.settings import IngestSettings
from shared.background import BackgroundLoops, every
from shared.health import ReadinessCheck, bucket_check, queue_check
from shared.metrics import INGEST_METRICS
from shared.service import create_service_app


def _checks(deps: IngestDeps, settings: IngestSettings) -> Mapping[str, ReadinessCheck]:
    return {
        "s3": bucket_check(deps.aws, settings.media_bucket),
        "sqs_moderation": queue_check(deps.aws, settings.moderation_queue),
    }


async def _start(app: FastAPI, stack: AsyncExitStack) -> None:
    """Start the sweep that announces what a crash left committed but unannounced."""
    deps: IngestDeps = app.state.deps
    settings: IngestSettings = app.state.settings
    loops = BackgroundLoops()
    loops.start(
        "announce-sweep",
        lambda stopping: every(
            settings.announce_sweep_seconds, deps.ingestor.announce_stragglers, stopping
        ),
    )
    stack.push_async_callback(loops.stop, settings.shutdown_grace_seconds)


def create_app(settings: IngestSettings, deps: IngestDeps | None = None) -> FastAPI:
    """Build the ingest app; ``deps`` replaces the real clients in tests."""
    app = create_service_app(
        title="One Frame Of Fame ingest",
        settings=settings,
        deps=deps,
        open_deps=open_deps,
        checks=_checks,
        start=_start,
        domain_metrics=INGEST_METRICS,
        tally_of=lambda deps: deps.tally,
    )
    app.include_router(routes.router)
    return app
