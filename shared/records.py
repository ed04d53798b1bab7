"""Where things live in S3, and every record one service writes and another reads.

Only what crosses a boundary is here: a key or record one service (or the importer)
writes and another reads. What a service alone writes and reads is spelled in that
service (e.g. ``services/renderer/renders/keys.py``); each key in one place
(DESIGN.md "Storage").

The importer writes a video's record; ingest reads it to size renditions, the gateway
to serve originals, moderation to compare photos with their original frame. Ingest
writes each submission's record as its commit. The renderer writes the clip pointer and, per video
host, the hosted clip, which the gateway reads; moderation's read API answers with
:class:`ReviewView`, which the gateway parses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.messages import Renditions

ORIGINALS_PREFIX = "originals/"

# ``deleted``: the contributor withdrew the photo; its renditions are gone (issue 15).
ReviewStatus = Literal["pending", "approved", "rejected", "deleted"]


def originals_prefix(video: str) -> str:
    """S3 folder of everything imported for ``video`` (frames, record, audio)."""
    return f"{ORIGINALS_PREFIX}{video}/"


def video_of_prefix(prefix: str) -> str:
    """The video name of an :func:`originals_prefix` (``originals/demo/`` → ``demo``)."""
    return prefix.removeprefix(ORIGINALS_PREFIX).strip("/")


def original_key(video: str, frame: int) -> str:
    """S3 key of the original frame ``frame`` of ``video`` (JPEG at clip size)."""
    return f"{originals_prefix(video)}{frame:06d}.jpg"


def video_record_key(video: str) -> str:
    """S3 key of the :class:`VideoRecord` of ``video``."""
    return f"{originals_prefix(video)}video.json"


def audio_key(video: str) -> str:
    """S3 key of the original audio track of ``video``."""
    return f"{originals_prefix(video)}audio.mka"


def clips_prefix(video: str) -> str:
    """S3 folder of every published clip version of ``video`` (and its pointer)."""
    return f"clips/{video}/"


def clip_version_prefix(video: str, version: str) -> str:
    """S3 folder of one published clip version (immutable once written)."""
    return f"{clips_prefix(video)}{version}/"


def current_clip_key(video: str) -> str:
    """S3 key of the pointer the renderer swaps when it publishes a clip of ``video``."""
    return f"{clips_prefix(video)}current.json"


def hosted_clip_key(video: str, host: str) -> str:
    """S3 key of the :class:`HostedClip` of ``video`` on a video host (e.g. ``vimeo``)."""
    return f"{clips_prefix(video)}{host}.json"


# One folder per submission: ``submissions/{id}/`` (renditions, record, markers).
SUBMISSIONS_PREFIX = "submissions/"


def rendition_key(submission_id: str, name: str) -> str:
    """S3 key of one rendition (``large``, ``medium``, ``thumb``) of a submission."""
    return f"{SUBMISSIONS_PREFIX}{submission_id}/{name}.jpg"


def submission_record_key(submission_id: str) -> str:
    """S3 key of a submission's commit record."""
    return f"{SUBMISSIONS_PREFIX}{submission_id}/submission.json"


def announced_key(submission_id: str) -> str:
    """S3 key of ingest's marker: the submission was handed to moderation."""
    return f"{SUBMISSIONS_PREFIX}{submission_id}/announced"


# Share images (the photo beside its original, for link previews), one per submission,
# made once by the gateway; deleted with the submission's renditions.
SHARES_PREFIX = "shares/"


def share_image_key(submission_id: str) -> str:
    """S3 key of the share image (``og:image``) of a submission."""
    return f"{SHARES_PREFIX}{submission_id}.jpg"


def clip_facts_key(video: str, version: str) -> str:
    """S3 key of the :class:`ClipPointer` a published version keeps of itself, so its
    history (when, how many frames) outlives the swap of ``current.json``."""
    return f"{clip_version_prefix(video, version)}version.json"


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


class ClipFacts(Record):
    """What one clip version is, whether published (:class:`ClipPointer`) or just rendered."""

    video: str
    version: str
    clip_hash: str
    frame_count: int
    filled_slots: int
    duration_seconds: float
    built_at: datetime
    render_seconds: float


