"""The renderer's queue adapters: the ``render`` queue's and the ``segments`` queue's."""

from __future__ import annotations

import logging
import time

from services.renderer.fanout import order_of
from services.renderer.usecases import Renderer, SegmentWorker
from shared.messages import SegmentRequested, SubmissionModerated, parse_message

log = logging.getLogger(__name__)


class VerdictConsumer:
    """Each ``SubmissionModerated`` body becomes a recorded verdict (safe to run twice)."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    async def __call__(self, body: str) -> None:
        """Handle one ``render`` queue message body."""
        await self.renderer.record_verdict(parse_message(body, SubmissionModerated))


class SegmentConsumer:
    """Each ``SegmentRequested`` body is encoded and stored (safe to run twice)."""

    def __init__(self, worker: SegmentWorker) -> None:
        self.worker = worker

    async def __call__(self, body: str) -> None:
        """Handle one ``segments`` queue message body."""
        message = parse_message(body, SegmentRequested)
        started = time.perf_counter()
        outcome = await self.worker.encode(order_of(message), message.expires_at)
        log.info(
            "segment %s",
            outcome,
            extra={
                "video": message.video,
                "segment": message.segment_hash,
                "height": message.height,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
