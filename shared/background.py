"""Background loops owned by a service's lifespan, stopped cleanly on shutdown.

A loop is an ``async`` function taking the shared ``stopping`` event; it should finish
its current unit of work and return once the event is set. :meth:`BackgroundLoops.stop`
sets it, waits up to a bound, then cancels whatever is still running.

A service declares its background work as one list of :class:`Job` s (the way arq lists
``cron_jobs``): a queue consumer's or a scheduler's loop, :func:`periodic` work, or
:func:`locked` work that only the replica holding a lock runs. :func:`start_jobs` runs
them for a lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from functools import partial
from typing import Protocol

log = logging.getLogger(__name__)

Loop = Callable[[asyncio.Event], Awaitable[None]]


class BackgroundLoops:
    """The set of long-running tasks of one process."""

    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, name: str, loop: Loop) -> None:
        """Run ``loop(stopping)`` as a task; a crash is logged and the loop restarted."""
        self._tasks.append(asyncio.create_task(self._supervise(name, loop), name=name))

    async def _supervise(self, name: str, loop: Loop) -> None:
        while not self.stopping.is_set():
            try:
                await loop(self.stopping)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background loop crashed; restarting in 1 s", extra={"loop": name})
                await sleep_unless_stopping(self.stopping, 1.0)

    async def stop(self, timeout_seconds: float) -> None:
        """Ask every loop to stop; cancel those still running after ``timeout_seconds``."""
        self.stopping.set()
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks, timeout=timeout_seconds)
        for task in pending:
            log.warning(
                "background loop did not stop in time; cancelling", extra={"loop": task.get_name()}
            )
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def sleep_unless_stopping(stopping: asyncio.Event, seconds: float) -> bool:
    """Sleep ``seconds`` or until ``stopping`` is set; True if it was set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)
    return stopping.is_set()


async def every(
    interval_seconds: float,
    work: Callable[[], Awaitable[object]],
    stopping: asyncio.Event,
    first_retry_seconds: float | None = None,
) -> None:
    """Run ``work`` now and then every ``interval_seconds`` until ``stopping`` is set.

    With ``first_retry_seconds``, until a pass has run (``work`` returns False when it
    did not, e.g. a lock was held elsewhere) a skipped or failed pass is tried again that
    soon instead.
    """
    has_run = False
    retry = interval_seconds if first_retry_seconds is None else first_retry_seconds
    while not stopping.is_set():
        try:
            has_run = await work() is not False or has_run
        except Exception:
            # The task is named after its job (BackgroundLoops.start).
            task = asyncio.current_task()
            log.exception(
                "periodic work failed; trying again", extra={"loop": task and task.get_name()}
            )
        wait = interval_seconds if has_run else min(retry, interval_seconds)
        if await sleep_unless_stopping(stopping, wait):
            return


class Lock(Protocol):
    """A lock one process of many holds at a time (e.g. :class:`shared.locks.DynamoLock`)."""

    def held(self) -> AbstractAsyncContextManager[bool]:
        """``async with lock.held() as got:`` — ``got`` says whether we hold it."""
        ...


@dataclass(frozen=True)
class Job:
    """One piece of a service's background work: a named loop, restarted if it crashes."""

    name: str
    loop: Loop


def periodic(name: str, interval_seconds: float, work: Callable[[], Awaitable[object]]) -> Job:
    """A job running ``work`` now and then every ``interval_seconds`` (see :func:`every`)."""
    return Job(name, partial(every, interval_seconds, work))


def locked(
    name: str,
    lock: Lock,
    interval_seconds: float,
    work: Loop,
    first_retry_seconds: float | None = None,
) -> Job:
    """A periodic job that only the process holding ``lock`` runs: each pass takes the
    lock, runs ``work(stopping)`` under it and gives it up; a process that did not get it
    tries again ``first_retry_seconds`` later until it first has (see :func:`every`)."""

    async def loop(stopping: asyncio.Event) -> None:
        await every(
            interval_seconds,
            partial(_pass_under, lock, work, stopping),
            stopping,
            first_retry_seconds,
        )

    return Job(name, loop)


async def _pass_under(lock: Lock, work: Loop, stopping: asyncio.Event) -> bool:
    async with lock.held() as got:
        if got:
            await work(stopping)
        return got


def start_jobs(jobs: Sequence[Job], stack: AsyncExitStack, stop_seconds: float) -> None:
    """Run ``jobs`` until ``stack`` closes; then stop them, cancelling after ``stop_seconds``."""
    loops = BackgroundLoops()
    for job in jobs:
        loops.start(job.name, job.loop)
    stack.push_async_callback(loops.stop, stop_seconds)