class ClipPointer(ClipFacts):
    """``clips/{video}/current.json``: the published clip. The renderer swaps it; the
    gateway serves it. The only mutable object under ``clips/``."""

    mp4_key: str
    poster_key: str
    hls_key: str
    # The frames showing a crowd photo (sorted); the home page draws its mosaic from them.
    filled_frames: list[int] = []
    published_at: datetime


class HostedClip(Record):
    """``clips/{video}/{host}.json``: the one video a host (Vimeo) keeps of ``video``.

    The renderer's publisher for that host writes it as soon as the host's video exists
    (so every later publish replaces that same video, across restarts) and again after
    each completed upload; the gateway embeds the host's player from it.
    """

    video: str
    host: str
    # The host's id of the video, e.g. Vimeo's ``/videos/123``.
    video_uri: str
    link: str
    player_embed_url: str
    # The clip whose upload completed last, its version and when; None before the first.
    clip_hash: str | None = None
    version: str | None = None
    published_at: datetime | None = None


class ReviewView(Record):
    """One review as moderation's read API shows it; keys are S3 keys in the media bucket."""

    submission_id: str
    video: str
    frame: int
    status: ReviewStatus
    score: float | None
    auto_score: float | None
    reasons: list[str]
    judgments: int
    display_name: str | None
    thumb_key: str
    medium_key: str
    large_key: str
    created_at: datetime
    decided_at: datetime | None


class ReviewList(Record):
    """Several reviews (the latest approvals, or the approved photos of one slot)."""

    reviews: list[ReviewView]


# Reports (issue 15): the gateway files a visitor's report with moderation and reads
# the operators' report queue from it.
ReportReason = Literal["nudity", "hate", "personal_data", "other"]
MAX_REPORT_NOTE_CHARS = 500


class ReportFiled(Record):
    """A visitor's report about a shown photo, as the gateway sends it to moderation."""

    visitor: str = Field(min_length=1, max_length=64)
    reason: ReportReason
    note: str = Field("", max_length=MAX_REPORT_NOTE_CHARS)


class ReportOutcome(Record):
    """What filing a report did: counted or already counted, and is the photo hidden."""

    counted: bool
    hidden: bool


class ReportView(Record):
    """One report, as the operators see it."""

    visitor: str
    reason: ReportReason
    note: str
    created_at: datetime


class ReportedPhotoView(Record):
    """One photo in the operators' report queue, with its review and its reports."""

    review: ReviewView
    # The contributor's client id, for a bulk revert of their photos.
    client_id: str
    first_reported_at: datetime
    reports: list[ReportView]


class ReportQueue(Record):
    """The reported photos awaiting an operator, oldest first."""

    photos: list[ReportedPhotoView]


class FrameSpend(Record):
    """What the crowd cost for one approved photo, in cents: the HIT's recorded cost on
    Mechanical Turk (``recorded``), else computed from the crowd settings."""

    video: str
    frame: int
    submission_id: str
    judgments: int
    cents: float
    recorded: bool = False


class EstimatedVideoSpend(Record):
    """What the crowd cost for one video's approved photos, in cents."""

    video: str
    approved_frames: int
    judgments: int
    cents: float


class CrowdSpend(Record):
    """Crowd spend, computed from the crowd settings and the judgments moderation keeps
    (pay per page / photos per page, per judgment); approved photos only."""

    cents_per_judgment: float
    videos: list[EstimatedVideoSpend]
    frames: list[FrameSpend]
    # Crowd work the platform forgot and moderation re-created, by kind (``job``,
    # ``hit_type``, ``hit``): how often it happened so far.
    healed: dict[str, int] = Field(default_factory=dict)


class RenderRun(Record):
    """One render the renderer did: when, how long, its segments, its publishers."""

    video: str
    version: str
    built_at: datetime
    render_seconds: float
    segments_encoded: int
    segments_reused: int
    # Publisher name -> "ok" or what went wrong.
    publishers: dict[str, str] = {}


class RenderHistory(Record):
    """A video's recent renders, newest first."""

    video: str
    renders: list[RenderRun]
