"""moderation's application factory."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from services.moderation.deps import ModerationDeps, open_deps
from services.moderation.settings import ModerationSettings
from shared.health import ReadinessCheck, queue_check, table_check
from shared.service import create_service_app


def _checks(deps: ModerationDeps, settings: ModerationSettings) -> Mapping[str, ReadinessCheck]:
    return {
        "sqs_moderation": queue_check(deps.aws, settings.moderation_queue),
        "sqs_frames": queue_check(deps.aws, settings.frames_queue),
        "sqs_render": queue_check(deps.aws, settings.render_queue),
        "dynamodb_reviews": table_check(deps.aws, settings.reviews_table),
    }


def create_app(settings: ModerationSettings, deps: ModerationDeps | None = None) -> FastAPI:
    """Build the moderation app; ``deps`` replaces the real clients in tests."""
    return create_service_app(
        title="One Frame Of Fame moderation",
        settings=settings,
        deps=deps,
        open_deps=open_deps,
        checks=_checks,
    )
