"""Bodies of ingest's internal API, named by role."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.messages import Renditions


class SubmissionStored(BaseModel):
    """A photo stored for a lease (``created`` is False when it was already stored)."""

    submission_id: str
    video: str
    frame: int
    renditions: Renditions
    width: int
    height: int
    created_at: datetime
    created: bool
