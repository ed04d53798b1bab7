"""Where the browser finds things: page, API and media paths. Pure.

Only public media is reachable through the gateway: original frames, the three
renditions of a submission and published clips.
"""

from __future__ import annotations

import re

PUBLIC_MEDIA_KEY = re.compile(
    r"^(originals/[a-z0-9-]+/\d{6}\.jpg"
    r"|submissions/[A-Za-z0-9_-]+/(large|medium|thumb)\.jpg"
    r"|clips/[a-z0-9-]+/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+)$"
)
# Submission ids are lease ids (32 hex digits); anything outside this is no submission
# and is never put into a URL of moderation or a key of the bucket.
SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# A single HTTP byte range; anything else is ignored and the whole object served.
_BYTE_RANGE = re.compile(r"^bytes=\d*-\d*$")


def media_url(key: str) -> str:
    """The gateway URL of a public media object."""
    return f"/media/{key}"


def frame_url(video: str, frame: int) -> str:
    """The page of one slot."""
    return f"/frames/{video}/{frame}"


def original_url(video: str, frame: int) -> str:
    """Where the browser fetches the original frame of a slot."""
    return f"/api/frames/{video}/{frame}/original"


def status_url(submission_id: str) -> str:
    """Where a visitor follows the review of their photo."""
    return f"/api/submissions/{submission_id}"


def is_public_media(key: str) -> bool:
    """May the gateway serve this bucket key to anyone?"""
    return PUBLIC_MEDIA_KEY.match(key) is not None


def is_submission_id(text: str) -> bool:
    """Could ``text`` name a submission?"""
    return SUBMISSION_ID.match(text) is not None


def byte_range(header: str | None) -> str | None:
    """The ``Range`` header to pass to the store, or None to serve the whole object."""
    return header if header and _BYTE_RANGE.match(header) else None
