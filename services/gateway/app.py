"""gateway's application factory: the wings' routers, the static files, the middleware
every answer passes through, and the periodic jobs the lifespan runs."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from services.gateway.console import routes as console
from services.gateway.contributors import routes as contributors
from services.gateway.deps import GatewayDeps, open_deps
from services.gateway.jobs import gateway_jobs
from services.gateway.settings import GatewaySettings
from services.gateway.visitors import routes as visitors
from services.gateway.web import routes as web
from services.gateway.web.middleware import ClientIdMiddleware
from services.gateway.web.security import BrowserSecurityMiddleware
from shared.health import ReadinessCheck, bucket_check
from shared.metrics import GATEWAY_METRICS
from shared.service import ServiceShell

# Every wing's routes (no path of one wing matches another's).
ROUTERS: tuple[APIRouter, ...] = (visitors.router, contributors.router, web.router, console.router)


def gateway_checks(deps: GatewayDeps, settings: GatewaySettings) -> Mapping[str, ReadinessCheck]:
    """The gateway is ready when its bucket answers."""
    # ingest and moderation are not readiness dependencies: when they are down the
    # gateway still serves pages and answers their routes with a clear 503.
    # Deps composed without AWS clients (tests of the pages) have nothing to check.
    return {"s3": bucket_check(deps.aws, settings.media_bucket)} if deps.aws else {}


GATEWAY: ServiceShell[GatewaySettings, GatewayDeps] = ServiceShell(
    "One Frame Of Fame gateway",
    open_deps,
    gateway_checks,
    gateway_jobs,
    routers=ROUTERS,
    domain_metrics=GATEWAY_METRICS,
    tally_of=lambda deps: deps.tally,
)


def create_app(settings: GatewaySettings, deps: GatewayDeps | None = None) -> FastAPI:
    """Build the gateway app; ``deps`` replaces the real clients in tests."""
    app = GATEWAY.app(settings, deps)
    app.mount("/static", StaticFiles(directory=web.STATIC), name="static")
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
