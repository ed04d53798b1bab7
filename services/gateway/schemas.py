"""Bodies of the gateway's JSON API, named by role."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from services.gateway.links import frame_url, media_url, original_url
from services.gateway.ports import QueueDepth
from services.gateway.sessions import OpsSession
from shared.leases import LeaseClaims
from shared.records import (
    MAX_REPORT_NOTE_CHARS,
    AuditEntry,
    ClipPointer,
    ComplaintReasonName,
    ReviewView,
    SubmissionRecord,
    VideoRecord,
    rendition_key,
)


def _at(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


class LeaseCreated(BaseModel):
    """A frame reserved for this visitor: re-create ``original_url`` and upload it."""

    lease_id: str
    video: str
    frame: int
    original_url: str
    expires_at: datetime
    max_expires_at: datetime
    token: str

    @classmethod
    def of(cls, claims: LeaseClaims, token: str) -> LeaseCreated:
        """The API view of a lease."""
        return cls(
            lease_id=claims.lease_id,
            video=claims.video,
            frame=claims.frame,
            original_url=original_url(claims.video, claims.frame),
            expires_at=_at(claims.expires_at),
            max_expires_at=_at(claims.max_expires_at),
            token=token,
        )


class LeaseExtended(BaseModel):
    """The lease after a heartbeat; use the new token from now on."""

    lease_id: str
    expires_at: datetime
    max_expires_at: datetime
    token: str

    @classmethod
    def of(cls, claims: LeaseClaims, token: str) -> LeaseExtended:
        """The API view of a lease after a heartbeat."""
        return cls(
            lease_id=claims.lease_id,
            expires_at=_at(claims.expires_at),
            max_expires_at=_at(claims.max_expires_at),
            token=token,
        )


class PhotoAccepted(BaseModel):
    """The photo is stored; follow its review at ``status_url``."""

    submission_id: str
    status_url: str


class SubmissionStatus(BaseModel):
    """Where a submitted photo stands: ``received`` (not yet with the crowd), ``pending``
    (being rated), ``approved`` or ``rejected`` (with reasons)."""

    submission_id: str
    video: str
    frame: int
    status: str
    score: float | None = None
    reasons: list[str] = []
    display_name: str | None = None
    thumb_url: str
    medium_url: str
    frame_url: str

    @classmethod
    def of_review(cls, review: ReviewView) -> SubmissionStatus:
        """A submission moderation knows: pending, approved or rejected."""
        return cls._of(review.submission_id, review.video, review.frame, review.status).model_copy(
            update={
                "score": review.score,
                "reasons": review.reasons,
                "display_name": review.display_name,
            }
        )

    @classmethod
    def of_record(cls, record: SubmissionRecord) -> SubmissionStatus:
        """A stored submission moderation has not seen yet: ``received``."""
        status = cls._of(record.submission_id, record.video, record.frame, "received")
        return status.model_copy(update={"display_name": record.display_name})

    @classmethod
    def _of(cls, submission_id: str, video: str, frame: int, status: str) -> SubmissionStatus:
        return cls(
            submission_id=submission_id,
            video=video,
            frame=frame,
            status=status,
            thumb_url=media_url(rendition_key(submission_id, "thumb")),
            medium_url=media_url(rendition_key(submission_id, "medium")),
            frame_url=frame_url(video, frame),
        )


class ShownPhoto(BaseModel):
    """An approved photo as the pages show it."""

    submission_id: str
    video: str
    frame: int
    display_name: str | None
    score: float | None
    thumb_url: str
    medium_url: str
    frame_url: str
    decided_at: datetime | None

    @classmethod
    def of(cls, review: ReviewView) -> ShownPhoto:
        """An approved review as the pages show it."""
        return cls(
            submission_id=review.submission_id,
            video=review.video,
            frame=review.frame,
            display_name=review.display_name,
            score=review.score,
            thumb_url=media_url(review.thumb_key),
            medium_url=media_url(review.medium_key),
            frame_url=frame_url(review.video, review.frame),
            decided_at=review.decided_at,
        )


class RecentFrames(BaseModel):
    """The latest approved photos, newest first."""

    frames: list[ShownPhoto]


class ClipVersion(BaseModel):
    """One published version of the clip."""

    version: str
    mp4_url: str
    poster_url: str
    hls_url: str
    built_at: datetime
    render_seconds: float
    duration_seconds: float
    published_at: datetime

    @classmethod
    def of(cls, pointer: ClipPointer) -> ClipVersion:
        """The published clip a pointer names, as the pages load it."""
        return cls(
            version=pointer.version,
            mp4_url=media_url(pointer.mp4_key),
            poster_url=media_url(pointer.poster_key),
            hls_url=media_url(pointer.hls_key),
            built_at=pointer.built_at,
            render_seconds=pointer.render_seconds,
            duration_seconds=pointer.duration_seconds,
            published_at=pointer.published_at,
        )


class VideoSummary(BaseModel):
    """One imported video and where its pages are."""

    video: str
    frame_count: int
    fps: float
    duration_seconds: float
    page_url: str
    contribute_url: str

    @classmethod
    def of(cls, record: VideoRecord) -> VideoSummary:
        """The summary of an imported video's record."""
        return cls(
            video=record.video,
            frame_count=record.frame_count,
            fps=record.fps,
            duration_seconds=round(record.frame_count / record.fps, 3),
            page_url=f"/v/{record.video}",
            contribute_url=f"/v/{record.video}/contribute",
        )


