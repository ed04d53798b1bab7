"""The local crowd's memory: jobs, units, orders, funds and judgments (:mod:`sims.crowd.jobs`).

Kept as the platform keeps it: every change is written to the crowd's store
(:mod:`sims.store`, a SQLite file under ``var/crowd/`` in ``make run``) before the crowd
answers, and read back when the process starts again; job, unit and judgment ids go on
from where they were.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from sims.crowd.forms import Unreadable, is_true
from sims.crowd.jobs import Job, Unit, job_fields, now_text
from sims.crowd.workers import GoldRecord, Worker
from sims.store import Store

UNIT_STATES = frozenset({"new", "judgable", "finalized", "golden", "canceled"})
# The location fields every v1 judgment carries.
PLACE = {"country": "USA", "region": "CA", "city": "San Francisco"}


class PaymentRequired(Exception):
    """An order the account's funds do not cover (answered 402)."""


class Board:
    """Every job and unit of the account, kept in ``store`` (in memory when None)."""

    def __init__(self, funds_cents: int | None = None, store: Store | None = None) -> None:
        self.store = store or Store()
        self.jobs = {int(k): Job(**b) for k, b in self.store.load("job")}
        self.units = {int(k): Unit(**b) for k, b in self.store.load("unit")}
        self.gold: dict[tuple[int, int], GoldRecord] = defaultdict(GoldRecord)
        self.judged_by: dict[tuple[int, int], int] = defaultdict(int)
        for key, body in self.store.load("worker_job"):
            job_id, worker_id = (int(part) for part in key.split(":"))
            self.gold[(job_id, worker_id)] = GoldRecord(body["answered"], body["correct"])
            self.judged_by[(job_id, worker_id)] = body["judged"]
        account = self.store.get("account", "funds")
        # None: unlimited funds. Settings give the funds of a new account only.
        self.funds_cents: int | None = account["cents"] if account else funds_cents

    @contextmanager
    def change(self) -> Iterator[None]:
        """Group the writes of one change into one commit."""
        with self.store.batch():
            yield

    def save_job(self, job: Job) -> None:
        """Write the job as it is now."""
        self.store.put("job", job.job_id, asdict(job))

    def save_unit(self, unit: Unit) -> None:
        """Write the unit (with its judgments) as it is now."""
        self.store.put("unit", unit.unit_id, asdict(unit))

    def save_worker(self, job_id: int, worker_id: int) -> None:
        """Write what the job knows of one worker: gold answered and units judged."""
        record = self.gold[(job_id, worker_id)]
        body = {"answered": record.answered, "correct": record.correct}
        body["judged"] = self.judged_by[(job_id, worker_id)]
        self.store.put("worker_job", f"{job_id}:{worker_id}", body)

    def save_funds(self) -> None:
        self.store.put("account", "funds", {"cents": self.funds_cents})

    def create_job(self, fields: dict[str, Any]) -> Job:
        """A new job with the known ``fields``."""
        with self.change():
            job = Job(self.store.next_id("job", 1), job_fields(fields))
            self.jobs[job.job_id] = job
            self.save_job(job)
        return job

    def update_job(self, job: Job, fields: dict[str, Any]) -> Job:
        """Change the job's known settings."""
        job.fields |= job_fields(fields)
        self.save_job(job)
        return job

    def add_funds(self, cents: int) -> int:
        """Add ``cents`` to the account (unlimited funds become limited ones)."""
        self.funds_cents = (self.funds_cents or 0) + cents
        self.save_funds()
        return self.funds_cents

    def create_unit(self, job: Job, data: dict[str, str], golden: bool = False) -> Unit:
        """A new unit of ``job``: ``new`` until ordered, or ``golden``."""
        with self.change():
            unit_id = self.store.next_id("unit", 100_001)
            unit = Unit(unit_id, job.job_id, data, "golden" if golden else "new")
            self.units[unit.unit_id] = unit
            self.save_unit(unit)
        return unit

    def update_unit(
        self, unit: Unit, state: str | None, golden: Any, data: dict[str, str] | None = None
    ) -> Unit:
        """Change a unit's state (``unit[state]``), make it gold (``unit[golden]``) or
        replace its data; nothing changes when the state is unknown."""
        if state is not None and state not in UNIT_STATES:
            raise Unreadable(f"unknown unit state {state!r}")
        if data is not None:
            unit.data = data
        if golden is not None and unit.state in {"new", "golden"}:
            unit.state = "golden" if is_true(golden) else "new"
        if state is not None:
            unit.state = state
        self.save_unit(unit)
        return unit

    def units_of(self, job_id: int) -> list[Unit]:
        """The units of one job, oldest first."""
        return [unit for unit in self.units.values() if unit.job_id == job_id]

    def gold_of(self, job_id: int) -> list[Unit]:
        """The job's test questions."""
        return [unit for unit in self.units_of(job_id) if unit.is_gold]

    def order(self, job: Job, units_count: int, channels: list[str]) -> list[Unit]:
        """Order up to ``units_count`` of the job's ``new`` units, oldest first, paid from
        the funds; :class:`PaymentRequired` (nothing ordered) when they fall short."""
        waiting = [unit for unit in self.units_of(job.job_id) if unit.state == "new"]
        chosen = waiting[:units_count]
        cost = job.unit_cost_cents() * len(chosen)
        if self.funds_cents is not None and cost > self.funds_cents:
            raise PaymentRequired(f"the order costs {cost} cents; funds hold {self.funds_cents}")
        with self.change():
            if self.funds_cents is not None:
                self.funds_cents -= cost
                self.save_funds()
            for unit in chosen:
                unit.state, unit.channel = "judgable", channels[0]
                self.save_unit(unit)
            if chosen:
                job.state = "running"
                self.save_job(job)
        return chosen

    def judgment(
        self, unit: Unit, worker: Worker, answers: dict[str, str], trust: float, bar: float
    ) -> dict[str, Any]:
        """A new judgment of ``unit`` by ``worker``, as v1 JSON (every key v1 sends)."""
        started = now_text()
        return {
            "id": self.store.next_id("judgment", 900_000_001),
            "job_id": unit.job_id,
            "unit_id": unit.unit_id,
            "worker_id": worker.worker_id,
            "worker_trust": trust,
            "trust": trust,
            "judgment": len(unit.judgments) + 1,
            "data": answers,
            "unit_data": dict(unit.data),
            "golden": unit.is_gold,
            "unit_state": unit.state,
            "external_type": unit.channel or "cf_internal",
            "created_at": now_text(),
            "started_at": started,
            "acknowledged_at": None,
            "webhook_sent_at": None,
            "tainted": trust < bar,
            "missed": None,
            "rejected": None,
            "reviewed": None,
            **PLACE,
        }

    def is_job_done(self, job: Job) -> bool:
        """Has every ordered unit of the job been finalized?"""
        units = [u for u in self.units_of(job.job_id) if u.state in {"judgable", "finalized"}]
        return bool(units) and all(u.state == "finalized" for u in units)

    def summary(self, job: Job) -> dict[str, int]:
        """``ping.json``: the job's counts."""
        units = self.units_of(job.job_id)
        judgments = [j for u in units for j in u.judgments]
        done = sum(u.state == "finalized" for u in units)
        return {
            "golden_units": sum(u.is_gold for u in units),
            "all_units": len(units),
            "ordered_units": sum(u.state in {"judgable", "finalized"} for u in units),
            "completed_units_estimate": done,
            "needed_judgments": sum(job.judgments_per_unit for u in units if u.state == "judgable"),
            "all_judgments": len(judgments),
            "tainted_judgments": sum(bool(j["tainted"]) for j in judgments),
            "completed_gold_estimate": 0,
            "completed_non_gold_estimate": done,
        }
