"""gateway's application factory."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.gateway.deps import GatewayDeps, open_deps
from services.gateway.routes import ROUTERS
from services.gateway.routes.cookies import ClientIdMiddleware
from services.gateway.routes.pages import STATIC
from services.gateway.routes.security import BrowserSecurityMiddleware
from services.gateway.settings import GatewaySettings
from shared.health import ReadinessCheck, bucket_check
from shared.service import create_service_app


def _checks(deps: GatewayDeps, settings: GatewaySettings) -> Mapping[str, ReadinessCheck]:
    # ingest and moderation are not readiness dependencies: when they are down the
    # gateway still serves pages and answers their routes with a clear 503.
    return {
        "s3": bucket_check(deps.aws, settings.media_bucket),
    }


def create_app(settings: GatewaySettings, deps: GatewayDeps | None = None) -> FastAPI:
    """Build the gateway app; ``deps`` replaces the real clients in tests."""
    app = create_service_app(
        title="One Frame Of Fame gateway",
        settings=settings,
        deps=deps,
        open_deps=open_deps,
        checks=_checks,
    )
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    featured = settings.featured_player == "vimeo"
    app.add_middleware(
        BrowserSecurityMiddleware, frame_origins=(settings.vimeo_player_origin,) if featured else ()
    )
    app.add_middleware(
        ClientIdMiddleware,
        max_age_seconds=settings.client_cookie_max_age_seconds,
        secure=settings.cookie_secure,
    )
    return app
