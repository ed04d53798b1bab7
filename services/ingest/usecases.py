"""ingest's use case: one photo for one lease, stored exactly once.

Steps, each safe to repeat, so a retry of the same request repairs a crash between
any two of them (uploads of one submission take turns in this process):

1. already committed? then skip to 4 (the stored photo wins; a retry never replaces it);
2. make the renditions (off the event loop), claim the submission for this photo's
   SHA-256 and write them only if the claim is this photo's. Another photo's claim means
   its answer: the stored record once committed, else 409 ``submission_in_progress``;
3. note the submission as pending announcement, then commit ``submission.json`` with
   ``If-None-Match: *``;
4. finish the lease (delete the ``frames`` message; a stale receipt is fine);
5. announce ``SubmissionIngested`` unless already announced, then mark it announced
   (which drops the pending note).

A crash between "send" and "mark" in step 5 announces twice; moderation is idempotent
per submission id, as every SQS consumer must be anyway. A crash after step 3 with no
retry is repaired by :meth:`Ingestor.announce_stragglers`, which a background loop runs:
for every pending submission older than a grace period it finishes the lease (the note
keeps the receipt handle) and announces it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.ingest.claims import (
    SUBMISSION_WAIT_SECONDS,
    SubmissionInProgress,
    SubmissionLocks,
    photo_digest,
)
from services.ingest.keys import renditions_of
from services.ingest.outbox import PendingSubmission
from services.ingest.ports import Announcer, LeaseFinisher, PhotoProcessor, SubmissionStore
from shared.errors import OfofError
from shared.leases import LeaseClaims
from shared.messages import SubmissionIngested, utcnow
from shared.metrics import Observer, Tally
from shared.records import SubmissionRecord

log = logging.getLogger(__name__)
# The sweep leaves younger pending submissions to their requests (INGEST_ANNOUNCE_GRACE_SECONDS).
ANNOUNCE_GRACE_SECONDS = 60.0


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
    # How long a second upload of one submission waits for the first, in this process.
    locks: SubmissionLocks = field(
        default_factory=lambda: SubmissionLocks(wait_seconds=SUBMISSION_WAIT_SECONDS)
    )
    # A pending submission younger than this is left to the request storing it.
    announce_grace_seconds: float = ANNOUNCE_GRACE_SECONDS
    clock: Callable[[], datetime] = utcnow
    # Where upload outcomes are reported (ofof_uploads on /metrics).
    observer: Observer = field(default_factory=Tally)

    def refused(self, reason: str) -> None:
        """Count an upload refused before it reached :meth:`ingest` (its body)."""
        self.observer.count("ofof_uploads", outcome="refused", reason=reason)

    async def ingest(
        self, claims: LeaseClaims, content_type: str, body: bytes, display_name: str | None
    ) -> Outcome:
        """Store the photo of lease ``claims`` and hand it to moderation."""
        try:
            outcome = await self._ingest(claims, content_type, body, display_name)
        except OfofError as exc:
            self.refused(exc.code)
            raise
        if outcome.created:
            self.observer.count("ofof_uploads", outcome="accepted", reason="")
        return outcome

    async def _ingest(
        self, claims: LeaseClaims, content_type: str, body: bytes, display_name: str | None
    ) -> Outcome:
        async with self.locks.hold(claims.lease_id):
            record = await self.store.committed(claims.lease_id)
            outcome = None if record is None else Outcome(record, created=False)
            if outcome is None:
                outcome = await self._store(claims, content_type, body, display_name)
            await self.frames.finish(claims.video, claims.receipt_handle)
            await self._announce(outcome.record)
            return outcome

    async def announce_stragglers(self) -> list[str]:
        """Announce every committed submission a crash left unannounced for longer than
        the grace period, and drop notes of submissions never committed (a retry writes
        its note again). Returns the ids announced."""
        due = self.clock() - timedelta(seconds=self.announce_grace_seconds)
        announced = []
        for note in await self.store.pending():
            if note.created_at > due or self.locks.is_held(note.submission_id):
                continue
            async with self.locks.hold(note.submission_id):
                if await self._repair(note):
                    announced.append(note.submission_id)
        if announced:
            log.warning("announced submissions a crash had left behind: %s", announced)
        return announced

    async def _repair(self, note: PendingSubmission) -> bool:
        record = await self.store.committed(note.submission_id)
        if record is not None:
            if note.receipt_handle:  # the crash may have come before step 4
                await self.frames.finish(note.video, note.receipt_handle)
            if await self._announce(record):
                return True
        await self.store.drop_pending(note.submission_id)
        return False

    async def _announce(self, record: SubmissionRecord) -> bool:
        """Announce unless already announced; True if this call sent it."""
        if await self.store.was_announced(record.submission_id):
            return False
        await self.announcer.announce(SubmissionIngested(**record.model_dump()))
        await self.store.mark_announced(record.submission_id)
        return True

    async def _store(
        self, claims: LeaseClaims, content_type: str, body: bytes, display_name: str | None
    ) -> Outcome:
        video = await self.store.video(claims.video)
        renditions = await self.photos.renditions(body, content_type, (video.width, video.height))
        if not await self.store.put_renditions(claims.lease_id, renditions, photo_digest(body)):
            return await self._answer_of_the_claimed_photo(claims.lease_id)
        record = SubmissionRecord(
            submission_id=claims.lease_id,
            video=claims.video,
            frame=claims.frame,
            client_id=claims.client_id,
            display_name=display_name,
            renditions=renditions_of(claims.lease_id),
            width=renditions.source_width,
            height=renditions.source_height,
            created_at=self.clock(),
        )
        if not await self.store.commit(record, claims.receipt_handle):
            # A concurrent retry committed first; its record is the truth.
            return await self._answer_of_the_claimed_photo(claims.lease_id)
        return Outcome(record, created=True)

    async def _answer_of_the_claimed_photo(self, submission_id: str) -> Outcome:
        """Another upload holds the claim: its committed record, else 409 for now."""
        committed = await self.store.committed(submission_id)
        if committed is None:
            raise SubmissionInProgress(submission_id)
        return Outcome(committed, created=False)
