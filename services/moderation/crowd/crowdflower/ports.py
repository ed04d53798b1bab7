"""The Crowdflower wing's ports: the v1 API as the wing uses it (adapter:
:mod:`services.moderation.crowd.crowdflower.adapters.api`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from services.moderation.reviews.verdicts import Judgment


@dataclass(frozen=True)
class UnitRequest:
    """What one unit shows the workers."""

    submission_id: str
    photo_url: str
    original_url: str
    # 0 for the submission's first unit; n for the n-th asking again (nobody could see it).
    ask: int = 0


@dataclass(frozen=True)
class GoldRequest:
    """A test question: its photo beside the original, and the right answers."""

    name: str
    photo_url: str
    original_url: str
    answers: dict[str, str]


class CrowdClient(Protocol):
    """The crowd: one job per video, one unit per submission, judgments per unit.

    Every failure leaves as :class:`CrowdUnavailable`; what the crowd does not know
    (a job or a unit: a 404) as :class:`~services.moderation.crowd.healing.CrowdForgot`.
    """

    async def ensure_job(self, video: str) -> str:
        """The id of the job of ``video``, created if there is none."""
        ...

    async def create_job(self, video: str) -> str:
        """A new job for ``video`` (the remembered one is gone); its id."""
        ...

    async def has_job(self, job_id: str) -> bool:
        """Does the crowd still know the job?"""
        ...

    async def create_unit(self, job_id: str, unit: UnitRequest) -> str:
        """Create a unit (not yet ordered: nobody judges it); return its id."""
        ...

    async def refresh_unit(self, job_id: str, unit_id: str, unit: UnitRequest) -> None:
        """Replace a unit's data (fresh photo URLs for a unit that waited long)."""
        ...

    async def order(self, job_id: str, units_count: int) -> None:
        """Order ``units_count`` of the job's unordered units; :class:`CrowdUnfunded` on 402."""
        ...

    async def create_gold(self, job_id: str, gold: GoldRequest) -> str:
        """Create a test question; return its unit id."""
        ...

    async def refresh_gold(self, job_id: str, unit_id: str, gold: GoldRequest) -> None:
        """Replace a test question's data (fresh photo URLs)."""
        ...

    async def gold_units(self, job_id: str) -> dict[str, str]:
        """The job's existing test questions, gold name -> unit id."""
        ...

    async def find_unit(self, job_id: str, submission_id: str) -> str | None:
        """The id of an existing unit for ``submission_id``, if any."""
        ...

    async def find_asked(self, job_id: str, submission_id: str, ask: int) -> str | None:
        """The id of an existing unit asking about ``submission_id`` again, the
        ``ask``-th time, if any."""
        ...

    async def judgments(self, job_id: str, unit_id: str) -> list[Judgment]:
        """Every judgment of a unit so far."""
        ...

    async def unit_state(self, job_id: str, unit_id: str) -> str:
        """The unit's state as the crowd keeps it (``new`` until an order takes it)."""
        ...
