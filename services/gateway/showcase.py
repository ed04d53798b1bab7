"""Read-only API behind the pages: submission status, recent frames, the clip, a slot."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.gateway.deps import Deps, Settings
from services.gateway.media import media_url
from services.gateway.schemas import (
    ClipStatus,
    ClipVersion,
    RecentFrames,
    ShownPhoto,
    SlotPhotos,
    SubmissionStatus,
)
from shared.errors import NotFound, error_responses
from shared.records import rendition_key

router = APIRouter(prefix="/api")


def frame_url(video: str, frame: int) -> str:
    """The page of one slot."""
    return f"/frames/{video}/{frame}"


def shown(review: dict[str, Any]) -> ShownPhoto:
    """An approved review as the pages show it."""
    return ShownPhoto(
        submission_id=review["submission_id"],
        video=review["video"],
        frame=review["frame"],
        display_name=review.get("display_name"),
        score=review.get("score"),
        thumb_url=media_url(review["thumb_key"]),
        medium_url=media_url(review["medium_key"]),
        frame_url=frame_url(review["video"], review["frame"]),
        decided_at=review.get("decided_at"),
    )


def _status(record: dict[str, Any], status: str) -> SubmissionStatus:
    sid = record["submission_id"]
    return SubmissionStatus(
        submission_id=sid,
        video=record["video"],
        frame=record["frame"],
        status=status,
        score=record.get("score"),
        reasons=record.get("reasons", []),
        display_name=record.get("display_name"),
        thumb_url=media_url(rendition_key(sid, "thumb")),
        medium_url=media_url(rendition_key(sid, "medium")),
        frame_url=frame_url(record["video"], record["frame"]),
    )


@router.get("/submissions/{submission_id}", responses=error_responses(404, 503))
async def submission_status(submission_id: str, deps: Deps) -> SubmissionStatus:
    """Where a submitted photo stands in moderation."""
    try:
        review = await deps.review_cache.get(
            ("review", submission_id), lambda: deps.reviews.review(submission_id)
        )
    except NotFound:
        record = await deps.clips.submitted(submission_id)
        if record is None:
            raise
        return _status(record, "received")
    return _status(review, review["status"])


@router.get("/frames/recent", responses=error_responses(503))
async def recent_frames(deps: Deps, limit: Annotated[int, Query(ge=1, le=50)] = 10) -> RecentFrames:
    """The latest approved photos, newest first (the last good list if moderation is down)."""
    reviews = await deps.review_cache.get(("recent", limit), lambda: deps.reviews.recent(limit))
    return RecentFrames(frames=[shown(r) for r in reviews])


def _version(pointer: dict[str, Any]) -> ClipVersion:
    return ClipVersion(
        version=pointer["version"],
        mp4_url=media_url(pointer["mp4_key"]),
        poster_url=media_url(pointer["poster_key"]),
        hls_url=media_url(pointer["hls_key"]),
        built_at=pointer["built_at"],
        render_seconds=pointer["render_seconds"],
        duration_seconds=pointer["duration_seconds"],
    )


async def _clip_status(deps: Deps, video: str) -> ClipStatus:
    record = await deps.clips.video(video)
    pointer = await deps.clips.current(video)
    filled = list(pointer.get("filled_frames", [])) if pointer else []
    return ClipStatus(
        video=video,
        frame_count=record.frame_count,
        fps=record.fps,
        filled=pointer["filled_slots"] if pointer else 0,
        filled_frames=filled,
        clip=_version(pointer) if pointer else None,
    )


@router.get("/clip", responses=error_responses(404, 503))
async def clip(deps: Deps, settings: Settings) -> ClipStatus:
    """The featured video's current clip, size and progress."""
    video = settings.video
    status: ClipStatus = await deps.clip_cache.get(video, lambda: _clip_status(deps, video))
    return status


@router.get("/frames/{video}/{frame}", responses=error_responses(404, 503))
async def slot_photos(video: str, frame: int, deps: Deps) -> SlotPhotos:
    """One slot: its place in the clip and its approved photos, best first."""
    record = await deps.clip_cache.get(("video", video), lambda: deps.clips.video(video))
    if not 0 <= frame < record.frame_count:
        raise NotFound(f"video {video!r} has no frame {frame}")
    reviews = await deps.review_cache.get(
        ("slot", video, frame), lambda: deps.reviews.of_slot(video, frame)
    )
    return SlotPhotos(
        video=video,
        frame=frame,
        frame_count=record.frame_count,
        fps=record.fps,
        original_url=f"/api/frames/{video}/{frame}/original",
        photos=[shown(r) for r in reviews],
    )
