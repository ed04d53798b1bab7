"""Moderation's operator routes, called with the operator token over the one
:class:`~services.gateway.core.adapters.service_client.ServiceClient` (a 401/403 there is
the services disagreeing on the token: DependencyUnavailable, so the console says so)."""

from __future__ import annotations

from urllib.parse import quote

from services.gateway.core.adapters.service_client import ServiceClient
from shared.records import CrowdSpend, ReportQueue, ReviewList, ReviewView


def _q(part: str) -> str:
    return quote(part, safe="")


class HttpModerationDesk:
    """:class:`~services.gateway.console.ports.ModerationDesk` over moderation's HTTP API."""

    def __init__(self, calls: ServiceClient) -> None:
        self.calls = calls

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
