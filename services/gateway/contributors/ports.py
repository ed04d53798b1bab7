"""The contributors' ports: what a visitor's own frames, sharing and the credits need.

The adapter of :class:`ContributorReviews` is moderation's reviews API
(:class:`~services.gateway.core.adapters.moderation_reviews.HttpModerationReviews`); the
in-memory fakes are in ``tests/fakes/gateway.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.objects import ObjectStore
from shared.records import ReviewView


class ContributorReviews(Protocol):
    """What moderation knows about one visitor's photos and a video's credits."""

    async def review(self, submission_id: str) -> ReviewView:
        """One submission's review (NotFound if moderation has not seen it)."""

    async def of_client(self, client_id: str) -> list[ReviewView]:
        """Every submission of one visitor moderation knows, newest first."""

    async def credits(self, video: str) -> list[ReviewView]:
        """The approved photo each slot of ``video`` shows, in frame order."""

    async def delete(self, client_id: str, submission_id: str) -> ReviewView:
        """Withdraw the visitor's own submission (NotFound for anyone else's)."""


@dataclass(frozen=True)
class ContributorPorts:
    """What the contributors' use cases run over (besides the showcase); tests build fakes."""

    reviews: ContributorReviews
    objects: ObjectStore
