"""The ``render`` queue's handler: a verdict becomes a slot candidate."""

from __future__ import annotations

from collections.abc import Callable

from services.renderer.blobstore import S3BlobStore
from services.renderer.slots import Candidate
from services.renderer.slotstore import SlotStore
from shared.messages import SubmissionModerated, parse_message
from shared.records import rendition_key


class VerdictHandler:
    """Stores each verdict; tells ``on_change`` when a slot's photo changed."""

    def __init__(
        self, store: S3BlobStore, slots: SlotStore, on_change: Callable[[str], None]
    ) -> None:
        self.store = store
        self.slots = slots
        self.on_change = on_change

    async def __call__(self, body: str) -> None:
        """Handle one ``SubmissionModerated`` body (safe to run twice)."""
        verdict = parse_message(body, SubmissionModerated)
        photo = rendition_key(verdict.submission_id, "large")
        # An approval needs the photo's ETag (its content version); a missing photo
        # raises NotFound here, so the message comes back later.
        etag = await self.store.etag(photo) if verdict.verdict == "approved" else ""
        candidate = Candidate(
            submission_id=verdict.submission_id,
            verdict=verdict.verdict,
            score=verdict.score,
            decided_at=verdict.decided_at,
            photo_key=photo,
            photo_etag=etag,
        )
        if await self.slots.record(verdict.video, verdict.frame, candidate):
            self.on_change(verdict.video)
