"""Moderation's reviews API, as the gateway's pages read it and a visitor withdraws a photo."""

from __future__ import annotations

from urllib.parse import quote

from services.gateway.core.adapters.service_client import Params, ServiceClient
from shared.errors import NotFound
from shared.records import ReviewList, ReviewView

LIST_ROUTE = "recent"


def _q(part: str) -> str:
    return quote(part, safe="")


class HttpModerationReviews:
    """:class:`~services.gateway.core.ports.ReviewsReader` and
    :class:`~services.gateway.contributors.ports.ContributorReviews` over moderation's API.

    No retries: the showcase serves its last good answer instead.
    """

    def __init__(self, calls: ServiceClient) -> None:
        self.calls = calls

    async def review(self, submission_id: str) -> ReviewView:
        # Moderation's /reviews/recent is its list: no review can be read by that id.
        if submission_id == LIST_ROUTE:
            raise NotFound("no review for that submission")
        return await self.calls.get(f"/reviews/{_q(submission_id)}", ReviewView)

    async def recent(self, limit: int) -> list[ReviewView]:
        return await self._list(f"/reviews/{LIST_ROUTE}", {"limit": limit})

    async def of_slot(self, video: str, frame: int) -> list[ReviewView]:
        return await self._list(f"/slots/{video}/{frame}/reviews")

    async def of_client(self, client_id: str) -> list[ReviewView]:
        return await self._list(f"/clients/{_q(client_id)}/reviews")

    async def credits(self, video: str) -> list[ReviewView]:
        return await self._list(f"/videos/{_q(video)}/credits")

    async def delete(self, client_id: str, submission_id: str) -> ReviewView:
        path = f"/clients/{_q(client_id)}/reviews/{_q(submission_id)}"
        return await self.calls.delete(path, ReviewView)

    async def _list(self, path: str, params: Params | None = None) -> list[ReviewView]:
        return (await self.calls.get(path, ReviewList, params)).reviews
