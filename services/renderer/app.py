"""The renderer's shell: its app and its encoder worker's app, declared once each.

The renderer serves the core's routes and runs :func:`services.renderer.jobs.renderer_jobs`;
an encoder worker (fan-out) serves health endpoints only and runs
:func:`services.renderer.jobs.worker_jobs`.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from services.renderer.deps import RendererDeps, WorkerDeps, open_deps, open_worker_deps
from services.renderer.jobs import renderer_jobs, worker_jobs
from services.renderer.renders.routes import router
from services.renderer.settings import RendererSettings
from shared.health import ReadinessCheck, bucket_check, queue_check, table_check
from shared.metrics import RENDERER_METRICS
from shared.service import ServiceShell


def renderer_checks(deps: RendererDeps, settings: RendererSettings) -> Mapping[str, ReadinessCheck]:
    """The renderer is ready when its queues, its bucket and its table answer."""
    checks = {
        "sqs_render": queue_check(deps.aws, settings.render_queue),
        "s3": bucket_check(deps.aws, settings.media_bucket),
        "dynamodb_slots": table_check(deps.aws, settings.slots_table),
    }
    if settings.fan_out:
        checks["sqs_segments"] = queue_check(deps.aws, settings.segments_queue)
    return checks


def worker_checks(deps: WorkerDeps, settings: RendererSettings) -> Mapping[str, ReadinessCheck]:
    """An encoder worker is ready when the segments queue and the bucket answer."""
    return {
        "sqs_segments": queue_check(deps.aws, settings.segments_queue),
        "s3": bucket_check(deps.aws, settings.media_bucket),
    }


RENDERER: ServiceShell[RendererSettings, RendererDeps] = ServiceShell(
    "One Frame Of Fame renderer",
    open_deps,
    renderer_checks,
    renderer_jobs,
    routers=[router],
    domain_metrics=RENDERER_METRICS,
    tally_of=lambda deps: deps.renderer.tally,
)
ENCODER_WORKER: ServiceShell[RendererSettings, WorkerDeps] = ServiceShell(
    "One Frame Of Fame encoder worker", open_worker_deps, worker_checks, worker_jobs
)


def create_app(settings: RendererSettings, deps: RendererDeps | None = None) -> FastAPI:
    """Build the renderer app; ``deps`` replaces the real clients in tests."""
    return RENDERER.app(settings, deps)


def create_worker_app(settings: RendererSettings, deps: WorkerDeps | None = None) -> FastAPI:
    """An encoder worker: the ``segments`` consumer behind health endpoints only."""
    return ENCODER_WORKER.app(settings, deps)
