"""The crowd at work: judging new units after a delay and sending signed webhooks.

Each unit is judged in its own task: fetch the photo and the original frame over HTTP,
compare them off the event loop, let a crew of workers answer, mark the unit complete,
then POST ``unit_complete`` to the job's ``webhook_uri`` — unless a fault setting drops,
duplicates, delays or reshapes that delivery.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
from collections.abc import Coroutine
from typing import Any

import httpx

from sims.crowd.board import Board, Unit
from sims.crowd.looks import likeness
from sims.crowd.settings import CrowdSettings
from sims.crowd.workers import answers, crew, hire

log = logging.getLogger(__name__)


def signature_of(payload: str, api_key: str) -> str:
    """Crowdflower v1's webhook signature: hex SHA1 of the payload followed by the key."""
    return hashlib.sha1((payload + api_key).encode(), usedforsecurity=False).hexdigest()


class Simulation:
    """The simulated workforce of one local crowd process."""

    def __init__(self, settings: CrowdSettings, board: Board, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.board = board
        self.http = http
        # Simulation noise, not security: a seedable generator is what repeatability needs.
        self.rng = random.Random(settings.seed)  # noqa: S311
        self.workers = hire(settings, self.rng)
        self.fetching = asyncio.Semaphore(settings.fetch_concurrency)
        self.tasks: set[asyncio.Task[None]] = set()

    def start_judging(self, unit: Unit) -> None:
        """Judge ``unit`` in the background."""
        self._spawn(self._judge(unit))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def stop(self) -> None:
        """Cancel the judging and deliveries still in flight."""
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _judge(self, unit: Unit) -> None:
        delay = self.settings.judgment_delay_seconds
        await asyncio.sleep(delay + self.rng.uniform(0, self.settings.judgment_jitter_seconds))
        seen = await self._likeness(unit)
        job = self.board.jobs[unit.job_id]
        needed = job.judgments_per_unit + (self.rng.random() < self.settings.extra_judgment_share)
        bar = self.settings.trusted_min_trust
        for worker in crew(self.workers, needed, bar, self.rng):
            unit.judgments.append(
                self.board.judgment(unit, worker, answers(worker, seen, self.rng), bar)
            )
        unit.state = "complete"
        log.info("unit complete", extra={"unit_id": unit.unit_id, "likeness": round(seen, 3)})
        self._deliver(job.fields.get("webhook_uri", ""), unit)

    async def _likeness(self, unit: Unit) -> float:
        """How alike the unit's photo and original are; 0 when either cannot be fetched."""
        try:
            async with self.fetching:
                photo = await self._fetch(unit.data.get("photo_url", ""))
                original = await self._fetch(unit.data.get("original_url", ""))
            return await asyncio.to_thread(likeness, photo, original)
        except (httpx.HTTPError, OSError, ValueError) as exc:
            log.warning(
                "cannot see the unit's images",
                extra={"unit_id": unit.unit_id, "problem": type(exc).__name__},
            )
            return 0.0

    async def _fetch(self, url: str) -> bytes:
        response = await self.http.get(url, timeout=self.settings.fetch_timeout_seconds)
        response.raise_for_status()
        return response.content

    def _deliver(self, webhook_uri: str, unit: Unit) -> None:
        settings, rng = self.settings, self.rng
        if not webhook_uri or rng.random() < settings.webhook_drop_share:
            log.info("webhook dropped", extra={"unit_id": unit.unit_id})
            return
        shown = unit.shown()
        payload = json.dumps([shown] if rng.random() < settings.webhook_list_share else shown)
        copies = 2 if rng.random() < settings.webhook_duplicate_share else 1
        for _ in range(copies):
            self._spawn(
                self._post(webhook_uri, payload, rng.uniform(0, settings.webhook_reorder_seconds))
            )

    async def _post(self, webhook_uri: str, payload: str, delay_seconds: float) -> None:
        await asyncio.sleep(delay_seconds)
        form = {
            "signal": "unit_complete",
            "payload": payload,
            "signature": signature_of(payload, self.settings.api_key.get_secret_value()),
        }
        try:
            response = await self.http.post(
                webhook_uri, data=form, timeout=self.settings.webhook_timeout_seconds
            )
            log.info("webhook sent", extra={"status": response.status_code})
        except httpx.HTTPError as exc:
            log.warning("webhook failed", extra={"problem": type(exc).__name__})
