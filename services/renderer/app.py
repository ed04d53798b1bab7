"""renderer's application factory: routes, the verdict consumer and the render loop."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AsyncExitStack

from fastapi import FastAPI

from services.renderer.deps import RendererDeps, WorkerDeps, open_deps, open_worker_deps
from services.renderer.encoding.consumers import SegmentConsumer
from services.renderer.renders.consumers import VerdictConsumer
from services.renderer.renders.routes import router
from services.renderer.settings import RendererSettings
from shared.background import BackgroundLoops, every
from shared.consumer import QueueConsumer
from shared.health import ReadinessCheck, bucket_check, queue_check, table_check
from shared.metrics import RENDERER_METRICS
from shared.service import create_service_app

VIDEO_SCAN_SECONDS = 30.0
# An idle worker long-polls this long; an order it holds comes back to another worker
# this long after the worker died (one segment encodes in seconds, even at 1080p).
WORKER_WAIT_SECONDS = 10
WORKER_VISIBILITY_SECONDS = 120


def _checks(deps: RendererDeps, settings: RendererSettings) -> Mapping[str, ReadinessCheck]:
    checks = {
        "sqs_render": queue_check(deps.aws, settings.render_queue),
        "s3": bucket_check(deps.aws, settings.media_bucket),
        "dynamodb_slots": table_check(deps.aws, settings.slots_table),
    }
    if settings.fan_out:
        checks["sqs_segments"] = queue_check(deps.aws, settings.segments_queue)
    return checks


def _worker_checks(deps: WorkerDeps, settings: RendererSettings) -> Mapping[str, ReadinessCheck]:
    return {
        "sqs_segments": queue_check(deps.aws, settings.segments_queue),
        "s3": bucket_check(deps.aws, settings.media_bucket),
    }


async def _start(app: FastAPI, stack: AsyncExitStack) -> None:
    """Start the verdict consumer, the render loop and the scan for imported videos."""
    deps: RendererDeps = app.state.deps
    settings: RendererSettings = app.state.settings
    loops = BackgroundLoops()
    renderer = deps.renderer
    consumer = QueueConsumer(
        deps.aws, settings.render_queue, VerdictConsumer(renderer), wait_seconds=5
    )
    loops.start("render-consumer", consumer.run)
    loops.start("render-scheduler", renderer.run)
    loops.start(
        "video-scan",
        lambda stopping: every(VIDEO_SCAN_SECONDS, renderer.note_new_videos, stopping),
    )
    stack.push_async_callback(loops.stop, settings.shutdown_grace_seconds)


def create_app(settings: RendererSettings, deps: RendererDeps | None = None) -> FastAPI:
    """Build the renderer app; ``deps`` replaces the real clients in tests."""
    app = create_service_app(
        title="One Frame Of Fame renderer",
        settings=settings,
        deps=deps,
        open_deps=open_deps,
        checks=_checks,
        start=_start,
        domain_metrics=RENDERER_METRICS,
        tally_of=lambda deps: deps.renderer.tally,
    )
    app.include_router(router)
    return app


async def _start_worker(app: FastAPI, stack: AsyncExitStack) -> None:
    """Start the ``segments`` consumer: as many orders at a time as encoding processes."""
    deps: WorkerDeps = app.state.deps
    settings: RendererSettings = app.state.settings
    loops = BackgroundLoops()
    consumer = QueueConsumer(
        deps.aws,
        settings.segments_queue,
        SegmentConsumer(deps.worker),
        wait_seconds=WORKER_WAIT_SECONDS,
        batch_size=settings.encode_processes,
        visibility_seconds=WORKER_VISIBILITY_SECONDS,
    )
    loops.start("segments-consumer", consumer.run)
    stack.push_async_callback(loops.stop, settings.shutdown_grace_seconds)


def create_worker_app(settings: RendererSettings, deps: WorkerDeps | None = None) -> FastAPI:
    """An encoder worker: the ``segments`` consumer behind health endpoints only."""
    return create_service_app(
        title="One Frame Of Fame encoder worker",
        settings=settings,
        deps=deps,
        open_deps=open_worker_deps,
        checks=_worker_checks,
        start=_start_worker,
    )
