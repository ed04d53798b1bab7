"""Crowd work the platform forgot, and the record of each healing (shared by both
platforms' wings).

A real platform can forget: a job deleted or canceled in Crowdflower's UI, an account
reset, a HIT disposed of. Each wing heals its own kind of work (a new job, a HIT created
again) and reports each healing here once, by the writer whose conditional write
recorded it: one warning line, one count of ``ofof_crowd_healed_total{kind}``, one count
kept in the reviews table for the operators' console (``/ops``, under crowd spend).
"""

from __future__ import annotations

import logging
from typing import Literal, Protocol

from services.moderation.reviews.ports import CrowdUnavailable
from shared.metrics import Observer, Tally

log = logging.getLogger(__name__)
# What was re-created: a Crowdflower job, a Mechanical Turk HIT type, a HIT.
HealKind = Literal["job", "hit_type", "hit"]
HEAL_KINDS: tuple[HealKind, ...] = ("job", "hit_type", "hit")


class CrowdForgot(CrowdUnavailable):
    """The crowd does not know what it was asked about (Crowdflower's 404, MTurk's
    ``RequestError`` "… does not exist."): a lasting failure that may call for healing."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, transient=False)


class HealCounts(Protocol):
    """How many healings of each kind happened, kept durably."""

    async def add(self, kind: HealKind) -> None:
        """Count one more healing of ``kind``."""
        ...

    async def counts(self) -> dict[str, int]:
        """Every kind's count so far (kinds never healed are left out)."""
        ...


class Healings:
    """Reports each healing once: a log line, the metric, the durable count."""

    def __init__(self, counts: HealCounts, observer: Observer | None = None) -> None:
        self.store = counts
        self.observer: Observer = observer or Tally()

    async def healed(self, kind: HealKind, what: str, **ids: str) -> None:
        """Report one healing of ``kind`` (``what`` says it in words; ``ids`` name the
        video, job, HIT and submission, never a secret)."""
        log.warning(what, extra={"heal": kind, **ids})
        self.observer.count("ofof_crowd_healed", kind=kind)
        await self.store.add(kind)

    async def counts(self) -> dict[str, int]:
        """How many healings of each kind happened so far."""
        return await self.store.counts()
