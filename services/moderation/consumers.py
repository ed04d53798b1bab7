"""moderation's queue adapters: each queue's messages, handed to the use case."""

from __future__ import annotations

import logging
from collections import OrderedDict

from services.moderation.payloads import parse_notification
from services.moderation.usecases import Moderator
from shared.consumer import MessageHandler
from shared.messages import SubmissionIngested, parse_message

log = logging.getLogger(__name__)
# Event documents remembered for de-duplication (handling one twice is harmless too).
SEEN_EVENT_DOCS = 10_000


def ingest_handler(moderator: Moderator) -> MessageHandler:
    """The ``moderation`` queue's handler: each ``SubmissionIngested`` is reviewed once."""

    async def handle(body: str) -> None:
        await moderator.ingest(parse_message(body, SubmissionIngested))

    return handle


def mturk_handler(moderator: Moderator) -> MessageHandler:
    """The ``mturk`` queue's handler: each notified HIT's answers are collected.

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
            await moderator.receive_hit(hit_id)
        seen[notification.EventDocId] = None
        if len(seen) > SEEN_EVENT_DOCS:
            seen.popitem(last=False)

    return handle
