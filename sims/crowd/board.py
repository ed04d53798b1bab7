"""The local crowd's memory: jobs, units and judgments, shown as v1 JSON."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JOB_FIELDS = ("title", "instructions", "cml", "judgments_per_unit", "webhook_uri")


def now_text() -> str:
    """The current time as v1 showed it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    """One job: its settings as the client posted them."""

    job_id: int
    fields: dict[str, str]

    @property
    def judgments_per_unit(self) -> int:
        """Trusted judgments each unit collects (3 unless the job says otherwise)."""
        return int(self.fields.get("judgments_per_unit") or 3)

    def shown(self) -> dict[str, Any]:
        """The job as v1 JSON."""
        return {"id": self.job_id, **self.fields}


@dataclass
class Unit:
    """One unit: its data and, once judged, its judgments."""

    unit_id: int
    job_id: int
    data: dict[str, str]
    state: str = "judgable"
    judgments: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = field(default_factory=now_text)

    def shown(self) -> dict[str, Any]:
        """The unit as v1 JSON, with ``results.judgments`` as the webhook sends it."""
        return {
            "id": self.unit_id,
            "job_id": self.job_id,
            "state": self.state,
            "data": self.data,
            "judgments_count": len(self.judgments),
            "created_at": self.created_at,
            "results": {"judgments": self.judgments},
        }


class Board:
    """Every job and unit of this process (in memory; a restart forgets them)."""

    def __init__(self) -> None:
        self.jobs: dict[int, Job] = {}
        self.units: dict[int, Unit] = {}
        self._job_ids = itertools.count(1)
        self._unit_ids = itertools.count(100_001)
        self._judgment_ids = itertools.count(900_000_001)

    def create_job(self, fields: dict[str, str]) -> Job:
        """A new job with the known ``fields``."""
        job = Job(next(self._job_ids), {k: v for k, v in fields.items() if k in JOB_FIELDS})
        self.jobs[job.job_id] = job
        return job

    def create_unit(self, job: Job, data: dict[str, str]) -> Unit:
        """A new unit of ``job``."""
        unit = Unit(next(self._unit_ids), job.job_id, data)
        self.units[unit.unit_id] = unit
        return unit

    def units_of(self, job_id: int) -> list[Unit]:
        """The units of one job, oldest first."""
        return [unit for unit in self.units.values() if unit.job_id == job_id]

    def judgment(
        self, unit: Unit, worker: Any, answers: dict[str, str], trust_bar: float
    ) -> dict[str, Any]:
        """A new judgment of ``unit`` by ``worker``, as v1 JSON."""
        return {
            "id": next(self._judgment_ids),
            "unit_id": unit.unit_id,
            "job_id": unit.job_id,
            "worker_id": worker.worker_id,
            "worker_trust": worker.trust,
            "tainted": worker.trust < trust_bar,
            "created_at": now_text(),
            "data": answers,
        }
