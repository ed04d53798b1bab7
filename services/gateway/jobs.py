"""The gateway's periodic jobs, listed once (the way arq lists its ``cron_jobs``); the
app's lifespan runs each under :class:`~shared.background.BackgroundLoops`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.gateway.deps import GatewayDeps
from services.gateway.settings import GatewaySettings


@dataclass(frozen=True)
class PeriodicJob:
    """``work`` run now and then every ``interval_seconds`` until shutdown."""

    name: str
    interval_seconds: float
    work: Callable[[], Awaitable[object]]


def periodic_jobs(deps: GatewayDeps, settings: GatewaySettings) -> list[PeriodicJob]:
    """Every periodic job of a gateway with ``deps``; a job whose interval is 0 is off."""
    jobs = [
        # The queue-depth gauges, so the dead-letter alert does not wait for an operator
        # to open the console.
        PeriodicJob("queue-gauges", settings.queue_gauge_seconds, deps.console.queue_depths),
    ]
    return [job for job in jobs if job.interval_seconds > 0]
