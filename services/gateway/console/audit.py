"""The operators' audit log as stored: one JSON entry per console action, in S3 under
``audit/ops/{day}/``. Only the console writes and reads it."""

from __future__ import annotations

from datetime import datetime

from shared.records import Record

AUDIT_PREFIX = "audit/ops/"


def audit_key(at: datetime, entry_id: str) -> str:
    """Where one operator action is kept: by day, then time, so listings come in order."""
    return f"{AUDIT_PREFIX}{at:%Y-%m-%d}/{at:%Y%m%dT%H%M%S%f}-{entry_id}.json"


def audit_day_prefix(at: datetime) -> str:
    """The audit entries of one day."""
    return f"{AUDIT_PREFIX}{at:%Y-%m-%d}/"


class AuditEntry(Record):
    """One operator action: who (the console session's label), what, on what, when, and
    how it ended (``ok`` or the error code)."""

    at: datetime
    who: str
    action: str
    target: str
    outcome: str
