"""The Mechanical Turk wing's queue adapter: notifications, handed to the wing's work."""

from __future__ import annotations

import logging
from collections import OrderedDict

from services.moderation.crowd.mturk.notifications import parse_notification
from services.moderation.crowd.mturk.work import HitWork
from services.moderation.reviews.ports import Receive
from shared.consumer import MessageHandler

log = logging.getLogger(__name__)
# Event documents remembered for de-duplication (handling one twice is harmless too).
SEEN_EVENT_DOCS = 10_000


def notification_handler(work: HitWork, receive: Receive) -> MessageHandler:
    """The ``mturk`` queue's handler: each notified HIT's answers go to ``receive``.

    A document seen before (its ``EventDocId``) is skipped; one that arrives again
    after leaving this memory is collected again, which changes nothing.
    """
    seen: OrderedDict[str, None] = OrderedDict()

    async def handle(body: str) -> None:
        notification = parse_notification(body)
        if notification.EventDocId in seen:
            log.info("duplicate notification", extra={"event_doc": notification.EventDocId})
            return
        for hit_id in notification.hit_ids():
            await work.collect(hit_id, receive)
        seen[notification.EventDocId] = None
        if len(seen) > SEEN_EVENT_DOCS:
            seen.popitem(last=False)

    return handle
