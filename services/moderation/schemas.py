"""moderation's HTTP schemas, named by role.

The read API answers with :class:`shared.records.ReviewView` and
:class:`shared.records.ReviewList`: the gateway parses those, so they live in ``shared``.
"""

from __future__ import annotations

from pydantic import BaseModel

from services.moderation.usecases import Outcome


class WebhookTaken(BaseModel):
    """What a webhook delivery did: ``decided``, ``pending`` (no quorum yet) or ``ignored``."""

    outcome: Outcome
