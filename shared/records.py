"""Where things live in S3, and every record one service writes and another reads.

Every S3 key is spelled here and nowhere else (DESIGN.md "Storage"). The importer
writes a video's record; ingest reads it to size renditions, the gateway to serve
originals, moderation to compare photos with their original frame. Ingest writes each
submission's record as its commit. The renderer writes the clip pointer and, per video
host, the hosted clip, which the gateway reads; moderation's read API answers with
:class:`ReviewView`, which the gateway parses.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.messages import Renditions

RENDITION_NAMES = ("large", "medium", "thumb")
ORIGINALS_PREFIX = "originals/"
# The files of one published clip version, under :func:`clip_version_prefix`.
CLIP_MP4, CLIP_POSTER, CLIP_PLAYLIST, CLIP_INIT = "clip.mp4", "poster.jpg", "index.m3u8", "init.mp4"

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


def crowd_gold_key(name: str) -> str:
    """S3 key of a crowd test-question image (moderation's gold), e.g. ``demo/12/copy-1``."""
    return f"moderation/gold/{name}.jpg"


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


def clip_segment_name(index: int) -> str:
    """File name of HLS media segment ``index`` inside a clip version."""
    return f"seg-{index:05d}.m4s"


def clip_rung_folder(height: int) -> str:
    """Folder of one rung of a resolution ladder inside a clip version (``720p/``)."""
    return f"{height}p/"


def fragments_prefix(video: str) -> str:
    """S3 folder of the encoded segments of ``video`` that encoder workers hand back."""
    return f"fragments/{video}/"


def fragment_key(video: str, name: str) -> str:
    """S3 key of one encoded fragment (``{segment hash}.m4s``) or init part (``init-….mp4``)
    of ``video``; names are content hashes, so a key is written once (``If-None-Match: *``)."""
    return f"{fragments_prefix(video)}{name}"


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


def renditions_of(submission_id: str) -> Renditions:
    """The three rendition keys of a submission."""
    return Renditions(**{name: rendition_key(submission_id, name) for name in RENDITION_NAMES})


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


# Outside ``submissions/{id}/`` on purpose: a submission's folder holds what others read.
CLAIMS_PREFIX = "submission-claims/"
PENDING_ANNOUNCEMENTS_PREFIX = "submissions-pending/"


def claim_key(submission_id: str) -> str:
    """S3 key of ingest's claim: the SHA-256 of the one photo a submission is made of.
    Created with ``If-None-Match: *`` before any rendition is written; never deleted."""
    return f"{CLAIMS_PREFIX}{submission_id}"


def pending_announcement_key(submission_id: str) -> str:
    """S3 key of ingest's outbox marker: written before the commit, deleted once the
    submission was announced, so its sweep lists only what may still need announcing."""
    return f"{PENDING_ANNOUNCEMENTS_PREFIX}{submission_id}.json"


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


class VideoSpend(Record):
    """What the crowd cost for one video so far (moderation's ``/videos/{video}/spend``):
    the sum over its Mechanical Turk HITs of reward × assignments + MTurk's fee."""

    video: str
    currency: Literal["USD"] = "USD"
    total: Decimal
    hits: int


class ReviewList(Record):
    """Several reviews (the latest approvals, or the approved photos of one slot)."""

    reviews: list[ReviewView]


# Reports (issue 15): the gateway files a visitor's report with moderation and reads
# the operators' report queue from it.
ComplaintReasonName = Literal["nudity", "hate", "personal_data", "other"]
MAX_REPORT_NOTE_CHARS = 500


class ReportFiled(Record):
    """A visitor's report about a shown photo, as the gateway sends it to moderation."""

    visitor: str = Field(min_length=1, max_length=64)
    reason: ComplaintReasonName
    note: str = Field("", max_length=MAX_REPORT_NOTE_CHARS)


class ReportOutcome(Record):
    """What filing a report did: counted or already counted, and is the photo hidden."""

    counted: bool
    hidden: bool


class ReportView(Record):
    """One report, as the operators see it."""

    visitor: str
    reason: ComplaintReasonName
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


AUDIT_PREFIX = "audit/ops/"


def audit_key(at: datetime, entry_id: str) -> str:
    """Where one operator action is kept: by day, then time, so listings come in order."""
    return f"{AUDIT_PREFIX}{at:%Y-%m-%d}/{at:%Y%m%dT%H%M%S%f}-{entry_id}.json"


def audit_day_prefix(at: datetime) -> str:
    """The audit entries of one day."""
    return f"{AUDIT_PREFIX}{at:%Y-%m-%d}/"


class AuditEntry(Record):
    """One operator action: who (the console session's label), what, on what, when, and
    how it ended (``ok`` or the error code)."""

    at: datetime
    who: str
    action: str
    target: str
    outcome: str


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


RENDERS_PREFIX = "renders/"


def render_run_key(video: str, built_at: datetime) -> str:
    """Where the renderer keeps the facts of one render of ``video`` (its history)."""
    return f"{RENDERS_PREFIX}{video}/{built_at:%Y%m%dT%H%M%S%f}.json"


def render_runs_prefix(video: str) -> str:
    """Every kept render of ``video``, oldest first by key."""
    return f"{RENDERS_PREFIX}{video}/"
