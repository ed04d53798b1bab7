"""The submission store in the media bucket, over the shared object store."""

from __future__ import annotations

import asyncio

from services.ingest.imaging import Renditions
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
# The announced marker is empty: only its existence counts.
MARKER = "application/octet-stream"


class S3SubmissionStore:
    """:class:`~services.ingest.ports.SubmissionStore` under ``submissions/{id}/…``.

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

    async def put_renditions(self, submission_id: str, renditions: Renditions) -> None:
        """Write the three renditions at once; immutable, so caches may keep them."""
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

    async def commit(self, record: SubmissionRecord) -> bool:
        """Write ``submission.json`` unless it exists (``If-None-Match: *``)."""
        return await self.objects.create(
            submission_record_key(record.submission_id),
            record.model_dump_json().encode(),
            "application/json",
        )

    async def was_announced(self, submission_id: str) -> bool:
        """True once the announced marker exists."""
        return await self.objects.exists(announced_key(submission_id))

    async def mark_announced(self, submission_id: str) -> None:
        """Write the announced marker."""
        await self.objects.put(announced_key(submission_id), b"", MARKER)
