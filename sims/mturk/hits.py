"""What the marketplace is made of: HIT types, HITs, assignments and the events they
raise (pure, no I/O; the rules that change them are :mod:`sims.mturk.market`'s)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sims.mturk.questions import Page

Json = dict[str, object]
CENT = Decimal("0.01")


def new_id() -> str:
    """An id shaped like MTurk's: 30 upper-case letters and digits."""
    return uuid.uuid4().hex.upper()[:30]


@dataclass
class HitType:
    """A registered HIT type and where its notifications go."""

    type_id: str
    fields: Json
    notification: Json | None = None
    active: bool = False

    @property
    def reward(self) -> Decimal:
        return Decimal(str(self.fields["Reward"]))

    def seconds(self, name: str, default: int) -> int:
        value = self.fields.get(name, default)
        return int(value) if isinstance(value, int | str) else default

    def wants(self, event_type: str) -> bool:
        """Are notifications of ``event_type`` sent for this type's HITs?"""
        events = (self.notification or {}).get("EventTypes", [])
        return self.active and isinstance(events, list) and event_type in events


@dataclass
class Assignment:
    """One worker's submitted work on a HIT."""

    assignment_id: str
    worker_id: str
    hit_id: str
    answer: str
    accept_time: float
    submit_time: float
    auto_approval_time: float
    deadline: float
    status: str = "Submitted"
    approval_time: float | None = None
    rejection_time: float | None = None
    feedback: str | None = None


@dataclass
class Hit:
    """A HIT, its page and its assignments."""

    hit_id: str
    hit_type: HitType
    question: str
    page: Page
    max_assignments: int
    creation_time: float
    expiration: float
    annotation: str | None
    status: str = "Assignable"
    assignments: list[Assignment] = field(default_factory=list)

    def fee(self) -> Decimal:
        """MTurk's commission on one assignment's reward."""
        rate = Decimal("0.40") if self.max_assignments >= 10 else Decimal("0.20")
        return max(CENT, (self.hit_type.reward * rate).quantize(CENT, ROUND_HALF_UP))

    def is_open(self, now: float) -> bool:
        """Can a worker still take an assignment?"""
        return (
            self.status == "Assignable"
            and now < self.expiration
            and len(self.assignments) < self.max_assignments
        )


@dataclass(frozen=True)
class Event:
    """Something a notification reports."""

    event_type: str
    hit: Hit
    assignment_id: str | None = None
    time: float = 0.0
