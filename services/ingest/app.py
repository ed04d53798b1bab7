"""ingest's application factory."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from services.ingest import routes
from services.ingest.deps import IngestDeps, open_deps
from services.ingest.settings import IngestSettings
from shared.health import ReadinessCheck, bucket_check, queue_check
from shared.service import create_service_app


def _checks(deps: IngestDeps, settings: IngestSettings) -> Mapping[str, ReadinessCheck]:
    return {
        "s3": bucket_check(deps.aws, settings.media_bucket),
        "sqs_frames": queue_check(deps.aws, settings.frames_queue),
        "sqs_moderation": queue_check(deps.aws, settings.moderation_queue),
    }


def create_app(settings: IngestSettings, deps: IngestDeps | None = None) -> FastAPI:
    """Build the ingest app; ``deps`` replaces the real clients in tests."""
    app = create_service_app(
        title="One Frame Of Fame ingest",
        settings=settings,
        deps=deps,
        open_deps=open_deps,
        checks=_checks,
    )
    app.include_router(routes.router)
    return app
