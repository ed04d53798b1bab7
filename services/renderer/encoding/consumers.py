"""The encoding wing's queue adapter: the ``segments`` queue's orders, on a worker."""

from __future__ import annotations

import logging
import time

from services.renderer.encoding.fanout import order_of
from services.renderer.encoding.usecases import SegmentWorker
from shared.messages import SegmentRequested, parse_message

log = logging.getLogger(__name__)


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
