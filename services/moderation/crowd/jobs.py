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
    # How many times a job the crowd forgot was replaced by a new one (0: the first). A
    # stand-in that forgot its jobs numbers them from 1 again, so the id alone does not
    # tell a new job from the one it replaced.
    generation: int = 0

    def is_same(self, other: CrowdJob) -> bool:
        """Is ``other`` this very job (same id, same generation)?"""
        return (self.job_id, self.generation) == (other.job_id, other.generation)


class CrowdJobs(Protocol):
    """Which crowd job each video has (so no listing of jobs is needed)."""

    async def job_of(self, video: str) -> CrowdJob | None:
        """The remembered job of ``video``, or None."""
        ...

    async def remember(self, job: CrowdJob) -> CrowdJob:
        """Remember a new job unless one is already remembered; returns the one kept."""
        ...

    async def update(self, job: CrowdJob) -> None:
        """Store the job's gold units and the time of their URLs (nothing when the video's
        job was replaced meanwhile)."""
        ...

    async def replace(self, old: CrowdJob, job_id: str) -> tuple[CrowdJob, bool]:
        """Remember ``job_id`` (generation + 1, no gold yet) in place of ``old``, unless
        the video's job is no longer ``old`` (a conditional write: of two replicas racing,
        one replaces). The job kept, and whether this call replaced it."""
        ...
