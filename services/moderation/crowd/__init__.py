"""The crowd wings: one adapter of the core's :class:`~services.moderation.reviews.ports.Crowd`
port per platform (:mod:`.crowdflower`, :mod:`.mturk`), the job memory both share
(:mod:`.jobs`), and :class:`CrowdChoice`, which sends each review to its platform.

A review stored before Mechanical Turk existed names no crowd: it is Crowdflower's. New
work goes to the configured platform; work already asked of a platform stays there
(each review records its crowd), so switching platforms strands nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.moderation.reviews.ports import Crowd, Receive, SpendTotal
from services.moderation.reviews.review import CrowdProvider, Review

# The platform of a review that names none (every review before Mechanical Turk).
UNNAMED = "crowdflower"


class CrowdChoice:
    """:class:`~services.moderation.reviews.ports.Crowd` over several platforms: each
    review's work where it was asked, new work to ``chosen``."""

    def __init__(self, crowds: Mapping[str, Crowd], chosen: str) -> None:
        self.crowds, self.chosen = crowds, crowds[chosen]

    def of(self, review: Review) -> Crowd:
        """The platform holding ``review``'s work (the chosen one for a new review; the
        chosen one too for a platform no longer configured)."""
        if not review.is_asked:
            return self.chosen
        name: CrowdProvider | str = review.crowd or UNNAMED
        return self.crowds.get(name, self.chosen)

    async def submit(self, review: Review) -> Review:
        """Ask the chosen platform about a new review."""
        return await self.of(review).submit(review)

    async def refresh(self, review: Review, receive: Receive) -> None:
        """Refresh ``review`` on its platform."""
        await self.of(review).refresh(review, receive)

    async def recover(self, receive: Receive) -> None:
        """Recover lost judgments from every platform."""
        for crowd in self.crowds.values():
            await crowd.recover(receive)

    async def settle(self, review: Review) -> None:
        """Settle ``review`` on its platform."""
        await self.of(review).settle(review)

    async def spend(self, video: str) -> SpendTotal:
        """The chosen platform's recorded spend for ``video``."""
        return await self.chosen.spend(video)

    async def healed(self) -> dict[str, int]:
        """Healings of every platform (one count per kind, kept in one place)."""
        return await self.chosen.healed()
