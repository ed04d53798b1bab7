"""ingest's use case: one photo for one lease, stored exactly once.

Steps, each safe to repeat, so a retry of the same request repairs a crash between
any two of them:

1. already committed? then skip to 4 (the stored photo wins; a retry never replaces it);
2. make the renditions (off the event loop) and write them;
3. commit ``submission.json`` with ``If-None-Match: *``;
4. finish the lease (delete the ``frames`` message; a stale receipt is fine);
5. announce ``SubmissionIngested`` unless already announced, then mark it announced.

A crash between "send" and "mark" in step 5 announces twice; moderation is idempotent
per submission id, as every SQS consumer must be anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.ingest.ports import Announcer, LeaseFinisher, PhotoProcessor, SubmissionStore
from shared.leases import LeaseClaims
from shared.messages import SubmissionIngested, utcnow
from shared.records import SubmissionRecord, renditions_of


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
    photos: PhotoProcessor

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
        renditions = await self.photos.renditions(body, content_type, (video.width, video.height))
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
