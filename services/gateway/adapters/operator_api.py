"""Moderation's and the renderer's operator routes, called with the operator token.

Used only by the console (and moderation's report route by visitors' reports). Errors
come back as the shared error tree: a 404 stays NotFound, a 409 Conflict, a 401/403
(a token mismatch between services) DependencyUnavailable, so the console says so.
"""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from shared.errors import Conflict, DependencyUnavailable, NotFound
from shared.records import (
    CrowdSpend,
    RenderHistory,
    ReportFiled,
    ReportOutcome,
    ReportQueue,
    ReviewList,
    ReviewView,
)

M = TypeVar("M", bound=BaseModel)


class OperatorCalls:
    """JSON calls to one service, with the operator token as a Bearer token."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: SecretStr, name: str):
        self.http, self.base_url, self.name = http, base_url.rstrip("/"), name
        self.headers = {"Authorization": f"Bearer {token.get_secret_value()}"}

    async def send(self, method: str, path: str, body: BaseModel | None = None) -> bytes:
        """``method path`` with JSON ``body``; the answer's body, errors as the shared tree."""
        content = body.model_dump_json().encode() if body is not None else None
        headers = {**self.headers, "Content-Type": "application/json"}
        try:
            answer = await self.http.request(
                method, f"{self.base_url}{path}", content=content, headers=headers
            )
        except httpx.HTTPError as exc:
            raise DependencyUnavailable(self.name, f"{self.name} is unavailable") from exc
        if answer.status_code == 404:
            raise NotFound(_detail(answer, "not found"))
        if answer.status_code == 409:
            raise Conflict(_detail(answer, "conflict"))
        if answer.status_code >= 300:
            raise DependencyUnavailable(self.name, f"{self.name} answered {answer.status_code}")
        return answer.content

    def parsed(self, content: bytes, model: type[M]) -> M:
        """An answer's body as ``model``; nonsense is the service failing."""
        try:
            return model.model_validate_json(content)
        except ValidationError as exc:
            raise DependencyUnavailable(self.name, f"{self.name} answered nonsense") from exc

    async def get(self, path: str, model: type[M]) -> M:
        """GET ``path`` as ``model``."""
        return self.parsed(await self.send("GET", path), model)

    async def post(self, path: str, model: type[M], body: BaseModel | None = None) -> M:
        """POST ``body`` to ``path``, answered as ``model``."""
        return self.parsed(await self.send("POST", path, body), model)


def _detail(answer: httpx.Response, fallback: str) -> str:
    try:
        detail = answer.json().get("detail")
    except ValueError:
        return fallback
    return detail if isinstance(detail, str) else fallback


def _q(part: str) -> str:
    return quote(part, safe="")


class HttpModerationDesk:
    """:class:`~services.gateway.ports.ModerationDesk` over moderation's HTTP API."""

    def __init__(self, calls: OperatorCalls) -> None:
        self.calls = calls

    async def file_report(self, submission_id: str, report: ReportFiled) -> ReportOutcome:
        return await self.calls.post(f"/reviews/{_q(submission_id)}/reports", ReportOutcome, report)

    async def report_queue(self) -> ReportQueue:
        return await self.calls.get("/reports", ReportQueue)

    async def pending(self) -> list[ReviewView]:
        return (await self.calls.get("/pending-reviews", ReviewList)).reviews

    async def decide(self, submission_id: str, action: str) -> ReviewView:
        return await self.calls.post(f"/reviews/{_q(submission_id)}/{action}", ReviewView)

    async def revert(self, client_id: str) -> list[ReviewView]:
        return (await self.calls.post(f"/clients/{_q(client_id)}/takedown", ReviewList)).reviews

    async def spend(self) -> CrowdSpend:
        return await self.calls.get("/crowd/spend", CrowdSpend)


class RenderRequest(BaseModel):
    """The renderer's ``POST /renders`` body."""

    video: str


class HttpRenderControl:
    """:class:`~services.gateway.ports.RenderControl` over the renderer's HTTP API."""

    def __init__(self, calls: OperatorCalls) -> None:
        self.calls = calls

    async def history(self, video: str) -> RenderHistory:
        return await self.calls.get(f"/renders?video={_q(video)}", RenderHistory)

    async def render_now(self, video: str) -> None:
        await self.calls.send("POST", "/renders", RenderRequest(video=video))
