"""The reports wing's port: visitors' reports and the operators' queue of reported photos
(adapter: :mod:`services.moderation.reports.adapters.dynamo`)."""

from __future__ import annotations

from typing import Protocol

from services.moderation.reports.report import Report, ReportedPhoto


class ReportStore(Protocol):
    """Visitors' reports about photos, and the queue of reported photos."""

    async def add(self, report: Report) -> bool:
        """Store ``report`` and queue its photo; False when this visitor already
        reported this photo (nothing changes then but the queue entry, made sure of)."""
        ...

    async def of_photo(self, submission_id: str) -> list[Report]:
        """Every report about one photo, oldest first."""
        ...

    async def queued(self, limit: int) -> list[ReportedPhoto]:
        """Up to ``limit`` reported photos no operator has decided on, oldest first."""
        ...

    async def resolve(self, submission_id: str) -> None:
        """Take the photo out of the queue (its reports stay)."""
        ...
