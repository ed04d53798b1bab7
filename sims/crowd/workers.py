"""Simulated crowd workers: who they are, what they answer, how they do on gold (pure, seeded).

Three kinds of worker: *good* ones answer from what the rendered form shows them, with a
fixed rating bias; *sloppy* ones (``untrusted_share``) click at random; *careless* ones
(``careless_share``) look but always answer "nudity: yes". None of them has a trust
score of its own: the platform knows a worker only through test questions (gold), so a
worker's trust in a job is its share of correct gold answers there (see
:func:`trust_of`). In a job without gold nothing is measured and every worker counts
as fully trusted — which is why moderation adds gold to each job.

A worker whose browser cannot load an image of the form (:data:`UNSEEN`) says so when
the form lets them (a ``photo_loads`` question: "no", and nothing else, whatever kind
of worker); a form that does not ask is answered as people do, rating the broken image
as nothing alike.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

from sims.crowd.cml import Form

MIMIC_LOW, MIMIC_HIGH = 1, 5
# Trust of a worker in a job without test questions: nothing says otherwise.
UNMEASURED_TRUST = 1.0
GOLD_SUFFIX = "_gold"
# The question a form may ask first: do the pictures load?
LOADS_QUESTION = "photo_loads"
# The likeness of a pair whose images did not load for the worker (a broken image).
UNSEEN = -1.0


class Pool(Protocol):
    """How a worker pool is drawn (the local crowd's and the local MTurk's settings)."""

    @property
    def worker_count(self) -> int: ...
    @property
    def mimic_noise_points(self) -> float: ...
    @property
    def untrusted_share(self) -> float: ...
    @property
    def careless_share(self) -> float: ...


@dataclass(frozen=True)
class Worker:
    """One worker: a fixed rating bias, and maybe a sloppy or careless streak."""

    worker_id: int
    bias_points: float
    careless: bool = False
    sloppy: bool = False


@dataclass
class GoldRecord:
    """How one worker has done on one job's test questions."""

    answered: int = 0
    correct: int = 0


def hire(settings: Pool, rng: random.Random) -> list[Worker]:
    """The worker pool; about ``untrusted_share`` of it sloppy."""
    return [
        Worker(
            worker_id=1000 + n,
            bias_points=rng.uniform(-settings.mimic_noise_points, settings.mimic_noise_points),
            sloppy=rng.random() < settings.untrusted_share,
            careless=rng.random() < settings.careless_share,
        )
        for n in range(settings.worker_count)
    ]


def trust_of(record: GoldRecord | None, has_gold: bool) -> float:
    """A worker's trust in a job: its share of correct gold answers there."""
    if not has_gold or record is None or record.answered == 0:
        return UNMEASURED_TRUST if not has_gold else 0.0
    return round(record.correct / record.answered, 3)


def answers(
    worker: Worker, form: Form, likeness: float | None, rng: random.Random
) -> dict[str, str]:
    """A worker's answers to the questions ``form`` shows, having seen images of that
    ``likeness`` (None when the form does not show two images to compare,
    :data:`UNSEEN` when they did not load)."""
    if likeness == UNSEEN:
        if form.asks(LOADS_QUESTION):
            return {LOADS_QUESTION: "no"}
        likeness = 0.0
    if worker.sloppy:
        given = {
            "nudity": rng.choice(("yes", "no")),
            "mimic": str(rng.randint(MIMIC_LOW, MIMIC_HIGH)),
            "trying": rng.choice(("yes", "no")),
        }
    elif likeness is None:
        # Nothing to compare: nobody can be seen mimicking anything.
        given = {"nudity": "no", "mimic": str(MIMIC_LOW), "trying": "no"}
    else:
        rating = MIMIC_LOW + (MIMIC_HIGH - MIMIC_LOW) * likeness + worker.bias_points
        mimic = max(MIMIC_LOW, min(MIMIC_HIGH, round(rating + rng.uniform(-0.3, 0.3))))
        trying = "yes" if mimic >= 2 or likeness > 0.2 else "no"
        given = {"nudity": "no", "mimic": str(mimic), "trying": trying}
    if worker.careless:
        given["nudity"] = "yes"
    given = {LOADS_QUESTION: "yes", **given}
    return {q.name: given[q.name] for q in form.questions if q.name in given and q.is_shown(given)}


def is_correct(given: dict[str, str], gold_data: dict[str, str]) -> bool:
    """Do the answers match every ``<field>_gold`` column (accepted values one a line)?"""
    for column, accepted in gold_data.items():
        if column.endswith(GOLD_SUFFIX) and accepted.strip():
            field = column.removesuffix(GOLD_SUFFIX)
            allowed = {line.strip().lower() for line in accepted.splitlines() if line.strip()}
            if given.get(field, "").strip().lower() not in allowed:
                return False
    return True
