"""Where things live in S3, and the JSON records stored there (DESIGN.md "Storage").

The renderer writes a video's record when it imports the video; ingest reads it to
size renditions, the gateway to serve originals, moderation to compare photos with
their original frame. Ingest writes each submission's record as its commit.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.messages import Renditions

RENDITION_NAMES = ("large", "medium", "thumb")


def original_key(video: str, frame: int) -> str:
    """S3 key of the original frame ``frame`` of ``video`` (JPEG at clip size)."""
    return f"originals/{video}/{frame:06d}.jpg"


def video_record_key(video: str) -> str:
    """S3 key of the :class:`VideoRecord` of ``video``."""
    return f"originals/{video}/video.json"


def audio_key(video: str) -> str:
    """S3 key of the original audio track of ``video``."""
    return f"originals/{video}/audio.mka"


def current_clip_key(video: str) -> str:
    """S3 key of the pointer the renderer swaps when it publishes a clip of ``video``."""
    return f"clips/{video}/current.json"


def rendition_key(submission_id: str, name: str) -> str:
    """S3 key of one rendition (``large``, ``medium``, ``thumb``) of a submission."""
    return f"submissions/{submission_id}/{name}.jpg"


def renditions_of(submission_id: str) -> Renditions:
    """The three rendition keys of a submission."""
    return Renditions(**{name: rendition_key(submission_id, name) for name in RENDITION_NAMES})


def submission_record_key(submission_id: str) -> str:
    """S3 key of a submission's commit record."""
    return f"submissions/{submission_id}/submission.json"


class Record(BaseModel):
    """Base of stored JSON records: immutable, tolerant of fields added later."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class VideoRecord(Record):
    """An imported video: the clip every render reproduces in size, rate and length."""

    video: str
    fps_num: int = Field(gt=0)
    fps_den: int = Field(gt=0)
    frame_count: int = Field(gt=0)
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    has_audio: bool
    imported_at: datetime

    @property
    def fps(self) -> float:
        """Frames per second as a float (the exact rate is ``fps_num / fps_den``)."""
        return self.fps_num / self.fps_den


class SubmissionRecord(Record):
    """A stored submission: written once, last, as ingest's commit."""

    submission_id: str
    video: str
    frame: int
    client_id: str
    display_name: str | None = None
    renditions: Renditions
    width: int
    height: int
    created_at: datetime
