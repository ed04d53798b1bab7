"""ingest's shell: its app, declared once (routes, readiness, the jobs of ``jobs.py``)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from services.ingest import routes
from services.ingest.deps import IngestDeps, open_deps
from services.ingest.jobs import ingest_jobs
from services.ingest.settings import IngestSettings
from shared.health import ReadinessCheck, bucket_check, queue_check
from shared.metrics import INGEST_METRICS
from shared.service import ServiceShell


def ingest_checks(deps: IngestDeps, settings: IngestSettings) -> Mapping[str, ReadinessCheck]:
    """ingest is ready when the bucket and the ``moderation`` queue answer."""
    return {
        "s3": bucket_check(deps.aws, settings.media_bucket),
        "sqs_moderation": queue_check(deps.aws, settings.moderation_queue),
    }


INGEST: ServiceShell[IngestSettings, IngestDeps] = ServiceShell(
    "One Frame Of Fame ingest",
    open_deps,
    ingest_checks,
    ingest_jobs,
    routers=[routes.router],
    domain_metrics=INGEST_METRICS,
    tally_of=lambda deps: deps.tally,
)


def create_app(settings: IngestSettings, deps: IngestDeps | None = None) -> FastAPI:
    """Build the ingest app; ``deps`` replaces the real clients in tests."""
    return INGEST.app(settings, deps)