class VideoList(BaseModel):
    """Every imported video, the featured one first."""

    videos: list[VideoSummary]


class ClipStatus(BaseModel):
    """One video: its size, how much is re-made, and its current clip (if any)."""

    video: str
    frame_count: int
    fps: float
    filled: int
    filled_frames: list[int]
    clip: ClipVersion | None
    # The video host's player to embed instead of the clip (GATEWAY_FEATURED_PLAYER);
    # left out of the answer when there is none, so the HLS-only answer is unchanged.
    player_embed_url: str | None = Field(None, exclude_if=lambda url: url is None)


class SlotPhotos(BaseModel):
    """One slot: where it sits in the clip and its approved photos, best first."""

    video: str
    frame: int
    frame_count: int
    fps: float
    original_url: str
    photos: list[ShownPhoto]


class MySubmission(SubmissionStatus):
    """One of this visitor's submissions; once in the published clip, where it plays."""

    created_at: datetime
    decided_at: datetime | None = None
    # Approved photos only: the page whose link preview shows the photo.
    share_url: str | None = None
    # In the current clip: seconds from its start, and the player deep-linked there.
    live_at_seconds: float | None = None
    player_url: str | None = None


class MySubmissions(BaseModel):
    """This visitor's submissions, newest first."""

    submissions: list[MySubmission]


class News(BaseModel):
    """This visitor's photos that went live in the clip since ``since``; ask again with
    ``since=now``."""

    now: datetime
    live: list[MySubmission]


class KeepLink(BaseModel):
    """A signed link that moves this visitor's frames to another browser."""

    url: str


class Credit(BaseModel):
    """One frame's contributor, in the credits."""

    frame: int
    display_name: str | None
    thumb_url: str
    frame_url: str


class Credits(BaseModel):
    """Who made each re-made frame of a video, in frame order."""

    video: str
    credits: list[Credit]


class HistoricClip(BaseModel):
    """One retained published version of a clip, newest first in :class:`ClipHistory`."""

    version: str
    built_at: datetime
    filled_slots: int
    # Frames re-made since the version before it (None for the oldest retained one).
    remade: int | None
    mp4_url: str
    poster_url: str


class ClipHistory(BaseModel):
    """The retained versions of a video's clip."""

    video: str
    versions: list[HistoricClip]


# The operators' console (/ops/api) and visitors' reports.


class ReportRequest(BaseModel):
    """A visitor's report about a shown photo."""

    reason: ComplaintReasonName
    note: str = Field("", max_length=MAX_REPORT_NOTE_CHARS)


class ReportReceived(BaseModel):
    """The report is counted (or was already: one per visitor and photo)."""

    submission_id: str
    counted: bool
    hidden: bool


class OpsSignIn(BaseModel):
    """The operator token, exchanged for a console session cookie."""

    token: str = Field(min_length=1, max_length=512)


class OpsSignedIn(BaseModel):
    """Who the console session is (its label in the audit log), and until when."""

    session: str
    expires_at: datetime

    @classmethod
    def of(cls, session: OpsSession) -> OpsSignedIn:
        """The API view of a session."""
        return cls(session=session.session_id, expires_at=_at(session.expires_at))


class QueueDepthView(BaseModel):
    """One queue: messages waiting, in flight, and in its dead-letter queue."""

    queue: str
    waiting: int
    in_flight: int
    dead_letters: int | None

    @classmethod
    def of(cls, depth: QueueDepth) -> QueueDepthView:
        """The API view of a queue's depth."""
        return cls(
            queue=depth.queue,
            waiting=depth.waiting,
            in_flight=depth.in_flight,
            dead_letters=depth.dead_letters,
        )


class QueueDepthList(BaseModel):
    """Every queue the site runs on."""

    queues: list[QueueDepthView]


class AuditLogView(BaseModel):
    """The newest operator actions first."""

    entries: list[AuditEntry]


class ProgressList(BaseModel):
    """Every video's progress."""

    videos: list[ClipStatus]


class ActionDone(BaseModel):
    """What an operator action changed."""

    action: str
    target: str
    reviews: list[ReviewView] = []
