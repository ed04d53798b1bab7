"""How the local Vimeo shows its objects: the video and version JSON of API 3.4.

Only the fields the project and the official clients read are filled, in Vimeo's
names and shapes; ``?fields=a,b.c`` narrows an answer the way Vimeo's field filter does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sims.vimeo.library import Json, Upload, Version, Video


@dataclass(frozen=True)
class Shown:
    """What an answer depends on besides the object: the public base URL and the clock."""

    public_url: str
    now: float
    transcode_seconds: float

    def upload_link(self, upload: Upload) -> str:
        return f"{self.public_url}/tus/{upload.upload_id}"

    def upload_json(self, upload: Upload) -> Json:
        return {
            "status": "complete" if upload.completed_at is not None else "in_progress",
            "upload_link": self.upload_link(upload),
            "approach": "tus",
            "size": upload.size,
            "form": None,
            "complete_uri": None,
            "redirect_url": None,
            "link": None,
        }

    def transcode_json(self, version: Version) -> Json:
        if version.is_transcoded(self.now, self.transcode_seconds):
            return {"status": "complete"}
        return {"status": "in_progress"}

    def video_json(self, video: Video) -> Json:
        """A video as ``GET /videos/{id}`` answers it."""
        latest = video.versions[-1]
        embed_url = f"{self.public_url}/video/{video.video_id}?h={video.resource_key[:10]}"
        return {
            "uri": video.uri,
            "name": video.name,
            "description": video.description,
            "type": "video",
            "link": f"{self.public_url}/{video.video_id}",
            "player_embed_url": embed_url,
            "embed": {"html": f'<iframe src="{embed_url}" frameborder="0"></iframe>'},
            "created_time": video.created_time.isoformat(),
            "modified_time": latest.created_time.isoformat(),
            "privacy": {**video.privacy, "comments": "anybody", "download": False, "add": True},
            "resource_key": video.resource_key,
            "status": video.status(self.now, self.transcode_seconds),
            "upload": self.upload_json(latest.upload),
            "transcode": self.transcode_json(latest),
        }

    def version_json(self, video: Video, version: Version) -> Json:
        """A version as ``POST /videos/{id}/versions`` answers it."""
        return {
            "uri": f"{video.uri}/versions/{version.version_id}",
            "active": version is video.playing(self.now, self.transcode_seconds),
            "filename": version.file_name,
            "filesize": version.upload.size,
            "created_time": version.created_time.isoformat(),
            "modified_time": version.created_time.isoformat(),
            "upload": self.upload_json(version.upload),
        }


def select_fields(body: Json, fields: str | None) -> Json:
    """``body`` narrowed to ``fields`` (``uri,upload.upload_link``); all of it without."""
    if not fields:
        return body
    chosen: Json = {}
    for path in fields.split(","):
        source, target = body, chosen
        names = path.strip().split(".")
        for depth, name in enumerate(names):
            if not isinstance(source, dict) or name not in source:
                break
            if depth == len(names) - 1:
                target[name] = source[name]
            else:
                source, target = source[name], target.setdefault(name, {})
    return chosen
