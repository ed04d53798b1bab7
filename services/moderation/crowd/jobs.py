"""Which crowd job (Crowdflower) or HIT type (Mechanical Turk) each video has, shared by
both platforms' wings (adapter: :mod:`services.moderation.crowd.adapters.dynamo_jobs`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class CrowdJob:
    """The crowd job of one video, as remembered in the reviews table."""

    video: str
    job_id: str
    # Gold name -> unit id, once the test questions exist.
    gold_units: dict[str, str] = field(default_factory=dict)
    # When the gold units' photo URLs were last (re)issued.
    gold_urls_at: datetime | None = None


class CrowdJobs(Protocol):
    """Which crowd job each video has (so no listing of jobs is needed)."""

    async def job_of(self, video: str) -> CrowdJob | None:
        """The remembered job of ``video``, or None."""
        ...

    async def remember(self, job: CrowdJob) -> CrowdJob:
        """Remember a new job unless one is already remembered; returns the one kept."""
        ...

    async def update(self, job: CrowdJob) -> None:
        """Store the job's gold units and the time of their URLs."""
        ...
