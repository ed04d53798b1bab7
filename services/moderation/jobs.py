"""moderation's background work, declared in one list (as arq lists its ``cron_jobs``).

The queue consumers, and the periodic jobs: each runs in the one replica holding its
lock (a :class:`~shared.locks.DynamoLock` in the reviews table, renewed while the work
runs), then again every interval (:func:`shared.background.locked`). Until its first
pass has run, reconcile tries again every third of the lock's TTL: after a crash the
lock may still be held by the dead process for up to its TTL, and what was lost while
we were down (webhooks) must be collected now, not an interval later. The lifespan
(:mod:`.app`) starts every job.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict
from functools import partial

from services.moderation.crowd.mturk.consumers import notification_handler
from services.moderation.deps import ModerationDeps
from services.moderation.reviews.consumers import ingest_handler
from services.moderation.settings import ModerationSettings
from shared.background import Job, locked, sleep_unless_stopping
from shared.consumer import MessageHandler, QueueConsumer
from shared.locks import RENEWALS_PER_TTL, DynamoLock

log = logging.getLogger(__name__)


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


def moderation_jobs(deps: ModerationDeps, settings: ModerationSettings) -> list[Job]:
    """The consumers of submissions (and of Mechanical Turk's notifications, when it takes
    new reviews), then the locked jobs."""
    submissions = ingest_handler(deps.moderator)
    jobs = [consumer("moderation-consumer", deps, settings.moderation_queue, submissions, settings)]
    if deps.mturk is not None:
        notifications = notification_handler(deps.mturk, deps.moderator.receive)
        jobs.append(consumer("mturk-consumer", deps, settings.mturk_queue, notifications, settings))
    return [*jobs, *locked_jobs(deps, settings)]


def consumer(
    name: str,
    deps: ModerationDeps,
    queue: str,
    handler: MessageHandler,
    settings: ModerationSettings,
) -> Job:
    """The job consuming ``queue`` with ``handler``."""
    consuming = QueueConsumer(
        deps.aws,
        queue,
        handler,
        wait_seconds=settings.consumer_wait_seconds,
        visibility_seconds=settings.consumer_visibility_seconds,
    )
    return Job(name, consuming.run)


def locked_jobs(deps: ModerationDeps, settings: ModerationSettings) -> list[Job]:
    """Reconcile and the feeder, each with its cadence from ``settings``."""
    renewal_seconds = settings.reconcile_lock_seconds / RENEWALS_PER_TTL
    return [
        locked(
            "reconcile",
            lock_of("reconcile", deps, settings),
            settings.reconcile_seconds,
            partial(reconcile, deps, settings),
            first_retry_seconds=renewal_seconds,
        ),
        # Held for as long as it can; the other replicas try every third of its TTL.
        locked(
            "feeder",
            lock_of("feeder", deps, settings),
            renewal_seconds,
            partial(feed, deps, settings),
        ),
    ]


def lock_of(name: str, deps: ModerationDeps, settings: ModerationSettings) -> DynamoLock:
    """The lock named ``name`` in the reviews table."""
    return DynamoLock(
        deps.aws.dynamodb, settings.reviews_table, name, settings.reconcile_lock_seconds
    )
