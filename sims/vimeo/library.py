"""The local Vimeo's state and rules: videos, their versions, and tus uploads.

A video is created with its first version (``POST /me/videos``); ``POST
/videos/{id}/versions`` adds a version, which replaces the source file of the same
video once its bytes are in. Each version's bytes arrive by tus 1.0.0 (``PATCH`` at
``Upload-Offset``). A version whose upload is complete is transcoded
``transcode_seconds`` later; until then the player keeps showing the last version that
was transcoded, as Vimeo does. Refusals are :class:`VimeoError` in Vimeo's error shape.
The rules do no I/O: each change goes to the library's :class:`Keeper` (the archive on
disk, :mod:`sims.vimeo.archive`, in a real process), so the account outlives a restart.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

TUS_VERSION = "1.0.0"
PRIVACY_VIEWS = ("anybody", "contacts", "disable", "nobody", "password", "unlisted", "users")
PRIVACY_EMBEDS = ("private", "public")
FIRST_VIDEO_ID = 900000001
# Versions kept per video (their bytes in memory, and on disk beside the archive); older
# ones are forgotten.
KEPT_VERSIONS = 3

Json = dict[str, Any]


class VimeoError(Exception):
    """A refusal, answered as ``{"error", "link", "developer_message", "error_code"}``."""

    def __init__(
        self,
        status: int,
        error_code: int,
        developer_message: str,
        error: str = "Something strange occurred. Please try again.",
        invalid_parameters: list[Json] | None = None,
    ) -> None:
        super().__init__(developer_message)
        self.status, self.error_code = status, error_code
        self.developer_message, self.error = developer_message, error
        self.invalid_parameters = invalid_parameters

    def body(self) -> Json:
        """The error as Vimeo's API answers it."""
        shown: Json = {
            "error": self.error,
            "link": None,
            "developer_message": self.developer_message,
            "error_code": self.error_code,
        }
        if self.invalid_parameters:
            shown["invalid_parameters"] = self.invalid_parameters
        return shown


def invalid_body(field_name: str, message: str) -> VimeoError:
    """Vimeo's 400 (error code 2204) for one bad body parameter."""
    detail = {"field": field_name, "error_code": 2204, "error": message}
    detail["developer_message"] = message
    return VimeoError(
        400,
        2204,
        "The request contains invalid body parameters.",
        "You have provided an invalid parameter. Please contact developer of this application.",
        [detail],
    )


@dataclass
class Upload:
    """One tus upload: the declared size and the bytes received so far."""

    upload_id: str
    size: int
    data: bytearray = field(default_factory=bytearray)
    completed_at: float | None = None

    @property
    def offset(self) -> int:
        return len(self.data)

    def append(self, offset: int, chunk: bytes, now: float) -> int:
        """Take ``chunk`` at ``offset`` (tus PATCH rules); the new offset."""
        if offset != self.offset:
            raise VimeoError(409, 0, f"Upload-Offset {offset} is not the upload's {self.offset}")
        if self.offset + len(chunk) > self.size:
            raise VimeoError(413, 0, f"the upload is {self.size} bytes; this chunk goes beyond")
        self.data.extend(chunk)
        if self.offset == self.size and self.completed_at is None:
            self.completed_at = now
        return self.offset


@dataclass
class Version:
    """One source file of a video."""

    version_id: int
    file_name: str
    upload: Upload
    created_time: datetime

    def is_transcoded(self, now: float, transcode_seconds: float) -> bool:
        done = self.upload.completed_at
        return done is not None and now >= done + transcode_seconds

    def sha256(self) -> str:
        return hashlib.sha256(self.upload.data).hexdigest()


@dataclass
class Video:
    """One video: its metadata and every version, the newest last."""

    video_id: int
    name: str
    description: str
    privacy: dict[str, str]
    resource_key: str
    created_time: datetime
    versions: list[Version] = field(default_factory=list)

    @property
    def uri(self) -> str:
        return f"/videos/{self.video_id}"

    def playing(self, now: float, transcode_seconds: float) -> Version | None:
        """The newest transcoded version: what the player shows."""
        done = [v for v in self.versions if v.is_transcoded(now, transcode_seconds)]
        return done[-1] if done else None

    def status(self, now: float, transcode_seconds: float) -> str:
        """Vimeo's ``status``: ``uploading``, ``transcoding`` or ``available``."""
        latest = self.versions[-1]
        if latest.upload.completed_at is None:
            return "uploading"
        return "available" if latest.is_transcoded(now, transcode_seconds) else "transcoding"


