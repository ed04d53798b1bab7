"""One photo per submission: which photo a submission is made of, and who may store it.

A submission is claimed for one photo (by its SHA-256) before any rendition is written;
only the claimed photo's renditions are ever written. Across replicas the claim is an S3
conditional create (atomic on S3). Inside one process, uploads of the same submission
also take turns on an asyncio lock, so a store whose conditional writes are not atomic
under concurrency (moto) still sees them one after the other, and the second upload
finds the first one's commit instead of racing it.

No I/O here: a digest, an error, and a table of in-process locks.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from shared.errors import Conflict


class SubmissionInProgress(Conflict):
    """Another upload of this submission (a different photo) is still being stored."""

    default_code = "submission_in_progress"

    def __init__(self, submission_id: str) -> None:
        super().__init__(
            f"another photo of {submission_id} is being stored; retry for its answer",
            retry_after_seconds=1,
        )


def photo_digest(body: bytes) -> str:
    """The photo's identity in a claim: the hex SHA-256 of the uploaded bytes."""
    return hashlib.sha256(body).hexdigest()


# How long a second upload of one submission waits for the first (INGEST_SUBMISSION_WAIT_SECONDS).
SUBMISSION_WAIT_SECONDS = 20.0


@dataclass
class _HeldLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class SubmissionLocks:
    """One asyncio lock per submission id, made on first use and dropped when nobody holds
    or awaits it: the table never outgrows the uploads in flight."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        self._locks: dict[str, _HeldLock] = {}

    def __len__(self) -> int:
        return len(self._locks)

    def is_held(self, submission_id: str) -> bool:
        """Is an upload of ``submission_id`` running (or waiting) in this process?"""
        return submission_id in self._locks

    @asynccontextmanager
    async def hold(self, submission_id: str) -> AsyncIterator[None]:
        """Run the block alone for ``submission_id``; :class:`SubmissionInProgress` when
        the upload before it has not finished within ``wait_seconds``."""
        held = self._locks.setdefault(submission_id, _HeldLock())
        held.users += 1
        try:
            try:
                async with asyncio.timeout(self.wait_seconds):
                    await held.lock.acquire()
            except TimeoutError as exc:
                raise SubmissionInProgress(submission_id) from exc
            try:
                yield
            finally:
                held.lock.release()
        finally:
            held.users -= 1
            if held.users == 0:
                del self._locks[submission_id]
