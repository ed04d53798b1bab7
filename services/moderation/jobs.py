"""moderation's periodic jobs, declared in one list (as arq lists its ``cron_jobs``).

Each :class:`Job` runs in the one replica holding its lock (a :class:`~shared.locks.DynamoLock`
in the reviews table, renewed while the work runs), then again every
``interval_seconds``. Until its first pass has run, a job with ``first_retry_seconds``
tries again that soon: after a crash the lock may still be held by the dead process for
up to its TTL, and what was lost while we were down (webhooks, for reconcile) must be
collected now, not an interval later. The lifespan (:mod:`.app`) starts every job.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from functools import partial

from services.moderation.deps import ModerationDeps
from services.moderation.settings import ModerationSettings
from shared.background import BackgroundLoops, sleep_unless_stopping
from shared.locks import RENEWALS_PER_TTL, DynamoLock

log = logging.getLogger(__name__)
Work = Callable[[ModerationDeps, ModerationSettings, asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    """One periodic job: ``work`` under the lock named ``lock``, every ``interval_seconds``."""

    name: str
    interval_seconds: float
    work: Work
    lock: str
    first_retry_seconds: float | None = None


async def reconcile(deps: ModerationDeps, _: ModerationSettings, __: asyncio.Event) -> None:
    """One reconcile pass over every open review."""
    looked_at = await deps.moderator.reconcile()
    log.info("reconciled", extra={"open_reviews": looked_at})


async def feed(deps: ModerationDeps, settings: ModerationSettings, stopping: asyncio.Event) -> None:
    """Feed every video's window each ``feed_seconds`` for as long as the lock is held,
    sweeping (lost queues repaired, unsent offers resent) first and every
    ``sweep_seconds``, looking for new videos every ``discover_seconds``."""
    next_sweep = next_discovery = 0.0
    while not stopping.is_set():
        sweep = time.monotonic() >= next_sweep
        if sweep:
            await deps.guard.check()
            next_sweep = time.monotonic() + settings.sweep_seconds
        if time.monotonic() >= next_discovery:
            await deps.feeder.discover()
            next_discovery = time.monotonic() + settings.discover_seconds
        for report in await deps.feeder.feed_all(sweep):
            if report.registered or report.reopened or report.resent:
                log.info("feeder repaired", extra=asdict(report))
        if await sleep_unless_stopping(stopping, settings.feed_seconds):
            return


def periodic_jobs(settings: ModerationSettings) -> list[Job]:
    """Every periodic job of moderation, with its cadence from ``settings``."""
    renewal_seconds = settings.reconcile_lock_seconds / RENEWALS_PER_TTL
    return [
        Job(
            "reconcile",
            settings.reconcile_seconds,
            reconcile,
            lock="reconcile",
            first_retry_seconds=renewal_seconds,
        ),
        # Held for as long as it can; the other replicas try every third of its TTL.
        Job("feeder", renewal_seconds, feed, lock="feeder"),
    ]


async def every(
    work: Callable[[], Awaitable[bool]],
    interval_seconds: float,
    first_retry_seconds: float | None,
    stopping: asyncio.Event,
    name: str = "periodic job",
) -> None:
    """Run ``work`` at once, then every ``interval_seconds`` (sooner, every
    ``first_retry_seconds``, until it first returns True: it ran)."""
    has_run = False
    retry = interval_seconds if first_retry_seconds is None else first_retry_seconds
    while not stopping.is_set():
        try:
            has_run = await work() or has_run
        except Exception:
            log.exception(f"{name} pass failed; trying again")
        wait = interval_seconds if has_run else min(retry, interval_seconds)
        if await sleep_unless_stopping(stopping, wait):
            return


async def locked(
    job: Job,
    lock: DynamoLock,
    deps: ModerationDeps,
    settings: ModerationSettings,
    stopping: asyncio.Event,
) -> bool:
    """One pass of ``job``, run only by the replica that holds ``lock``; True if it ran."""
    async with lock.held() as got:
        if got:
            await job.work(deps, settings, stopping)
        return got


async def run_job(
    job: Job, deps: ModerationDeps, settings: ModerationSettings, stopping: asyncio.Event
) -> None:
    """Run ``job`` until stopping."""
    lock = DynamoLock(
        deps.aws.dynamodb, settings.reviews_table, job.lock, settings.reconcile_lock_seconds
    )
    work = partial(locked, job, lock, deps, settings, stopping)
    await every(work, job.interval_seconds, job.first_retry_seconds, stopping, job.name)


def start_jobs(loops: BackgroundLoops, deps: ModerationDeps, settings: ModerationSettings) -> None:
    """Start every periodic job in ``loops``."""
    for job in periodic_jobs(settings):
        loops.start(job.name, partial(run_job, job, deps, settings))
