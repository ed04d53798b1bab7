"""Crashing a real process at a chosen moment: while it holds a DynamoDB lock."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time

from shared.aws import AwsClients

POLL_SECONDS = 0.02


async def lock_item(aws: AwsClients, table: str, name: str) -> dict[str, object] | None:
    """The lock item of ``name`` while it is valid (unexpired), else None."""
    key = {"pk": {"S": f"lock#{name}"}, "sk": {"S": "lock"}}
    found = await aws.dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)
    item = found.get("Item")
    if item is None or float(str(item["expires_at"]["N"])) <= time.time():
        return None
    return dict(item)


async def kill_while_holding(
    proc: subprocess.Popen[bytes], aws: AwsClients, table: str, name: str, timeout_seconds: float
) -> None:
    """``kill -9`` the process group of ``proc`` at a moment it holds lock ``name``.

    The group is frozen (SIGSTOP) when the lock is seen, and killed only if the lock is
    still there, so the kill lands while the lock is held, not just after its release.
    """
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if await lock_item(aws, table, name) is not None:
            os.killpg(proc.pid, signal.SIGSTOP)
            if await lock_item(aws, table, name) is not None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return
            os.killpg(proc.pid, signal.SIGCONT)
        await asyncio.sleep(POLL_SECONDS)
    raise AssertionError(f"lock {name} was never seen held within {timeout_seconds} s")
