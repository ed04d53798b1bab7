"""A locked job: its work runs only in the process holding the lock, and stops on shutdown."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from shared.background import locked

RETRY_SECONDS = 0.01
LONG_INTERVAL_SECONDS = 3600.0
BOUND_SECONDS = 5.0


class TakenAtFirst:
    """A lock another process holds for the first ``busy_for`` attempts."""

    def __init__(self, busy_for: int) -> None:
        self.busy_for = busy_for
        self.attempts = 0
        self.holding = False

    @asynccontextmanager
    async def held(self) -> AsyncIterator[bool]:
        self.attempts += 1
        got = self.attempts > self.busy_for
        self.holding = got
        try:
            yield got
        finally:
            self.holding = False


async def run_until_stopped(job, seconds: float) -> None:
    stopping = asyncio.Event()
    task = asyncio.create_task(job.loop(stopping))
    await asyncio.sleep(seconds)
    stopping.set()
    await asyncio.wait_for(task, BOUND_SECONDS)


async def test_a_locked_job_tries_again_soon_and_runs_once_it_holds_the_lock():
    lock = TakenAtFirst(busy_for=2)
    runs: list[tuple[int, bool]] = []

    async def work(stopping: asyncio.Event) -> None:
        runs.append((lock.attempts, lock.holding))

    job = locked("j", lock, LONG_INTERVAL_SECONDS, work, first_retry_seconds=RETRY_SECONDS)
    await run_until_stopped(job, 0.3)
    assert runs == [(3, True)]


async def test_work_that_keeps_its_lock_until_shutdown_stops_when_asked():
    lock = TakenAtFirst(busy_for=0)
    states: list[str] = []

    async def work(stopping: asyncio.Event) -> None:
        states.append("holding")
        await stopping.wait()
        states.append("stopped")

    await run_until_stopped(locked("j", lock, RETRY_SECONDS, work), 0.1)
    assert states == ["holding", "stopped"]
    assert not lock.holding
