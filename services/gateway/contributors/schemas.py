"""Bodies of the contributors' JSON API, named by role."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.gateway.core.schemas import ClipFiles, SubmissionStatus


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


class HistoricClip(ClipFiles):
    """One retained published version of a clip, newest first in :class:`ClipHistory`."""

    filled_slots: int
    # Frames re-made since the version before it (None for the oldest retained one).
    remade: int | None


class ClipHistory(BaseModel):
    """The retained versions of a video's clip."""

    video: str
    versions: list[HistoricClip]
