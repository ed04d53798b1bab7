"""gateway's application factory: the wings' routers, the static files, the middleware
every answer passes through, and the periodic jobs the lifespan runs."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import AsyncExitStack

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from services.gateway.console import routes as console
from services.gateway.contributors import routes as contributors
from services.gateway.deps import GatewayDeps, open_deps
from services.gateway.jobs import PeriodicJob, periodic_jobs
from services.gateway.settings import GatewaySettings
from services.gateway.visitors import routes as visitors
from services.gateway.web import routes as web
from services.gateway.web.middleware import ClientIdMiddleware
from services.gateway.web.security import BrowserSecurityMiddleware
from shared.background import BackgroundLoops, Loop, every
from shared.health import ReadinessCheck, bucket_check
from shared.metrics import GATEWAY_METRICS
from shared.service import create_service_app

# Every wing's routes (no path of one wing matches another's).
ROUTERS: tuple[APIRouter, ...] = (visitors.router, contributors.router, web.router, console.router)


def _checks(deps: GatewayDeps, settings: GatewaySettings) -> Mapping[str, ReadinessCheck]:
    # ingest and moderation are not readiness dependencies: when they are down the
    # gateway still serves pages and answers their routes with a clear 503.
    # Deps composed without AWS clients (tests of the pages) have nothing to check.
    return {"s3": bucket_check(deps.aws, settings.media_bucket)} if deps.aws else {}


async def _start(app: FastAPI, stack: AsyncExitStack) -> None:
    """Run the periodic jobs (``services.gateway.jobs``) until shutdown."""
    jobs = periodic_jobs(app.state.deps, app.state.settings)
    if not jobs:
        return
    loops = BackgroundLoops()
    for job in jobs:
        loops.start(job.name, _loop_of(job))
    settings: GatewaySettings = app.state.settings
    stack.push_async_callback(loops.stop, settings.shutdown_grace_seconds)


def _loop_of(job: PeriodicJob) -> Loop:
    async def loop(stopping: asyncio.Event) -> None:
        await every(job.interval_seconds, job.work, stopping)

    return loop


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
