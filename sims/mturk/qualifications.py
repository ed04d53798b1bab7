"""What MTurk keeps about each simulated worker: its system qualification values (pure, seeded).

The local MTurk knows three of MTurk's system qualification types, and every worker has
a value for each (so ``Exists`` always holds and ``DoesNotExist`` never does):

- ``000000000000000000L0`` Worker_PercentAssignmentsApproved, 0..100;
- ``00000000000000000040`` Worker_NumberHITsApproved;
- ``00000000000000000071`` Worker_Locale, an ISO 3166 country (``US``, ``IN``, ``GB`` …).

The values follow the worker's kind (:mod:`sims.crowd.workers`): good workers 95..100 %
approved, careless ones 85..94 %, sloppy ones 55..90 %, each with 100..20,000 approved
HITs; a share of newcomers (``MTURK_SIM_NEWCOMER_SHARE``) has fewer than 100, and MTurk
shows a newcomer's approval rate as 100 % whatever the work, which is why a real
campaign pairs "≥ 95 %" with "≥ 100 approved HITs".
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sims.crowd.workers import Worker

APPROVAL_RATE = "000000000000000000L0"
APPROVED_HITS = "00000000000000000040"
LOCALE = "00000000000000000071"
KNOWN_TYPES = (APPROVAL_RATE, APPROVED_HITS, LOCALE)
# Approval rates (percent, inclusive) by kind of worker.
GOOD_PERCENT = (95, 100)
CARELESS_PERCENT = (85, 94)
SLOPPY_PERCENT = (55, 90)
# A newcomer has fewer than this many approved HITs; MTurk then shows 100 % approved
# (its "grace period"; see chbrown.github.io/mturk/tips-and-tricks, "Beginner's luck").
SEASONED_HITS = 100
MOST_HITS = 20_000
FULL_PERCENT = 100
# Where the pool lives, roughly as MTurk's workforce does (weights, not shares).
COUNTRIES = {"US": 60, "IN": 20, "GB": 5, "CA": 5, "DE": 4, "PH": 3, "BR": 3}


@dataclass(frozen=True)
class Standing:
    """One worker's system qualification values."""

    percent_approved: int
    hits_approved: int
    country: str

    def integer(self, type_id: str) -> int:
        """The integer value of ``type_id`` (approval rate or approved HITs)."""
        return self.percent_approved if type_id == APPROVAL_RATE else self.hits_approved

    def as_json(self) -> dict[str, object]:
        """The values by qualification type id (for the pool listing tests read)."""
        return {
            APPROVAL_RATE: self.percent_approved,
            APPROVED_HITS: self.hits_approved,
            LOCALE: {"Country": self.country},
        }


def percent_range(worker: Worker) -> tuple[int, int]:
    """The approval rates a worker of this kind has earned."""
    if worker.sloppy:
        return SLOPPY_PERCENT
    return CARELESS_PERCENT if worker.careless else GOOD_PERCENT


def standing_of(worker: Worker, newcomer_share: float, rng: random.Random) -> Standing:
    """Draw one worker's values."""
    newcomer = rng.random() < newcomer_share
    percent = rng.randint(*percent_range(worker))
    hits = rng.randint(0, SEASONED_HITS - 1) if newcomer else rng.randint(SEASONED_HITS, MOST_HITS)
    country = rng.choices(list(COUNTRIES), weights=list(COUNTRIES.values()))[0]
    return Standing(FULL_PERCENT if newcomer else percent, hits, country)


def standings(workers: list[Worker], newcomer_share: float, rng: random.Random) -> list[Standing]:
    """Every worker's values, in the pool's order."""
    return [standing_of(worker, newcomer_share, rng) for worker in workers]
