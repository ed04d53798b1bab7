"""The local Vimeo's memory on disk: videos, versions and tus uploads read back after a
restart, as Vimeo keeps an account's videos (:mod:`sims.store`; ``var/vimeo/`` in
``make run``).

Records live in the store; each upload's bytes in a file of their own in ``files``
(beside the store). A PATCH is written and flushed to its file before its new offset is
committed, so after a ``kill -9`` the offset a client reads with ``HEAD`` is one whose
bytes are all on disk (bytes past it, from a PATCH never answered, are cut off at the
next PATCH). Ids go on from the last one handed out.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sims.store import Store
from sims.vimeo.library import FIRST_VIDEO_ID, Library, Upload, Version, Video


def video_record(video: Video) -> dict[str, Any]:
    """A video as stored: its metadata and its versions (uploads by id)."""
    shown = {name: value for name, value in asdict(video).items() if name != "versions"}
    shown["created_time"] = video.created_time.isoformat()
    shown["versions"] = [
        {
            "version_id": version.version_id,
            "file_name": version.file_name,
            "upload_id": version.upload.upload_id,
            "created_time": version.created_time.isoformat(),
        }
        for version in video.versions
    ]
    return shown


class Archive:
    """Writes the library's changes to ``store`` and ``files``; reads the library back."""

    def __init__(self, store: Store, files: Path | None) -> None:
        self.store, self.files = store, files
        if files is not None:
            files.mkdir(parents=True, exist_ok=True)

    def new_id(self) -> int:
        return self.store.next_id("id", FIRST_VIDEO_ID + 1)

    def video_changed(self, video: Video) -> None:
        self.store.put("video", video.video_id, video_record(video))

    def upload_changed(self, upload: Upload, offset: int, chunk: bytes) -> None:
        """Bytes first (written and flushed at ``offset``), then the offset."""
        if self.files is not None:
            descriptor = os.open(self.files / upload.upload_id, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                os.ftruncate(descriptor, offset)
                os.pwrite(descriptor, chunk, offset)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        shown = {"size": upload.size, "offset": upload.offset}
        self.store.put("upload", upload.upload_id, shown | {"completed_at": upload.completed_at})

    def upload_dropped(self, upload: Upload) -> None:
        self.store.delete("upload", upload.upload_id)
        if self.files is not None:
            (self.files / upload.upload_id).unlink(missing_ok=True)

    def library(self) -> Library:
        """The library as stored."""
        library = Library(self)
        for upload_id, shown in self.store.load("upload"):
            upload = Upload(upload_id, shown["size"], self._bytes(upload_id, shown["offset"]))
            upload.completed_at = shown["completed_at"]
            library.uploads[upload_id] = upload
        for video_id, shown in self.store.load("video"):
            versions = [
                Version(
                    v["version_id"],
                    v["file_name"],
                    library.uploads[v["upload_id"]],
                    datetime.fromisoformat(v["created_time"]),
                )
                for v in shown.pop("versions")
            ]
            shown["created_time"] = datetime.fromisoformat(shown["created_time"])
            library.videos[int(video_id)] = Video(**shown, versions=versions)
        return library

    def _bytes(self, upload_id: str, offset: int) -> bytearray:
        if self.files is None or offset == 0:
            return bytearray()
        with open(self.files / upload_id, "rb") as stored:
            return bytearray(stored.read(offset))
