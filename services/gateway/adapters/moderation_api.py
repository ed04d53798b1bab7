"""Moderation's read API, as the gateway uses it for its pages, and a visitor's deletions."""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from shared.errors import DependencyUnavailable, NotFound
from shared.records import ReviewList, ReviewView

M = TypeVar("M", bound=BaseModel)
QueryParams = dict[str, int]
LIST_ROUTE = "recent"


class HttpReviewsClient:
    """:class:`~services.gateway.ports.ReviewsReader` over moderation's HTTP API.

    Reads only, no retries: the showcase serves its last good answer instead.
    """

    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")

    async def review(self, submission_id: str) -> ReviewView:
        # Moderation's /reviews/recent is its list: no review can be read by that id.
        if submission_id == LIST_ROUTE:
            raise NotFound("no review for that submission")
        return await self._get(f"/reviews/{quote(submission_id, safe='')}", ReviewView)

    async def recent(self, limit: int) -> list[ReviewView]:
        return (await self._get(f"/reviews/{LIST_ROUTE}", ReviewList, {"limit": limit})).reviews

    async def of_slot(self, video: str, frame: int) -> list[ReviewView]:
        return (await self._get(f"/slots/{video}/{frame}/reviews", ReviewList)).reviews

    async def of_client(self, client_id: str) -> list[ReviewView]:
        return (
            await self._get(f"/clients/{quote(client_id, safe='')}/reviews", ReviewList)
        ).reviews

    async def delete(self, client_id: str, submission_id: str) -> ReviewView:
        path = f"/clients/{quote(client_id, safe='')}/reviews/{quote(submission_id, safe='')}"
        return await self._get(path, ReviewView, method="DELETE")

    async def credits(self, video: str) -> list[ReviewView]:
        return (await self._get(f"/videos/{quote(video, safe='')}/credits", ReviewList)).reviews

    async def _get(
        self, path: str, model: type[M], params: QueryParams | None = None, method: str = "GET"
    ) -> M:
        try:
            answer = await self.http.request(method, f"{self.base_url}{path}", params=params)
        except httpx.HTTPError as exc:
            raise DependencyUnavailable("moderation", "reviews are unavailable right now") from exc
        if answer.status_code == 404:
            raise NotFound("no review for that submission")
        if answer.status_code != 200:
            raise DependencyUnavailable("moderation", f"moderation answered {answer.status_code}")
        try:
            return model.model_validate_json(answer.content)
        except ValidationError as exc:
            raise DependencyUnavailable("moderation", "moderation answered nonsense") from exc