def upload_size(body: Json) -> int:
    """``upload.size`` of a create body, checked: the tus approach and a positive size."""
    upload = body.get("upload")
    if not isinstance(upload, dict):
        raise invalid_body("upload", "upload must be an object with approach and size")
    approach = upload.get("approach")
    if approach != "tus":
        raise VimeoError(
            400,
            2230,
            f"The upload type is invalid ({approach!r}); the local Vimeo takes only 'tus'.",
        )
    size = upload.get("size")
    if isinstance(size, str) and size.isdigit():
        size = int(size)
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise invalid_body("upload.size", "upload.size must be a positive number of bytes")
    return size


def checked_privacy(body: Json) -> dict[str, str]:
    """``privacy.view`` and ``privacy.embed`` of a create body, with Vimeo's defaults."""
    privacy = body.get("privacy", {})
    if not isinstance(privacy, dict):
        raise invalid_body("privacy", "privacy must be an object")
    view, embed = privacy.get("view", "anybody"), privacy.get("embed", "public")
    if view not in PRIVACY_VIEWS:
        raise invalid_body("privacy.view", f"privacy.view must be one of {PRIVACY_VIEWS}")
    if embed not in PRIVACY_EMBEDS:
        raise invalid_body("privacy.embed", f"privacy.embed must be one of {PRIVACY_EMBEDS}")
    return {"view": view, "embed": embed}


def text_field(body: Json, name: str, default: str) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise invalid_body(name, f"{name} must be a string")
    return value


class Keeper(Protocol):
    """Where the library's ids come from and its changes go."""

    def new_id(self) -> int: ...
    def video_changed(self, video: Video) -> None: ...
    def upload_changed(self, upload: Upload, offset: int, chunk: bytes) -> None: ...
    def upload_dropped(self, upload: Upload) -> None: ...


class Forgetful:
    """A keeper that keeps nothing: the library alone, in memory."""

    def __init__(self) -> None:
        self.ids = itertools.count(FIRST_VIDEO_ID + 1)

    def new_id(self) -> int:
        return next(self.ids)

    def video_changed(self, video: Video) -> None:
        pass

    def upload_changed(self, upload: Upload, offset: int, chunk: bytes) -> None:
        pass

    def upload_dropped(self, upload: Upload) -> None:
        pass


class Library:
    """Every video of the one account the local Vimeo plays, and every pending upload."""

    def __init__(self, keeper: Keeper | None = None) -> None:
        self.keeper: Keeper = keeper or Forgetful()
        self.videos: dict[int, Video] = {}
        self.uploads: dict[str, Upload] = {}

    def create_video(self, body: Json, now: datetime) -> Video:
        """``POST /me/videos``: a video with its first version awaiting its bytes."""
        if "type" in body:
            raise VimeoError(400, 3116, "Use upload.approach instead of type in API 3.4.")
        size = upload_size(body)
        video = Video(
            video_id=self._new_id(),
            name=text_field(body, "name", "Untitled"),
            description=text_field(body, "description", ""),
            privacy=checked_privacy(body),
            resource_key=secrets.token_hex(20),
            created_time=now,
        )
        self.videos[video.video_id] = video
        self._add_version(video, "untitled", size, now)
        return video

    def append(self, upload: Upload, offset: int, chunk: bytes, now: float) -> int:
        """A tus PATCH: ``chunk`` taken at ``offset`` (and kept); the new offset."""
        new_offset = upload.append(offset, chunk, now)
        self.keeper.upload_changed(upload, offset, chunk)
        return new_offset

    def add_version(self, video_id: int, body: Json, now: datetime) -> tuple[Video, Version]:
        """``POST /videos/{id}/versions``: a new source file for the same video."""
        video = self.video(video_id)
        file_name = body.get("file_name")
        if not isinstance(file_name, str) or not file_name:
            raise invalid_body("file_name", "file_name is required")
        return video, self._add_version(video, file_name, upload_size(body), now)

    def video(self, video_id: int) -> Video:
        """The video, or Vimeo's 404."""
        video = self.videos.get(video_id)
        if video is None:
            message = "The requested video couldn't be found."
            raise VimeoError(404, 5000, message, message)
        return video

    def upload(self, upload_id: str) -> Upload:
        """A tus upload, or 404."""
        upload = self.uploads.get(upload_id)
        if upload is None:
            raise VimeoError(404, 0, "no such upload")
        return upload

    def _add_version(self, video: Video, file_name: str, size: int, now: datetime) -> Version:
        upload = Upload(secrets.token_hex(16), size)
        self.uploads[upload.upload_id] = upload
        self.keeper.upload_changed(upload, 0, b"")
        version = Version(self._new_id(), file_name, upload, now)
        video.versions.append(version)
        for old in video.versions[:-KEPT_VERSIONS]:
            self.uploads.pop(old.upload.upload_id, None)
            self.keeper.upload_dropped(old.upload)
        del video.versions[:-KEPT_VERSIONS]
        self.keeper.video_changed(video)
        return version

    def _new_id(self) -> int:
        return self.keeper.new_id()


def now_utc() -> datetime:
    return datetime.now(UTC)
