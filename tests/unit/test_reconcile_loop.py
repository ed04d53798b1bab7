"""Moderation's reconcile loop: at once on start, retried soon until a first pass ran."""

import asyncio

from shared.background import every

RETRY_SECONDS = 0.05
LONG_INTERVAL_SECONDS = 3600.0
BOUND_SECONDS = 5.0


async def run_for(outcomes: list[object], seconds: float) -> int:
    """Run the loop over passes with these outcomes (bool, or an exception to raise)."""
    calls = 0
    stopping = asyncio.Event()

    async def work() -> bool:
        nonlocal calls
        outcome = outcomes[min(calls, len(outcomes) - 1)]
        calls += 1
        if isinstance(outcome, Exception):
            raise outcome
        return bool(outcome)

    task = asyncio.create_task(every(LONG_INTERVAL_SECONDS, work, stopping, RETRY_SECONDS))
    await asyncio.sleep(seconds)
    stopping.set()
    await asyncio.wait_for(task, BOUND_SECONDS)
    return calls


async def test_a_pass_runs_at_once_on_start_and_then_waits_the_interval():
    assert await run_for([True], 0.5) == 1


async def test_a_start_finding_the_lock_held_tries_again_soon_until_a_pass_runs():
    # A crashed predecessor's lock is still valid: the first two passes are skipped.
    assert await run_for([False, False, True], 0.5) == 3


async def test_a_failed_first_pass_is_tried_again_soon():
    assert await run_for([RuntimeError("dynamodb down"), True], 0.5) == 2
