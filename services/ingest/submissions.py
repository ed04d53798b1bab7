"""The ingest use case: one photo for one lease, stored exactly once.

Steps, each safe to repeat, so a retry of the same request repairs a crash between
any two of them:

1. already committed? then skip to 4 (the stored photo wins; a retry never replaces it);
2. make the renditions (in the image pool) and write them;
3. commit ``submission.json`` with ``If-None-Match: *``;
4. finish the lease (delete the ``frames`` message; a stale receipt is fine);
5. announce ``SubmissionIngested`` unless already announced, then mark it announced.

A crash between "send" and "mark" in step 5 announces twice; moderation is idempotent
per submission id, as every SQS consumer must be anyway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from services.ingest.imaging import Renditions
from shared.leases import LeaseClaims
from shared.messages import SubmissionIngested, utcnow
from shared.records import SubmissionRecord, VideoRecord, renditions_of

MakeRenditions = Callable[[bytes, str, tuple[int, int]], Awaitable[Renditions]]


class SubmissionStore(Protocol):
    """Where submissions live (S3)."""

    async def committed(self, submission_id: str) -> SubmissionRecord | None:
        """The commit record of a submission, if it was committed."""

    async def video(self, video: str) -> VideoRecord:
        """The record of an imported video (NotFound if it was never imported)."""

    async def put_renditions(self, submission_id: str, renditions: Renditions) -> None:
        """Write the three renditions (overwriting is fine before the commit)."""

    async def commit(self, record: SubmissionRecord) -> bool:
        """Write the commit record unless one exists; True if this call wrote it."""

    async def was_announced(self, submission_id: str) -> bool:
        """True once the SubmissionIngested of this submission was sent."""

    async def mark_announced(self, submission_id: str) -> None:
        """Remember that the SubmissionIngested was sent."""


class LeaseFinisher(Protocol):
    """The ``frames`` queue, from ingest's side."""

    async def finish(self, receipt_handle: str) -> None:
        """Delete the slot's message: the lease is done. A stale handle is ignored."""


class Announcer(Protocol):
    """The ``moderation`` queue."""

    async def announce(self, message: SubmissionIngested) -> None:
        """Tell moderation about a stored submission."""


@dataclass(frozen=True)
class Outcome:
    """What ingest did with a photo: ``created`` is False for a repeat."""

    record: SubmissionRecord
    created: bool


@dataclass
class Ingestor:
    """Runs the steps above against its ports."""

    store: SubmissionStore
    frames: LeaseFinisher
    announcer: Announcer
    make_renditions: MakeRenditions

    async def ingest(
        self, claims: LeaseClaims, content_type: str, body: bytes, display_name: str | None
    ) -> Outcome:
        """Store the photo of lease ``claims`` and hand it to moderation."""
        record = await self.store.committed(claims.lease_id)
        created = record is None
        if record is None:
            record = await self._store(claims, content_type, body, display_name)
        await self.frames.finish(claims.receipt_handle)
        if not await self.store.was_announced(record.submission_id):
            await self.announcer.announce(SubmissionIngested(**record.model_dump()))
            await self.store.mark_announced(record.submission_id)
        return Outcome(record=record, created=created)

    async def _store(
        self, claims: LeaseClaims, content_type: str, body: bytes, display_name: str | None
    ) -> SubmissionRecord:
        video = await self.store.video(claims.video)
        renditions = await self.make_renditions(body, content_type, (video.width, video.height))
        await self.store.put_renditions(claims.lease_id, renditions)
        record = SubmissionRecord(
            submission_id=claims.lease_id,
            video=claims.video,
            frame=claims.frame,
            client_id=claims.client_id,
            display_name=display_name,
            renditions=renditions_of(claims.lease_id),
            width=renditions.source_width,
            height=renditions.source_height,
            created_at=utcnow(),
        )
        if not await self.store.commit(record):
            # A concurrent retry committed first; its record is the truth.
            committed = await self.store.committed(claims.lease_id)
            assert committed is not None
            return committed
        return record
