"""Simulated crowd workers: who judges a unit and what they answer (pure, seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sims.crowd.settings import CrowdSettings

MIMIC_LOW, MIMIC_HIGH = 1, 5


@dataclass(frozen=True)
class Worker:
    """One worker: a trust score, a fixed rating bias, and maybe a careless streak."""

    worker_id: int
    trust: float
    bias_points: float
    careless: bool


def hire(settings: CrowdSettings, rng: random.Random) -> list[Worker]:
    """The worker pool; about ``untrusted_share`` of it below the trust bar."""
    return [
        Worker(
            worker_id=1000 + n,
            trust=round(
                rng.uniform(0.3, settings.trusted_min_trust - 0.01)
                if rng.random() < settings.untrusted_share
                else rng.uniform(settings.trusted_min_trust, 1.0),
                3,
            ),
            bias_points=rng.uniform(-settings.mimic_noise_points, settings.mimic_noise_points),
            careless=rng.random() < settings.careless_share,
        )
        for n in range(settings.worker_count)
    ]


def crew(
    workers: list[Worker], trusted_needed: int, trust_bar: float, rng: random.Random
) -> list[Worker]:
    """Workers in random order until ``trusted_needed`` trusted ones have judged."""
    picked: list[Worker] = []
    for worker in rng.sample(workers, len(workers)):
        picked.append(worker)
        if sum(w.trust >= trust_bar for w in picked) >= trusted_needed:
            break
    return picked


def answers(worker: Worker, likeness: float, rng: random.Random) -> dict[str, str]:
    """A worker's CML answers for a photo of the given likeness (0..1)."""
    rating = MIMIC_LOW + (MIMIC_HIGH - MIMIC_LOW) * likeness + worker.bias_points
    rating += rng.uniform(-0.3, 0.3)
    mimic = max(MIMIC_LOW, min(MIMIC_HIGH, round(rating)))
    return {
        "nudity": "yes" if worker.careless else "no",
        "mimic": str(mimic),
        "trying": "yes" if mimic >= 2 or likeness > 0.2 else "no",
    }
