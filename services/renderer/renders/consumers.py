"""The core's queue adapter: the ``render`` queue's verdicts."""

from __future__ import annotations

from services.renderer.renders.usecases import Renderer
from shared.messages import SubmissionModerated, parse_message


class VerdictConsumer:
    """Each ``SubmissionModerated`` body becomes a recorded verdict (safe to run twice)."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    async def __call__(self, body: str) -> None:
        """Handle one ``render`` queue message body."""
        await self.renderer.record_verdict(parse_message(body, SubmissionModerated))
