"""The core's queue adapter: the ``moderation`` queue's messages, handed to the moderator."""

from __future__ import annotations

import logging

from services.moderation.reviews.moderator import Moderator
from shared.consumer import MessageHandler
from shared.messages import SubmissionIngested, parse_message

log = logging.getLogger(__name__)


def ingest_handler(moderator: Moderator) -> MessageHandler:
    """The ``moderation`` queue's handler: each ``SubmissionIngested`` is reviewed once."""

    async def handle(body: str) -> None:
        await moderator.ingest(parse_message(body, SubmissionIngested))

    return handle
