"""The renderer's background work, one list per process (the way arq lists cron jobs).

The renderer consumes verdicts, renders on its schedule and looks for newly imported
videos; an encoder worker consumes segment orders. Each job is a loop owned by the
lifespan (:func:`shared.background.start_jobs`) and stopped cleanly on shutdown.
"""

from __future__ import annotations

from services.renderer.deps import RendererDeps, WorkerDeps
from services.renderer.encoding.consumers import SegmentConsumer
from services.renderer.renders.consumers import VerdictConsumer
from services.renderer.settings import RendererSettings
from shared.background import Job, periodic
from shared.consumer import QueueConsumer

VIDEO_SCAN_SECONDS = 30.0
VERDICT_WAIT_SECONDS = 5
# An idle worker long-polls this long; an order it holds comes back to another worker
# this long after the worker died (one segment encodes in seconds, even at 1080p).
WORKER_WAIT_SECONDS = 10
WORKER_VISIBILITY_SECONDS = 120


def renderer_jobs(deps: RendererDeps, settings: RendererSettings) -> list[Job]:
    """The verdict consumer, the render schedule and the scan for imported videos."""
    renderer = deps.renderer
    verdicts = VerdictConsumer(renderer)
    consumer = QueueConsumer(
        deps.aws, settings.render_queue, verdicts, wait_seconds=VERDICT_WAIT_SECONDS
    )
    return [
        Job("render-consumer", consumer.run),
        Job("render-scheduler", renderer.run),
        periodic("video-scan", VIDEO_SCAN_SECONDS, renderer.note_new_videos),
    ]


def worker_jobs(deps: WorkerDeps, settings: RendererSettings) -> list[Job]:
    """The ``segments`` consumer: as many orders at a time as encoding processes."""
    consumer = QueueConsumer(
        deps.aws,
        settings.segments_queue,
        SegmentConsumer(deps.worker),
        wait_seconds=WORKER_WAIT_SECONDS,
        batch_size=settings.encode_processes,
        visibility_seconds=WORKER_VISIBILITY_SECONDS,
    )
    return [Job("segments-consumer", consumer.run)]
