"""The gateway's periodic jobs, listed once (the way arq lists its ``cron_jobs``); the
app's lifespan runs them (:func:`shared.background.start_jobs`)."""

from __future__ import annotations

from services.gateway.deps import GatewayDeps
from services.gateway.settings import GatewaySettings
from shared.background import Job, periodic


def gateway_jobs(deps: GatewayDeps, settings: GatewaySettings) -> list[Job]:
    """Every periodic job of a gateway with ``deps``; a job whose interval is 0 is off."""
    if settings.queue_gauge_seconds <= 0:
        return []
    # The queue-depth gauges, so the dead-letter alert does not wait for an operator
    # to open the console.
    return [periodic("queue-gauges", settings.queue_gauge_seconds, deps.console.queue_depths)]
