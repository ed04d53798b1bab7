"""The crowd at work: judging ordered units from the rendered CML, with gold and trust.

Nothing happens to a unit until it is ordered. Then, after a delay, workers take it one
by one: each renders the job's CML with the unit's data (:mod:`sims.crowd.cml`),
fetches the images the form shows and answers only the questions it asks. In a job with
test questions a worker first passes a quiz of ``quiz_questions`` gold units and then
answers one more with every unit; its trust is its share of correct gold answers, and a
judgment below ``trusted_min_trust`` is tainted. Workers are added until the job's
``judgments_per_unit`` untainted judgments are in (``max_judgments_per_worker`` caps a
worker). The unit is then ``finalized`` and ``unit_complete`` is sent; ``new_judgments``
(when the job asks for it) gathers judgments of many units; ``job_complete`` follows when
every ordered unit is finalized.

After a restart the crowd goes on where it was (:meth:`Simulation.resume`): the same
workers (the pool is kept in the board's store), every unit still ``judgable`` judged
by workers who have not judged it yet, gathered judgments and pending webhooks sent.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import asdict
from typing import Any

import httpx

from sims.background import Background
from sims.crowd.board import Board
from sims.crowd.cml import Form, form_of
from sims.crowd.jobs import Job, Unit
from sims.crowd.looks import likeness
from sims.crowd.settings import CrowdSettings
from sims.crowd.webhooks import Deliveries
from sims.crowd.workers import UNSEEN, Worker, answers, hire, is_correct, trust_of

log = logging.getLogger(__name__)


class Simulation:
    """The simulated workforce of one local crowd process."""

    def __init__(self, settings: CrowdSettings, board: Board, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.board = board
        self.http = http
        # Simulation noise, not security: a seedable generator is what repeatability needs.
        self.rng = random.Random(settings.seed)  # noqa: S311
        self.workers = self._pool()
        self.fetching = asyncio.Semaphore(settings.fetch_concurrency)
        self.background = Background()
        self.deliveries = Deliveries(settings, http, self.rng, self.background.spawn, board.store)
        self.batches: dict[int, list[dict[str, Any]]] = {
            int(job_id): batch for job_id, batch in board.store.load("batch")
        }
        # Gold images do not change: each gold unit is looked at once.
        self.gold_seen: dict[tuple[int, tuple[str, ...]], float | None] = {}

    def _pool(self) -> list[Worker]:
        """The workers hired when the store was new: the same people after a restart."""
        kept = [Worker(**body) for _, body in self.board.store.load("worker")]
        if kept:
            return kept
        workers = hire(self.settings, self.rng)
        with self.board.change():
            for worker in workers:
                self.board.store.put("worker", worker.worker_id, asdict(worker))
        return workers

    def resume(self) -> None:
        """Go on after a restart: judge the units still judgable, send what was pending."""
        self.start_judging([u for u in self.board.units.values() if u.state == "judgable"])
        for job_id in self.batches:
            self.background.spawn(self._flush(self.board.jobs[job_id]))
        self.deliveries.resume()

    def start_judging(self, units: list[Unit]) -> None:
        """Judge ordered ``units`` in the background."""
        for unit in units:
            self.background.spawn(self._judge(unit))

    async def stop(self) -> None:
        """Cancel the judging and deliveries still in flight."""
        await self.background.stop()

    async def _judge(self, unit: Unit) -> None:
        settings = self.settings
        await asyncio.sleep(
            settings.judgment_delay_seconds + self.rng.uniform(0, settings.judgment_jitter_seconds)
        )
        job = self.board.jobs[unit.job_id]
        form = form_of(job.fields.get("cml", ""), unit.data)
        seen = await self._likeness(unit, form)
        for worker in self._crew(job, unit):
            if unit.state != "judgable" or self._has_quorum(job, unit):
                break
            await self._quiz(job, worker)
            trust = trust_of(
                self.board.gold.get((job.job_id, worker.worker_id)), self._has_gold(job)
            )
            given = answers(worker, form, seen, self.rng)
            with self.board.change():
                judgment = self.board.judgment(
                    unit, worker, given, trust, settings.trusted_min_trust
                )
                unit.judgments.append(judgment)
                self.board.judged_by[(job.job_id, worker.worker_id)] += 1
                self.board.save_unit(unit)
                self.board.save_worker(job.job_id, worker.worker_id)
                self._gather(job, judgment)
        if unit.state == "judgable" and self._has_quorum(job, unit):
            self._finalize(job, unit, seen)
        elif unit.state == "judgable":
            log.warning("no worker left for the unit", extra={"unit_id": unit.unit_id})

    @staticmethod
    def _has_quorum(job: Job, unit: Unit) -> bool:
        return sum(not j["tainted"] for j in unit.judgments) >= job.judgments_per_unit

    def _crew(self, job: Job, unit: Unit) -> list[Worker]:
        """Workers in random order, without those at the job's per-worker cap or who
        judged the unit already (before a restart)."""
        cap = job.number("max_judgments_per_worker", 0)
        done = {j["worker_id"] for j in unit.judgments}
        shuffled = self.rng.sample(self.workers, len(self.workers))
        return [
            w
            for w in shuffled
            if w.worker_id not in done
            and (not cap or self.board.judged_by[(job.job_id, w.worker_id)] < cap)
        ]

    def _has_gold(self, job: Job) -> bool:
        return bool(self.board.gold_of(job.job_id))

    async def _quiz(self, job: Job, worker: Worker) -> None:
        """The gold a worker answers before this judgment: the quiz the first time,
        then one question per unit."""
        golds = self.board.gold_of(job.job_id)
        if not golds:
            return
        record = self.board.gold[(job.job_id, worker.worker_id)]
        count = self.settings.quiz_questions if record.answered == 0 else 1
        for gold in self.rng.sample(golds, min(count, len(golds))):
            form = form_of(job.fields.get("cml", ""), gold.data)
            given = answers(worker, form, await self._gold_likeness(gold, form), self.rng)
            with self.board.change():
                record.answered += 1
                record.correct += is_correct(given, gold.data)
                trust = trust_of(record, True)
                bar = self.settings.trusted_min_trust
                gold.judgments.append(self.board.judgment(gold, worker, given, trust, bar))
                self.board.save_unit(gold)
                self.board.save_worker(job.job_id, worker.worker_id)

    def _finalize(self, job: Job, unit: Unit, seen: float | None) -> None:
        """The unit is done: its state and its webhooks are kept in one commit."""
        shown_likeness = None if seen is None else round(seen, 3)
        log.info("unit complete", extra={"unit_id": unit.unit_id, "likeness": shown_likeness})
        uri = job.fields.get("webhook_uri", "")
        with self.board.change():
            unit.state = "finalized"
            self.board.save_unit(unit)
            self.deliveries.send(uri, "unit_complete", unit.shown())
            if self.board.is_job_done(job):
                job.state = "finished"
                self.board.save_job(job)
                self.deliveries.send(uri, "job_complete", job.shown())

    def _gather(self, job: Job, judgment: dict[str, Any]) -> None:
        """Collect judgments for one ``new_judgments`` delivery of many units."""
        if not job.sends_judgments:
            return
        if job.job_id not in self.batches:
            self.batches[job.job_id] = []
            self.background.spawn(self._flush(job))
        self.batches[job.job_id].append(judgment)
        self.board.store.put("batch", job.job_id, self.batches[job.job_id])

    async def _flush(self, job: Job) -> None:
        await asyncio.sleep(self.settings.new_judgments_batch_seconds)
        with self.board.change():
            batch = self.batches.pop(job.job_id, [])
            self.board.store.delete("batch", job.job_id)
            self.deliveries.send(job.fields.get("webhook_uri", ""), "new_judgments", batch)

    async def _gold_likeness(self, gold: Unit, form: Form) -> float | None:
        key = (gold.unit_id, form.images)
        if key in self.gold_seen:
            return self.gold_seen[key]
        seen = await self._likeness(gold, form)
        if seen != UNSEEN:  # a broken image is looked at again next time
            self.gold_seen[key] = seen
        return seen

    async def _likeness(self, unit: Unit, form: Form) -> float | None:
        """How alike the first two images the form shows are; None when it shows fewer
        than two; :data:`UNSEEN` when one cannot be fetched (a broken image: the workers
        say so when the form lets them)."""
        if len(form.images) < 2:
            return None
        try:
            async with self.fetching:
                photo = await self._fetch(form.images[0])
                original = await self._fetch(form.images[1])
            return await asyncio.to_thread(likeness, photo, original)
        except (httpx.HTTPError, OSError, ValueError) as exc:
            log.warning(
                "cannot see the unit's images",
                extra={"unit_id": unit.unit_id, "problem": type(exc).__name__},
            )
            return UNSEEN

    async def _fetch(self, url: str) -> bytes:
        response = await self.http.get(url, timeout=self.settings.fetch_timeout_seconds)
        response.raise_for_status()
        return response.content
