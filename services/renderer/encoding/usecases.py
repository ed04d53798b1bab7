"""The encoding wing's use case: an encoder worker encodes a segment a coordinator ordered.

With fan-out on, a render's coordinator sends segment orders
(:class:`~services.renderer.encoding.fanout.SegmentOrder`) over the ``segments`` queue;
a worker (``python -m services.renderer worker``) runs :class:`SegmentWorker` on each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from services.renderer.encoding.fanout import SegmentOrder
from services.renderer.encoding.ports import SegmentEncoder
from shared.objects import ObjectStore
from shared.records import fragment_key


class SegmentWorker:
    """An encoder worker: encodes a segment a coordinator ordered and stores it once.

    The fragment is written under its content hash with ``If-None-Match: *``, its
    rung's init part first (the coordinator takes a stored fragment as done), so a
    duplicate message, or two workers on one order, store the same bytes once.
    """

    def __init__(
        self,
        store: ObjectStore,
        encoder: SegmentEncoder,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.encoder, self.now = store, encoder, now
        # Init parts this worker has stored: each is written once, not once per segment.
        self.inits_stored: set[str] = set()

    async def encode(self, order: SegmentOrder, expires_at: datetime) -> str:
        """Encode and store ``order``: ``encoded``, ``stored already`` or ``expired``."""
        key = fragment_key(order.video, f"{order.segment_hash}.m4s")
        if self.now() > expires_at:
            return "expired"  # its coordinator has encoded it itself by now
        if await self.store.exists(key):
            return "stored already"
        media, init = await self.encoder.encode(order)
        init_key = fragment_key(order.video, order.init_name)
        if init_key not in self.inits_stored:
            await self.store.create(init_key, init, "video/mp4")
            self.inits_stored.add(init_key)
        created = await self.store.create(key, media, "video/iso.segment")
        return "encoded" if created else "stored already"
