"""Visitors' reports about a shown photo (pure, no I/O).

A report names one of a few reasons and may carry a short note. One visitor (client id)
counts once per photo: a second report by the same visitor changes nothing. Once
``hide_after`` distinct visitors have reported an approved photo it is hidden at once
(taken down with the reason ``reported``) until an operator looks at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.records import MAX_REPORT_NOTE_CHARS, ReportReason


@dataclass(frozen=True)
class Report:
    """One visitor's report about one photo."""

    submission_id: str
    visitor: str
    reason: ReportReason
    note: str
    created_at: datetime


@dataclass(frozen=True)
class ReportedPhoto:
    """A photo in the operators' report queue: how many visitors reported it, since when."""

    submission_id: str
    reports: int
    first_reported_at: datetime


def cleaned_note(note: str | None) -> str:
    """``note`` without control characters, cut to :data:`~shared.records.MAX_REPORT_NOTE_CHARS`."""
    text = "".join(ch for ch in (note or "") if ch.isprintable() or ch == "\n")
    return text.strip()[:MAX_REPORT_NOTE_CHARS]


def should_hide(reports: int, hide_after: int) -> bool:
    """Have enough visitors reported a photo to hide it pending review? (0 never hides.)"""
    return hide_after > 0 and reports >= hide_after
