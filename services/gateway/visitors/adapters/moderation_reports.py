"""Moderation's report route, where a visitor's report is filed (and counted once per
visitor and photo), over the one
:class:`~services.gateway.core.adapters.service_client.ServiceClient`."""

from __future__ import annotations

from urllib.parse import quote

from services.gateway.core.adapters.service_client import ServiceClient
from shared.records import ReportFiled, ReportOutcome


class HttpReportDesk:
    """:class:`~services.gateway.visitors.ports.ReportDesk` over moderation's HTTP API."""

    def __init__(self, calls: ServiceClient) -> None:
        self.calls = calls

    async def file_report(self, submission_id: str, report: ReportFiled) -> ReportOutcome:
        path = f"/reviews/{quote(submission_id, safe='')}/reports"
        return await self.calls.post(path, ReportOutcome, report)
