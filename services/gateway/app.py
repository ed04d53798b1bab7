"""gateway's application factory."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AsyncExitStack

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.gateway.deps import GatewayDeps, open_deps
from services.gateway.routes import ROUTERS
from services.gateway.routes.cookies import ClientIdMiddleware
from services.gateway.routes.pages import STATIC
from services.gateway.routes.security import BrowserSecurityMiddleware
from services.gateway.settings import GatewaySettings
from shared.background import BackgroundLoops, every
from shared.health import ReadinessCheck, bucket_check
from shared.metrics import GATEWAY_METRICS
from shared.service import create_service_app


def _checks(deps: GatewayDeps, settings: GatewaySettings) -> Mapping[str, ReadinessCheck]:
    # ingest and moderation are not readiness dependencies: when they are down the
    # gateway still serves pages and answers their routes with a clear 503.
    return {
        "s3": bucket_check(deps.aws, settings.media_bucket),
    }


async def _start(app: FastAPI, stack: AsyncExitStack) -> None:
    """Refresh the queue-depth gauges in the background, so the dead-letter alert does
    not wait for an operator to open the console."""
    deps: GatewayDeps = app.state.deps
    settings: GatewaySettings = app.state.settings
    console = deps.console
    if console is None or settings.queue_gauge_seconds <= 0:
        return
    loops = BackgroundLoops()
    loops.start(
        "queue-gauges",
        lambda stopping: every(settings.queue_gauge_seconds, console.queue_depths, stopping),
    )
    stack.push_async_callback(loops.stop, settings.shutdown_grace_seconds)


def create_app(settings: GatewaySettings, deps: GatewayDeps | None = None) -> FastAPI:
    """Build the gateway app; ``deps`` replaces the real clients in tests."""
    app = create_service_app(
        title="One Frame Of Fame gateway",
        settings=settings,
        deps=deps,
        open_deps=open_deps,
        checks=_checks,
        start=_start,
        domain_metrics=GATEWAY_METRICS,
        tally_of=lambda deps: deps.tally,
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
