"""The submission store in the media bucket, over the shared object store."""

from __future__ import annotations

import asyncio

from services.ingest.imaging import EncodedRenditions
from services.ingest.keys import PENDING_ANNOUNCEMENTS_PREFIX, claim_key, pending_announcement_key
from services.ingest.outbox import PendingSubmission
from shared.errors import NotFound
from shared.objects import ObjectStore
from shared.records import (
    SubmissionRecord,
    VideoRecord,
    announced_key,
    rendition_key,
    submission_record_key,
    video_record_key,
)

JPEG = "image/jpeg"
# A claim holds the hex SHA-256 of the submission's one photo.
DIGEST = "text/plain"
# The announced marker is empty: only its existence counts.
MARKER = "application/octet-stream"


class S3SubmissionStore:
    """:class:`~services.ingest.ports.SubmissionStore` under ``submissions/{id}/…``, with
    its claims under ``submission-claims/`` and its outbox under ``submissions-pending/``.

    Errors are the object store's: S3 down is ``DependencyUnavailable`` (503).
    """

    def __init__(self, objects: ObjectStore, cache_control: str) -> None:
        self.objects = objects
        self.cache_control = cache_control
        # Video records never change once imported; read each once per process.
        self._videos: dict[str, VideoRecord] = {}

    async def committed(self, submission_id: str) -> SubmissionRecord | None:
        """The commit record of a submission, if it was committed."""
        return await self.objects.find_record(
            submission_record_key(submission_id), SubmissionRecord
        )

    async def video(self, video: str) -> VideoRecord:
        """The record of an imported video (NotFound ``unknown_video`` otherwise)."""
        if video not in self._videos:
            record = await self.objects.find_record(video_record_key(video), VideoRecord)
            if record is None:
                raise NotFound(f"video {video!r} was never imported", code="unknown_video")
            self._videos[video] = record
        return self._videos[video]

    async def put_renditions(
        self, submission_id: str, renditions: EncodedRenditions, photo_sha256: str
    ) -> bool:
        """Claim, then write the three renditions at once (immutable, so caches may keep
        them). False, with nothing written, when another photo holds the claim."""
        if not await self._claim(submission_id, photo_sha256):
            return False
        parts = {"large": renditions.large, "medium": renditions.medium, "thumb": renditions.thumb}
        await asyncio.gather(
            *(
                self.objects.put(
                    rendition_key(submission_id, name),
                    data,
                    JPEG,
                    cache_control=self.cache_control,
                )
                for name, data in parts.items()
            )
        )
        return True

    async def _claim(self, submission_id: str, photo_sha256: str) -> bool:
        """Create the claim (``If-None-Match: *``), or find it is already this photo's."""
        key = claim_key(submission_id)
        if await self.objects.create(key, photo_sha256.encode(), DIGEST):
            return True
        return await self.objects.find(key) == photo_sha256.encode()

    async def commit(self, record: SubmissionRecord, receipt_handle: str) -> bool:
        """Write the outbox marker, then ``submission.json`` unless it exists
        (``If-None-Match: *``). The marker goes first: a crash between the two leaves a
        marker without a commit, which the sweep drops; never a commit without one."""
        note = PendingSubmission(**record.model_dump(), receipt_handle=receipt_handle)
        await self.objects.put_record(pending_announcement_key(record.submission_id), note)
        return await self.objects.create(
            submission_record_key(record.submission_id),
            record.model_dump_json().encode(),
            "application/json",
        )

    async def was_announced(self, submission_id: str) -> bool:
        """True once the announced marker exists."""
        return await self.objects.exists(announced_key(submission_id))

    async def mark_announced(self, submission_id: str) -> None:
        """Write the announced marker, then drop the outbox marker."""
        await self.objects.put(announced_key(submission_id), b"", MARKER)
        await self.drop_pending(submission_id)

    async def pending(self) -> list[PendingSubmission]:
        """The outbox markers' records: one listing, then one read per marker."""
        found = []
        for key in await self.objects.etags(PENDING_ANNOUNCEMENTS_PREFIX):
            record = await self.objects.find_record(key, PendingSubmission)
            if record is not None:  # None: announced since the listing
                found.append(record)
        return found

    async def drop_pending(self, submission_id: str) -> None:
        """Delete the outbox marker (a missing one is fine)."""
        await self.objects.delete([pending_announcement_key(submission_id)])
