"""renderer's application factory."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from services.renderer.deps import RendererDeps, open_deps
from services.renderer.settings import RendererSettings
from shared.health import ReadinessCheck, bucket_check, queue_check, table_check
from shared.service import create_service_app


def _checks(deps: RendererDeps, settings: RendererSettings) -> Mapping[str, ReadinessCheck]:
    return {
        "sqs_render": queue_check(deps.aws, settings.render_queue),
        "s3": bucket_check(deps.aws, settings.media_bucket),
        "dynamodb_slots": table_check(deps.aws, settings.slots_table),
    }


def create_app(settings: RendererSettings, deps: RendererDeps | None = None) -> FastAPI:
    """Build the renderer app; ``deps`` replaces the real clients in tests."""
    return create_service_app(
        title="One Frame Of Fame renderer",
        settings=settings,
        deps=deps,
        open_deps=open_deps,
        checks=_checks,
    )
