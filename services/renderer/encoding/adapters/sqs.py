"""``SqsSegmentFarm``: the :class:`SegmentFarm` port over the ``segments`` queue and S3.

The coordinator sends one :class:`SegmentRequested` per segment to encode. Workers
report by writing the fragment under its content hash (``fragments/{video}/{hash}.m4s``,
its rung's init part beside it, first); the coordinator lists that folder every
``poll_seconds`` and downloads each fragment as it appears. Fragments already stored
(by an earlier coordinator, or a duplicate message) count at once, so none is sent.
Once fragments stop arriving for several times their pace so far, the orders still
pending are sent once more (backup orders for a held or lost message; duplicates are
harmless). While fragments keep arriving the coordinator keeps waiting; once none has
arrived for ``stall_seconds`` (dead or missing workers) it hands the rest back to be
encoded locally. A late worker still writes its fragment: harmless, the key is written once and
the next render's prune deletes what its clip does not use.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.renderer.encoding.fanout import EncodeJob, message_of
from shared.objects import ObjectStore
from shared.queues import QueueSender
from shared.records import fragment_key, fragments_prefix

DOWNLOADS_IN_FLIGHT = 16
# Pending orders are sent again once no fragment has come for this many times the
# average time between fragments so far (and at least TAIL_MIN_SECONDS).
TAIL_PACES = 5
TAIL_MIN_SECONDS = 1.0


class SqsSegmentFarm:
    """Encoder workers reached through the ``segments`` queue; fragments come back via S3."""

    def __init__(
        self,
        queues: QueueSender,
        store: ObjectStore,
        queue: str,
        *,
        stall_seconds: float,
        poll_seconds: float,
        order_ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queues, self.store, self.queue = queues, store, queue
        self.stall_seconds = stall_seconds
        self.poll_seconds = poll_seconds
        self.order_ttl_seconds = order_ttl_seconds
        self.clock = clock
        self.limit = asyncio.Semaphore(DOWNLOADS_IN_FLIGHT)
        # The last listing of each video's fragments, reused by the prune that follows.
        self._listed: dict[str, dict[str, str]] = {}

    async def encode(self, jobs: list[EncodeJob]) -> list[EncodeJob]:
        """Send what is not stored yet, collect fragments until done or stalled."""
        video = jobs[0].order.video
        pending = {job.media_path.name: job for job in jobs}
        await self._collect(video, pending)
        if pending:
            await self._send(pending)
        sent_at = last_progress = self.clock()
        arrived, resent = 0, False
        while pending and self.clock() - last_progress < self.stall_seconds:
            await asyncio.sleep(self.poll_seconds)
            if got := await self._collect(video, pending):
                arrived, last_progress, resent = arrived + got, self.clock(), False
            elif not resent and self._is_tail_late(arrived, sent_at, last_progress):
                await self._send(pending)
                resent = True
        return list(pending.values())

    def _is_tail_late(self, arrived: int, sent_at: float, last_progress: float) -> bool:
        """True when fragments came in and then stopped for far longer than their pace.

        A held order (its worker died, or a receive was lost) would otherwise wait out
        its visibility timeout; sent again, the next free worker takes it at once
        (backup orders: a duplicate fragment is harmless).
        """
        if not arrived:
            return False
        pace = (last_progress - sent_at) / arrived
        return self.clock() - last_progress > max(TAIL_PACES * pace, TAIL_MIN_SECONDS)

    async def _send(self, pending: dict[str, EncodeJob]) -> None:
        expires = datetime.now(UTC) + timedelta(seconds=self.order_ttl_seconds)
        orders = [message_of(job.order, expires) for job in pending.values()]
        await self.queues.send_batch(self.queue, orders)

    async def _collect(self, video: str, pending: dict[str, EncodeJob]) -> int:
        """Download every pending fragment now stored; return how many arrived."""
        stored = await self.store.etags(fragments_prefix(video))
        self._listed[video] = stored
        arrived = [job for name, job in pending.items() if fragment_key(video, name) in stored]
        await asyncio.gather(*(self._fetch(video, job, stored) for job in arrived))
        for job in arrived:
            del pending[job.media_path.name]
        return len(arrived)

    async def _fetch(self, video: str, job: EncodeJob, stored: dict[str, str]) -> None:
        async with self.limit:
            init = fragment_key(video, job.init_path.name)
            if init in stored and not job.init_path.exists():
                await self._download(init, job.init_path)
            await self._download(fragment_key(video, job.media_path.name), job.media_path)

    async def _download(self, key: str, path: Path) -> None:
        # Through a scratch file: a segment file on disk means a whole fragment.
        scratch = path.with_name(f"{path.name}.{uuid.uuid4().hex}.download")
        await self.store.download(key, scratch)
        await asyncio.to_thread(scratch.replace, path)

    async def prune(self, video: str, keep: set[str]) -> None:
        """Delete the stored fragments and init parts of ``video`` not named in ``keep``.

        Right after :meth:`encode` its last listing serves (one LIST less on the path of
        every render); a fragment stored after it is pruned by the next render.
        """
        stored = self._listed.pop(video, None)
        if stored is None:
            stored = await self.store.etags(fragments_prefix(video))
        stale = sorted(key for key in stored if key.rsplit("/", 1)[-1] not in keep)
        if stale:
            await self.store.delete(stale)
