"""A named lock with expiry in a DynamoDB table, so one replica at a time does a job.

The lock is an item ``pk = "lock#<name>"``, ``sk = "lock"`` holding its owner and an
expiry (epoch seconds). Acquiring is one conditional put that succeeds when the item is
absent, expired or already ours; a crashed holder therefore blocks others for at most
``ttl_seconds``. Work done under the lock must still be idempotent: an expired lock can
be taken over while a slow holder is still finishing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from shared.aws import is_condition_failed

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient


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
        self.key = {"pk": {"S": f"lock#{name}"}, "sk": {"S": "lock"}}
        self.ttl_seconds = ttl_seconds
        self.owner = uuid.uuid4().hex
        self.clock = clock

    async def acquire(self) -> bool:
        """Take (or extend) the lock; False when someone else holds it."""
        now = self.clock()
        try:
            await self.dynamodb.put_item(
                TableName=self.table,
                Item={
                    **self.key,
                    "owner": {"S": self.owner},
                    "expires_at": {"N": f"{now + self.ttl_seconds:.3f}"},
                },
                ConditionExpression="attribute_not_exists(pk) OR expires_at < :now OR #o = :me",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":now": {"N": f"{now:.3f}"}, ":me": {"S": self.owner}},
            )
        except ClientError as exc:
            if is_condition_failed(exc):
                return False
            raise
        return True

    async def release(self) -> None:
        """Give the lock up if we still hold it."""
        try:
            await self.dynamodb.delete_item(
                TableName=self.table,
                Key=self.key,
                ConditionExpression="#o = :me",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":me": {"S": self.owner}},
            )
        except ClientError as exc:
            if not is_condition_failed(exc):
                raise

    @asynccontextmanager
    async def held(self) -> AsyncIterator[bool]:
        """``async with lock.held() as got:`` — ``got`` says whether we hold it."""
        got = await self.acquire()
        try:
            yield got
        finally:
            if got:
                await self.release()
