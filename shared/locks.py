"""A short-lived named lock in a DynamoDB table, renewed while its work runs.

The lock is an item ``pk = "lock#<name>"``, ``sk = "lock"`` holding its owner and an
expiry (epoch seconds). Acquiring is one conditional put that succeeds when the item is
absent, expired or already ours. While ``held()`` work runs, a heartbeat task renews the
expiry every third of ``ttl_seconds``, so the TTL can be seconds: a crashed holder (no
heartbeat) blocks others for at most ``ttl_seconds``, while a long job keeps its lock.

A renewal that finds the lock taken by another owner (our heartbeat was stalled past
the TTL) cancels the work under it, which then raises :class:`LockLost`: two holders
overlap for at most one renewal period. Work done under the lock must still be
idempotent, since a crash or a lost lock can leave it half done for the next holder.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from shared.background import sleep_unless_stopping
from shared.tables import write_if

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

log = logging.getLogger(__name__)

# A renewal runs every TTL / this, so two renewals can fail before the lock lapses.
RENEWALS_PER_TTL = 3


class LockLost(Exception):
    """Another owner took the lock while work ran under it; that work was cancelled."""


class DynamoLock:
    """One named lock; each instance has its own owner id."""

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table: str,
        name: str,
        ttl_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.dynamodb = dynamodb
        self.table = table
        self.name = name
        self.key = {"pk": {"S": f"lock#{name}"}, "sk": {"S": "lock"}}
        self.ttl_seconds = ttl_seconds
        self.owner = uuid.uuid4().hex
        self.clock = clock

    async def acquire(self) -> bool:
        """Take (or extend) the lock; False when someone else holds it."""
        now = self.clock()
        return await self._put(
            "attribute_not_exists(pk) OR expires_at < :now OR #o = :me",
            {":now": {"N": f"{now:.3f}"}},
        )

    async def renew(self) -> bool:
        """Push our expiry ``ttl_seconds`` ahead; False when the lock is no longer ours."""
        return await self._put("#o = :me", {})

    async def _put(self, condition: str, values: dict[str, dict[str, str]]) -> bool:
        write = self.dynamodb.put_item(
            TableName=self.table,
            Item={
                **self.key,
                "owner": {"S": self.owner},
                "expires_at": {"N": f"{self.clock() + self.ttl_seconds:.3f}"},
            },
            ConditionExpression=condition,
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues={**values, ":me": {"S": self.owner}},
        )
        return await write_if(f"taking lock {self.name}", write)

    async def release(self) -> None:
        """Give the lock up if we still hold it."""
        delete = self.dynamodb.delete_item(
            TableName=self.table,
            Key=self.key,
            ConditionExpression="#o = :me",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues={":me": {"S": self.owner}},
        )
        # False: someone else holds it now, so there is nothing of ours to give up.
        await write_if(f"releasing lock {self.name}", delete)

    @asynccontextmanager
    async def held(self) -> AsyncIterator[bool]:
        """``async with lock.held() as got:`` — ``got`` says whether we hold it.

        While the block runs the lock is renewed; on exit it is released. If another
        owner takes it meanwhile, the block is cancelled and :class:`LockLost` raised.
        """
        if not await self.acquire():
            yield False
            return
        heartbeat = Heartbeat(self)
        try:
            yield True
        except asyncio.CancelledError:
            if heartbeat.cancelled_holder and heartbeat.holder.uncancel() == 0:
                raise LockLost(f"lock {self.name} was taken by another owner") from None
            raise
        finally:
            await heartbeat.stop()
            await self._release_quietly()

    async def _release_quietly(self) -> None:
        # A failed release must not turn finished work into a failure: the lock lapses
        # by itself within ttl_seconds.
        try:
            await self.release()
        except Exception:
            log.warning("could not release lock; it expires by itself", exc_info=True)


class Heartbeat:
    """Renews a held lock every TTL / 3 from its own task; cancels the holder on loss."""

    def __init__(self, lock: DynamoLock) -> None:
        holder = asyncio.current_task()
        if holder is None:
            raise RuntimeError("a lock is held from inside an asyncio task")
        self.lock = lock
        self.holder = holder
        # True while the holder runs the work under the lock (not our own exit code),
        # so a cancellation always lands inside that work.
        self.working = True
        self.cancelled_holder = False
        self.stopping = asyncio.Event()
        self.task = asyncio.create_task(self._beat(), name=f"lock-heartbeat-{lock.name}")

    async def _beat(self) -> None:
        every_seconds = self.lock.ttl_seconds / RENEWALS_PER_TTL
        while not await sleep_unless_stopping(self.stopping, every_seconds):
            try:
                if await self.lock.renew():
                    continue
            except Exception:
                log.warning("could not renew lock; trying again", exc_info=True)
                continue
            log.warning(
                "lock lost to another owner; stopping the work under it",
                extra={"lock": self.lock.name},
            )
            if self.working:
                self.cancelled_holder = True
                self.holder.cancel()
            return

    async def stop(self) -> None:
        """Stop renewing; a renewal in flight finishes first, so none lands after release."""
        self.working = False
        self.stopping.set()
        await self.task
