"""The best-photo rule: pure functions over one slot's candidates, no I/O.

Every verdict about a submission is a candidate of its slot; a later verdict about the
same submission replaces an earlier one. The slot shows the approved candidate with the
highest score (ties: decided earlier, then by id, so the choice is deterministic); with
none approved, the original frame. A slot's choice carries a revision number, so a
store can refuse a write based on a choice that changed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.renderer.renders.clips import BlobRef
from shared.messages import Verdict


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


@dataclass(frozen=True)
class SlotChoice:
    """What a slot shows: a submission's photo, or its original (``submission_id == ""``)."""

    submission_id: str
    photo: BlobRef | None
    # Bumped by every change; a store writes revision n only over revision n - 1.
    rev: int


def next_choice(current: SlotChoice | None, candidates: list[Candidate]) -> SlotChoice | None:
    """The slot's new choice from its candidates, or None when ``current`` is still right."""
    best = best_candidate(candidates)
    chosen = best.submission_id if best else ""
    if current is not None and current.submission_id == chosen:
        return None
    photo = BlobRef(best.photo_key, best.photo_etag) if best else None
    return SlotChoice(chosen, photo, (current.rev if current else 0) + 1)
