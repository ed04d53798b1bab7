"""Moderation's read API, as the gateway uses it for its pages."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from shared.errors import DependencyUnavailable, NotFound

Review = dict[str, Any]


class ReviewsClient(Protocol):
    """What moderation knows about submissions."""

    async def review(self, submission_id: str) -> Review:
        """One submission's review (NotFound if moderation has not seen it)."""

    async def recent(self, limit: int) -> list[Review]:
        """The latest approved photos, newest first."""

    async def of_slot(self, video: str, frame: int) -> list[Review]:
        """The approved photos of one slot, best first."""


class HttpReviewsClient:
    """:class:`ReviewsClient` over moderation's HTTP API (reads only, no retries)."""

    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            answer = await self.http.get(f"{self.base_url}{path}", params=params)
        except httpx.HTTPError as exc:
            raise DependencyUnavailable("moderation", "reviews are unavailable right now") from exc
        if answer.status_code == 404:
            raise NotFound("no review for that submission")
        if answer.status_code != 200:
            raise DependencyUnavailable("moderation", f"moderation answered {answer.status_code}")
        return answer.json()

    async def review(self, submission_id: str) -> Review:
        review: Review = await self._get(f"/reviews/{submission_id}")
        return review

    async def recent(self, limit: int) -> list[Review]:
        reviews: list[Review] = (await self._get("/reviews/recent", {"limit": limit}))["reviews"]
        return reviews

    async def of_slot(self, video: str, frame: int) -> list[Review]:
        reviews: list[Review] = (await self._get(f"/slots/{video}/{frame}/reviews"))["reviews"]
        return reviews
