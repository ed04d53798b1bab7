"""The best-photo rule: pure functions over one slot's candidates, no I/O.

Every verdict about a submission is a candidate of its slot. The slot shows the
approved candidate with the highest score (ties: decided earlier, then by id, so the
choice is deterministic); with none approved, the original frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Verdict = Literal["approved", "rejected"]


@dataclass(frozen=True)
class Candidate:
    """The latest verdict about one submission for one slot."""

    submission_id: str
    verdict: Verdict
    score: float
    decided_at: datetime
    photo_key: str
    photo_etag: str


def best_candidate(candidates: list[Candidate]) -> Candidate | None:
    """The approved candidate that the slot shows, or None for the original frame."""
    approved = [c for c in candidates if c.verdict == "approved"]
    if not approved:
        return None
    return min(approved, key=lambda c: (-c.score, c.decided_at, c.submission_id))


def supersedes(new: Candidate, old: Candidate | None) -> bool:
    """Whether ``new`` is a later verdict than ``old`` about the same submission."""
    return old is None or new.decided_at > old.decided_at
