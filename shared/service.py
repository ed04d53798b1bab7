"""The skeleton every service's ``create_app`` and ``__main__`` share.

One place wires middleware (request id, metrics), the error handlers, the health router
and the lifespan (deps opened once, background jobs started and stopped), and one place
runs uvicorn with the graceful-shutdown bound from settings. A service declares its
shell once as a :class:`ServiceShell` in its ``app.py``: its title, how its deps open,
its readiness checks, its jobs (listed in its ``jobs.py``), its routers and metrics.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from prometheus_client import CollectorRegistry

from shared.apidocs import install_api_docs
from shared.background import Job, start_jobs
from shared.correlation import RequestIdMiddleware
from shared.errors import install_error_handlers
from shared.health import ReadinessCheck, health_router
from shared.listeners import ListenerLimits, bounded_protocol
from shared.logs import configure_logging
from shared.metrics import (
    DomainMetric,
    MetricsMiddleware,
    RequestMetrics,
    Tally,
    TallyCollector,
)
from shared.settings import ServiceSettings

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)
DepsT = TypeVar("DepsT")
# Opens a service's real clients; they close when the stack does.
OpenDeps = Callable[[SettingsT, AsyncExitStack], Awaitable[DepsT]]
Checks = Callable[[DepsT, SettingsT], Mapping[str, ReadinessCheck]]
# A service's background work, from its opened deps (see ``shared.background.Job``).
Jobs = Callable[[DepsT, SettingsT], Sequence[Job]]


@dataclass(frozen=True)
class ServiceShell(Generic[SettingsT, DepsT]):
    """What one service's app is made of, declared once; :meth:`app` builds the app.

    ``stop_seconds_of`` bounds how long jobs may take to stop (default: the settings'
    ``shutdown_grace_seconds``).
    """

    title: str
    open_deps: OpenDeps[SettingsT, DepsT]
    checks: Checks[DepsT, SettingsT]
    jobs: Jobs[DepsT, SettingsT] | None = None
    routers: Sequence[APIRouter] = ()
    domain_metrics: Sequence[DomainMetric] = ()
    tally_of: Callable[[DepsT], Tally] | None = None
    stop_seconds_of: Callable[[SettingsT], float] | None = None

    def app(self, settings: SettingsT, deps: DepsT | None = None) -> FastAPI:
        """The service's app; ``deps`` replaces the real clients in tests."""
        app = create_service_app(
            title=self.title,
            settings=settings,
            deps=deps,
            open_deps=self.open_deps,
            checks=self.checks,
            jobs=self.jobs,
            stop_seconds=(self.stop_seconds_of or _grace_seconds)(settings),
            domain_metrics=self.domain_metrics,
            tally_of=self.tally_of,
        )
        for router in self.routers:
            app.include_router(router)
        return app


def _grace_seconds(settings: ServiceSettings) -> float:
    return settings.shutdown_grace_seconds


def create_service_app(
    *,
    title: str,
    settings: SettingsT,
    deps: DepsT | None,
    open_deps: OpenDeps[SettingsT, DepsT],
    checks: Checks[DepsT, SettingsT],
    jobs: Jobs[DepsT, SettingsT] | None = None,
    stop_seconds: float = 0.0,
    domain_metrics: Sequence[DomainMetric] = (),
    tally_of: Callable[[DepsT], Tally] | None = None,
) -> FastAPI:
    """A FastAPI app with our lifespan, middleware, error handlers, health endpoints and /docs.

    The lifespan uses ``deps`` when given (tests pass fakes) or opens the real ones,
    stores them as ``app.state.deps`` (and ``settings`` as ``app.state.settings``),
    then runs ``jobs`` until it ends, giving them ``stop_seconds`` to stop.
    ``domain_metrics`` are exposed on ``/metrics`` beside the HTTP ones, read from the
    :class:`~shared.metrics.Tally` that ``tally_of`` finds in the deps.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            app.state.deps = deps if deps is not None else await open_deps(settings, stack)
            if jobs is not None:
                start_jobs(jobs(app.state.deps, settings), stack, stop_seconds)
            yield

    # /docs is served from local files (no CDN); ReDoc is off (see shared.apidocs).
    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None)
    install_api_docs(app, title)
    app.state.settings = settings
    registry = CollectorRegistry()
    metrics = RequestMetrics(registry)
    if domain_metrics and tally_of is not None:
        find_tally = tally_of

        def current_tally() -> Tally | None:
            deps = getattr(app.state, "deps", None)
            return find_tally(deps) if deps is not None else None

        registry.register(TallyCollector(current_tally, domain_metrics))
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    # Added last so it runs first: every log line and error answer has the id.
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)
    app.include_router(
        health_router(
            lambda: checks(app.state.deps, settings),
            registry,
            settings.readiness_timeout_seconds,
        )
    )
    return app


def app_state(name: str) -> Callable[[Request], Any]:
    """A FastAPI dependency returning ``request.app.state.<name>``."""

    def dependency(request: Request) -> Any:
        return getattr(request.app.state, name)

    return dependency


def serve(
    service: str,
    app: FastAPI,
    settings: ServiceSettings,
    *,
    forwarded_allow_ips: list[str] | None = None,
) -> None:
    """Run ``app`` under uvicorn until SIGTERM/SIGINT, then drain for a bounded time.

    ``forwarded_allow_ips`` are the peers whose ``X-Forwarded-*`` headers uvicorn
    believes (None: uvicorn's default, loopback only). The listener refuses oversized
    or slow request heads and slow bodies (``shared.listeners``).
    """
    configure_logging(service, settings.log_level)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        lifespan="on",
        forwarded_allow_ips=forwarded_allow_ips,
        # Head size and head/body time bounds on every listener (shared.listeners).
        http=bounded_protocol(ListenerLimits.of(settings)),
    )
    uvicorn.Server(config).run()
