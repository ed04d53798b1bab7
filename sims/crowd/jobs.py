"""A job and its units as the platform keeps and shows them (v1 JSON; pure, no I/O).

Units follow the platform's states: ``new`` (uploaded, not ordered — nobody sees it),
``judgable`` (ordered, being judged), ``finalized`` (enough judgments), ``golden`` (a
test question, never ordered) and ``canceled``. Jobs are ``unordered`` until a first
order, then ``running``, ``finished`` when every ordered unit is finalized.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sims.crowd.forms import is_true, whole_number

JOB_FIELDS = (
    "title",
    "instructions",
    "cml",
    "judgments_per_unit",
    "units_per_assignment",
    "payment_cents",
    "max_judgments_per_worker",
    "gold_per_assignment",
    "auto_order",
    "webhook_uri",
    "send_judgments_webhook",
)


def now_text() -> str:
    """The current time as v1 showed it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    """One job: its settings as the client posted them, and its state."""

    job_id: int
    fields: dict[str, str]
    state: str = "unordered"
    created_at: str = field(default_factory=now_text)

    def number(self, name: str, default: int) -> int:
        """A numeric job setting (``default`` when unset)."""
        return int(self.fields.get(name) or default)

    @property
    def judgments_per_unit(self) -> int:
        """Trusted judgments each unit collects (3 unless the job says otherwise)."""
        return self.number("judgments_per_unit", 3)

    @property
    def sends_judgments(self) -> bool:
        """Does the job ask for ``new_judgments`` webhooks?"""
        return is_true(self.fields.get("send_judgments_webhook"))

    def unit_cost_cents(self) -> int:
        """What ordering one unit costs: its judgments, paid per page of units."""
        pay = self.number("payment_cents", 1)
        per_page = max(1, self.number("units_per_assignment", 1))
        return math.ceil(self.judgments_per_unit * pay / per_page)

    def shown(self) -> dict[str, Any]:
        """The job as v1 JSON."""
        return {"id": self.job_id, "state": self.state, "created_at": self.created_at} | {
            name: self.fields.get(name) for name in JOB_FIELDS
        }


@dataclass
class Unit:
    """One unit: its data, state and, once judged, its judgments."""

    unit_id: int
    job_id: int
    data: dict[str, str]
    state: str = "new"
    judgments: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = field(default_factory=now_text)
    channel: str = ""

    @property
    def is_gold(self) -> bool:
        """Is this unit a test question?"""
        return self.state == "golden"

    def results(self) -> dict[str, Any]:
        """``judgments`` plus, per answered field, ``{agg, confidence}`` over the
        untainted judgments weighted by trust (the platform's aggregation)."""
        votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for judgment in self.judgments:
            if not judgment["tainted"]:
                for name, value in judgment["data"].items():
                    votes[name][value] += judgment["trust"]
        aggregated = {
            name: {"agg": max(tally, key=tally.__getitem__), "confidence": _share(tally)}
            for name, tally in votes.items()
        }
        return {"judgments": self.judgments, **aggregated}

    def shown(self) -> dict[str, Any]:
        """The unit as v1 JSON, with ``results`` as the webhook sends it."""
        return {
            "id": self.unit_id,
            "job_id": self.job_id,
            "state": self.state,
            "data": self.data,
            "judgments_count": len(self.judgments),
            "agreement": _agreement(self.results()),
            "missed_count": 0,
            "gold_pool": None,
            "created_at": self.created_at,
            "updated_at": now_text(),
            "results": self.results(),
        }


def _share(tally: dict[str, float]) -> float:
    total = sum(tally.values())
    return round(max(tally.values()) / total, 4) if total else 0.0


def _agreement(results: dict[str, Any]) -> float:
    confidences = [v["confidence"] for k, v in results.items() if k != "judgments"]
    return round(sum(confidences) / len(confidences), 4) if confidences else 0.0


def job_fields(fields: dict[str, Any]) -> dict[str, str]:
    """The known job settings of ``fields``, as text; numbers checked (400 otherwise)."""
    for name in ("judgments_per_unit", "units_per_assignment", "max_judgments_per_worker"):
        if fields.get(name) not in (None, ""):
            whole_number(fields[name], f"job[{name}]")
    return {k: str(v) for k, v in fields.items() if k in JOB_FIELDS and v is not None}
