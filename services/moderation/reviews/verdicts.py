"""Turning crowd judgments into a verdict: pure rules, no I/O.

A judgment counts only when its worker's trust reaches ``min_worker_trust``; each
counted judgment weighs its worker's trust. A verdict needs ``min_judgments`` counted
judgments (more are welcome). It is a rejection when the weighted nudity share reaches
``max_nudity_share`` (a tie at exactly that share rejects), when the weighted mimic
mean (1..5) falls below ``min_mimic_mean`` (exactly the minimum passes), or when the
weighted share of workers who saw someone trying falls below ``min_trying_share``.
The score (0..1) maps the weighted mimic mean from 1..5 onto 0..1.

A worker may answer that the photo does not load (a broken image: the store blinked,
or a link died). Such a judgment says nothing about the photo: it never counts, not as
"does not mimic" and not as nudity, so judgments that are all "does not load" never make
a verdict; :func:`is_short_of_sight` tells the crowd to ask again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared import messages

MIMIC_LOW, MIMIC_HIGH = 1, 5
# Weighted means are rounded to this many digits so float noise cannot break a tie.
TIE_DIGITS = 9

REASON_NUDITY = "nudity"
REASON_LOW_MIMIC = "low_mimic"
REASON_NOT_TRYING = "not_trying"
REASON_TAKEDOWN = "takedown"


@dataclass(frozen=True)
class Judgment:
    """One worker's answers on one unit."""

    judgment_id: str
    worker_id: str
    trust: float
    nudity: bool
    mimic: int
    trying: bool
    # False when the worker said the photo does not load (its other answers mean nothing).
    loads: bool = True


@dataclass(frozen=True)
class VerdictRules:
    """The thresholds of :func:`decide`; the service builds them from its settings."""

    min_judgments: int = 3
    min_worker_trust: float = 0.7
    max_nudity_share: float = 0.5
    min_mimic_mean: float = 3.0
    min_trying_share: float = 0.25


@dataclass(frozen=True)
class Verdict:
    """What the judgments decided."""

    decision: messages.Verdict
    score: float
    reasons: tuple[str, ...]
    judgments: int


def unique_judgments(judgments: Iterable[Judgment]) -> list[Judgment]:
    """``judgments`` without repeats of the same judgment id (first one wins)."""
    seen: dict[str, Judgment] = {}
    for judgment in judgments:
        seen.setdefault(judgment.judgment_id, judgment)
    return list(seen.values())


def trusted(judgments: Iterable[Judgment], rules: VerdictRules) -> list[Judgment]:
    """The de-duplicated judgments whose workers are trusted enough to count."""
    return [j for j in unique_judgments(judgments) if j.trust >= rules.min_worker_trust]


def counted(judgments: Iterable[Judgment], rules: VerdictRules) -> list[Judgment]:
    """The judgments a verdict counts: trusted, by workers who saw the photo."""
    return [j for j in trusted(judgments, rules) if j.loads]


def has_quorum(judgments: Iterable[Judgment], rules: VerdictRules) -> bool:
    """Are there enough counted judgments to decide?"""
    return len(counted(judgments, rules)) >= rules.min_judgments


def judgments_needed(judgments: Iterable[Judgment], rules: VerdictRules) -> int:
    """How many more counted judgments a verdict needs (0: it has a quorum)."""
    return max(0, rules.min_judgments - len(counted(judgments, rules)))


def is_short_of_sight(judgments: Iterable[Judgment], rules: VerdictRules) -> bool:
    """Short of a quorum because trusted workers could not load the photo? Then the
    photo must be asked again: the crowd's work is done but says nothing about it."""
    found = list(judgments)
    unseen = [j for j in trusted(found, rules) if not j.loads]
    return bool(unseen) and judgments_needed(found, rules) > 0


def weighted_share(judgments: Sequence[Judgment], says_yes: Iterable[bool]) -> float:
    """Trust-weighted share of ``judgments`` whose answer (in ``says_yes``) is yes."""
    total = sum(j.trust for j in judgments)
    share = sum(j.trust for j, yes in zip(judgments, says_yes, strict=True) if yes) / total
    return round(share, TIE_DIGITS)


def weighted_mimic_mean(judgments: Sequence[Judgment]) -> float:
    """Trust-weighted mean mimic rating (1..5)."""
    mean = sum(j.trust * j.mimic for j in judgments) / sum(j.trust for j in judgments)
    return round(mean, TIE_DIGITS)


def mimic_score(mean: float) -> float:
    """A mimic mean on 1..5 as a score on 0..1."""
    return min(1.0, max(0.0, (mean - MIMIC_LOW) / (MIMIC_HIGH - MIMIC_LOW)))


def reasons_against(counted: Sequence[Judgment], rules: VerdictRules) -> tuple[str, ...]:
    """Every rule the counted judgments break, in a fixed order."""
    reasons = []
    if weighted_share(counted, (j.nudity for j in counted)) >= rules.max_nudity_share:
        reasons.append(REASON_NUDITY)
    if weighted_mimic_mean(counted) < rules.min_mimic_mean:
        reasons.append(REASON_LOW_MIMIC)
    if weighted_share(counted, (j.trying for j in counted)) < rules.min_trying_share:
        reasons.append(REASON_NOT_TRYING)
    return tuple(reasons)


def decide(judgments: Iterable[Judgment], rules: VerdictRules) -> Verdict | None:
    """The verdict of ``judgments``, or None while there is no quorum yet."""
    seen = counted(judgments, rules)
    if len(seen) < rules.min_judgments:
        return None
    reasons = reasons_against(seen, rules)
    return Verdict(
        decision="rejected" if reasons else "approved",
        score=round(mimic_score(weighted_mimic_mean(seen)), 4),
        reasons=reasons,
        judgments=len(seen),
    )
