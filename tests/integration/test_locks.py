"""The DynamoDB lock against the moto server: short-lived, renewed while work runs."""

import asyncio
import time

import pytest

from shared.locks import DynamoLock, LockLost

pytestmark = pytest.mark.every_aws

TTL_SECONDS = 1.0
BOUND_SECONDS = 10.0


def lock(aws, aws_fields, ttl_seconds: float = TTL_SECONDS) -> DynamoLock:
    return DynamoLock(aws.dynamodb, str(aws_fields["reviews_table"]), "job", ttl_seconds)


async def test_a_crashed_holders_lock_is_taken_over_within_its_ttl(aws, aws_fields):
    crashed = lock(aws, aws_fields)
    assert await crashed.acquire()  # then it dies: no heartbeat, no release
    taker = lock(aws, aws_fields)
    started = time.monotonic()
    while not await taker.acquire():
        assert time.monotonic() - started < BOUND_SECONDS, "the dead holder's lock never lapsed"
        await asyncio.sleep(0.1)
    assert time.monotonic() - started < TTL_SECONDS + 2.0


async def test_a_long_job_keeps_its_lock_past_the_ttl_thanks_to_renewal(aws, aws_fields):
    holder, other = lock(aws, aws_fields), lock(aws, aws_fields)
    async with holder.held() as got:
        assert got
        until = time.monotonic() + 3 * TTL_SECONDS
        while time.monotonic() < until:
            assert not await other.acquire(), "the lock lapsed while its job still ran"
            await asyncio.sleep(0.1)
    assert await other.acquire()  # released at once on exit


async def test_work_whose_lock_was_taken_over_is_cancelled_with_lock_lost(aws, aws_fields):
    holder, other = lock(aws, aws_fields), lock(aws, aws_fields)
    finished = False

    async def stalled_job() -> None:
        nonlocal finished
        async with holder.held() as got:
            assert got
            # As if our heartbeat had stalled past the TTL and another owner took over.
            await aws.dynamodb.delete_item(TableName=holder.table, Key=holder.key)
            assert await other.acquire()
            await asyncio.sleep(BOUND_SECONDS)
            finished = True

    with pytest.raises(LockLost):
        await asyncio.wait_for(stalled_job(), BOUND_SECONDS / 2)
    assert not finished
    assert not await lock(aws, aws_fields).acquire()  # the new owner's lock was left alone


async def test_cancelling_the_work_from_outside_cancels_it_and_frees_the_lock(aws, aws_fields):
    holder = lock(aws, aws_fields, ttl_seconds=30.0)
    entered = asyncio.Event()

    async def job() -> None:
        async with holder.held():
            entered.set()
            await asyncio.sleep(BOUND_SECONDS)

    task = asyncio.create_task(job())
    await asyncio.wait_for(entered.wait(), BOUND_SECONDS)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await lock(aws, aws_fields).acquire()
