"""Versioned SQS message bodies (DESIGN.md "Messages").

Every body is JSON with a ``version`` field. Consumers parse with :func:`parse_message`,
which turns anything malformed into :class:`MalformedMessage` so the consumer can
dead-letter it instead of crashing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import BadRequest

VideoName = str
# A crowd's (or the pre-screen's, or an operator's) decision about one photo.
Verdict = Literal["approved", "rejected"]


def utcnow() -> datetime:
    """Timezone-aware now, the only clock messages use."""
    return datetime.now(UTC)


class Message(BaseModel):
    """Base of every queue message: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_body(self) -> str:
        """The SQS message body."""
        return self.model_dump_json()


class FrameSlot(Message):
    """On ``frames``: a slot of a video that needs a photo."""

    version: Literal[1] = 1
    video: VideoName = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    frame: int = Field(ge=0)


class Renditions(BaseModel):
    """S3 keys of the three sizes of one submitted photo."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    large: str
    medium: str
    thumb: str


class SubmissionIngested(Message):
    """On ``moderation``: a photo was stored and its lease is done."""

    version: Literal[1] = 1
    submission_id: str = Field(min_length=1, max_length=128)
    video: VideoName
    frame: int = Field(ge=0)
    client_id: str
    display_name: str | None = Field(default=None, max_length=40)
    renditions: Renditions
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    created_at: datetime


class SubmissionModerated(Message):
    """On ``render``: the crowd's (or the pre-screen's, or an operator's) verdict."""

    version: Literal[1] = 1
    submission_id: str = Field(min_length=1, max_length=128)
    video: VideoName
    frame: int = Field(ge=0)
    verdict: Verdict
    score: float = Field(ge=0.0, le=1.0)
    reasons: list[str] = Field(default_factory=list)
    judgments: int = Field(ge=0)
    decided_at: datetime


class StoredRef(BaseModel):
    """One stored object at one content version: its S3 key and ETag."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=1024)
    etag: str = Field(max_length=256)


class SegmentRequested(Message):
    """On ``segments``: one segment of one rung for an encoder worker (renderer → renderer).

    ``segment_hash`` and ``init_name`` must match the inputs and settings (the worker
    checks), since they name the objects the worker writes.
    """

    version: Literal[1] = 1
    video: VideoName
    segment_hash: str = Field(pattern=r"^[0-9a-f]{32}$")
    init_name: str = Field(pattern=r"^init-[0-9a-f]{16}\.mp4$")
    index: int = Field(ge=0)
    first_frame: int = Field(ge=0)
    frames_per_segment: int = Field(gt=0)
    is_last: bool
    width: int = Field(gt=0, le=8192)
    height: int = Field(gt=0, le=8192)
    fps_num: int = Field(gt=0)
    fps_den: int = Field(gt=0)
    preset: str = Field(pattern=r"^[a-z]+$")
    crf: int = Field(ge=0, le=51)
    threads: int = Field(ge=1, le=64)
    frames: list[StoredRef] = Field(min_length=1, max_length=10_000)
    audio: StoredRef | None = None
    # A worker drops the message after this: its coordinator has encoded it already.
    expires_at: datetime


class MalformedMessage(BadRequest):
    """A queue body that is not valid JSON of the expected message and version."""

    default_code = "malformed_message"


M = TypeVar("M", bound=Message)


def parse_message(body: str | bytes, model: type[M]) -> M:
    """Parse and validate one SQS body as ``model``."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise MalformedMessage(f"not a valid {model.__name__}: {exc}") from exc
