"""ingest's ports: what its use case needs from the outside world, in domain words."""

from __future__ import annotations

from typing import Protocol

from services.ingest.imaging import EncodedRenditions
from services.ingest.outbox import PendingSubmission
from shared.messages import SubmissionIngested
from shared.records import SubmissionRecord, VideoRecord


class SubmissionStore(Protocol):
    """Where submissions live (the media bucket)."""

    async def committed(self, submission_id: str) -> SubmissionRecord | None:
        """The commit record of a submission, if it was committed."""

    async def video(self, video: str) -> VideoRecord:
        """The record of an imported video (NotFound if it was never imported)."""

    async def put_renditions(
        self, submission_id: str, renditions: EncodedRenditions, photo_sha256: str
    ) -> bool:
        """Claim the submission for the photo ``photo_sha256`` (the first photo wins,
        atomically), then write its three renditions (overwriting the same photo's is
        fine). False, with nothing written, when another photo holds the claim."""

    async def commit(self, record: SubmissionRecord, receipt_handle: str) -> bool:
        """Note the submission (with its lease's receipt handle) as pending, then write
        the commit record unless one exists; True if this call wrote it."""

    async def was_announced(self, submission_id: str) -> bool:
        """True once the SubmissionIngested of this submission was sent."""

    async def mark_announced(self, submission_id: str) -> None:
        """Remember that the SubmissionIngested was sent; it is pending no more."""

    async def pending(self) -> list[PendingSubmission]:
        """The submissions noted as pending announcement (O(pending), not O(all))."""

    async def drop_pending(self, submission_id: str) -> None:
        """Forget a pending note (announced already, or never committed)."""


class LeaseFinisher(Protocol):
    """Each video's frames queue, from ingest's side."""

    async def finish(self, video: str, receipt_handle: str) -> None:
        """Delete the slot's message from the video's queue: the lease is done. A stale
        handle (or a queue recreated since the lease) is ignored."""


class Announcer(Protocol):
    """The ``moderation`` queue."""

    async def announce(self, message: SubmissionIngested) -> None:
        """Tell moderation about a stored submission."""


class PhotoProcessor(Protocol):
    """Turns an uploaded photo into its renditions (CPU work, off the event loop)."""

    async def renditions(
        self, body: bytes, content_type: str, clip_size: tuple[int, int]
    ) -> EncodedRenditions:
        """The three renditions of ``body`` for a clip of ``clip_size`` (width, height);
        raises ``UnusableImage`` for a photo that cannot be used."""
