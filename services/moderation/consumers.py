"""moderation's queue adapter: the ``moderation`` queue's messages, handed to the use case."""

from __future__ import annotations

from services.moderation.usecases import Moderator
from shared.consumer import MessageHandler
from shared.messages import SubmissionIngested, parse_message


def ingest_handler(moderator: Moderator) -> MessageHandler:
    """The ``moderation`` queue's handler: each ``SubmissionIngested`` is reviewed once."""

    async def handle(body: str) -> None:
        await moderator.ingest(parse_message(body, SubmissionIngested))

    return handle
