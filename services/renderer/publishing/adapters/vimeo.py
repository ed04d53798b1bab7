"""``VimeoPublisher``: one Vimeo video per clip, its source file replaced on every publish.

Vimeo API 3.4 through Vimeo's official client, PyVimeo, and tuspy, the tus 1.0.0 client
PyVimeo itself uses. Both are synchronous: every call runs in a worker thread, the
whole of it bounded by ``vimeo_timeout_seconds``.

- First publish: ``POST /me/videos`` (``upload.approach`` ``tus``, ``upload.size``,
  name, description, privacy) creates the video. Its URI is written to the hosted-clip
  record (``clips/{video}/vimeo.json``, :class:`shared.records.HostedClip`) *before*
  the bytes go, so an upload that fails half-way is finished by replacing that same
  video, never by creating a second one. Then tuspy sends the bytes to ``upload_link``.
- Every later publish: PyVimeo's ``replace`` (``POST {uri}/versions`` and tus): a new
  version of the same video, keeping its id, URL and embed. Vimeo's player plays the
  previous version until the new one is transcoded.
- After the bytes: ``GET {uri}`` (``upload.status``, ``link``, ``player_embed_url``);
  the record then names the clip hash, so an unchanged clip is not sent again.

A video deleted on Vimeo (404 on replace) is created anew. Refusals (token, scopes,
quota) raise :class:`VimeoRejected`; network errors, 5xx, 429 and timeouts raise
``DependencyUnavailable("vimeo")``. Nothing is retried here beyond tuspy's own chunk
retries: the renderer's next render retries a failed publish, as for every publisher.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import requests
import vimeo
from pydantic import BaseModel, ValidationError
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError

from services.renderer.renders.clips import RenderedClip
from services.renderer.settings import RendererSettings
from shared.errors import DependencyUnavailable, OfofError
from shared.objects import ObjectStore
from shared.records import HostedClip, hosted_clip_key

log = logging.getLogger(__name__)
TARGET = "vimeo"
# Vimeo suggests 128-512 MB tus chunks; tuspy holds one chunk in memory, and a clip of
# a few minutes fits in one chunk of this size anyway.
TUS_CHUNK_BYTES = 64 * 1024 * 1024
# tuspy's retries of one failed chunk (resumed from the server's offset), and the pause.
TUS_RETRIES = 3
TUS_RETRY_DELAY_SECONDS = 5
T = TypeVar("T")


class VimeoRejected(OfofError):
    """Vimeo refused a call (bad token, missing scope, quota, invalid request)."""

    status_code = 502
    default_code = "vimeo_rejected"


class VideoGone(VimeoRejected):
    """The remembered video no longer exists on Vimeo (deleted there)."""

    default_code = "vimeo_video_gone"


class UploadAnswer(BaseModel):
    status: str = ""
    upload_link: str = ""


class VideoAnswer(BaseModel):
    """The fields of Vimeo's video object this adapter reads."""

    uri: str
    link: str = ""
    player_embed_url: str = ""
    upload: UploadAnswer = UploadAnswer()


def failure(status: int, message: str) -> OfofError:
    """A Vimeo answer with ``status`` as an error of ours."""
    if status == 404:
        return VideoGone(f"Vimeo: {message}")
    if 400 <= status < 500 and status != 429:
        return VimeoRejected(f"Vimeo refused: {status} {message}")
    return DependencyUnavailable("vimeo", f"Vimeo answered {status}: {message}")


def error_text(answer: requests.Response) -> str:
    """Vimeo's error body in one line: ``error (error_code: developer_message)``."""
    try:
        body = answer.json()
        return f"{body['error']} ({body['error_code']}: {body['developer_message']})"
    except (ValueError, KeyError, TypeError):
        return answer.text


def parsed(answer: requests.Response, expected: tuple[int, ...], what: str) -> VideoAnswer:
    """A video answer, or the error its status means."""
    if answer.status_code not in expected:
        raise failure(answer.status_code, f"{what}: {error_text(answer)[:300]}")
    try:
        return VideoAnswer.model_validate(answer.json())
    except (ValueError, ValidationError) as exc:
        raise VimeoRejected(f"Vimeo's answer to {what} is not a video: {exc}") from exc


class VimeoAccount:
    """Synchronous calls to one Vimeo account (PyVimeo, tuspy); run them in a thread."""

    def __init__(self, api_url: str, token: str) -> None:
        self.client = vimeo.VimeoClient(token=token)
        # PyVimeo reads its API root from the instance: the local Vimeo in tests.
        self.client.API_ROOT = api_url.rstrip("/")

    def create(self, size: int, metadata: dict[str, Any]) -> VideoAnswer:
        """``POST /me/videos``: a new video awaiting ``size`` bytes by tus."""
        body = {**metadata, "upload": {"approach": "tus", "size": size}}
        fields = {"fields": "uri,link,player_embed_url,upload.upload_link"}
        # Vimeo answers a tus create with 200; its OpenAPI file says 201.
        return parsed(
            self.client.post("/me/videos", data=body, params=fields), (200, 201), "create"
        )

    def send(self, upload_link: str, path: Path) -> None:
        """The file's bytes to a tus upload link (resumed from the server's offset)."""
        with path.open("rb") as stream:
            TusClient(upload_link).uploader(
                file_stream=stream,
                url=upload_link,
                chunk_size=TUS_CHUNK_BYTES,
                retries=TUS_RETRIES,
                retry_delay=TUS_RETRY_DELAY_SECONDS,
            ).upload()

    def replace(self, uri: str, path: Path) -> None:
        """A new version of video ``uri`` from the file (PyVimeo's ``replace``)."""
        self.client.replace(uri, str(path))

    def show(self, uri: str) -> VideoAnswer:
        """``GET {uri}``: where the video lives and how its upload went."""
        fields = {"fields": "uri,link,player_embed_url,upload.status"}
        return parsed(self.client.get(uri, params=fields), (200,), "status")


def translated(call: Callable[[], T]) -> T:
    """Run ``call``; PyVimeo, tuspy and requests failures become errors of ours."""
    try:
        return call()
    except vimeo.exceptions.APIRateLimitExceededFailure as exc:
        raise DependencyUnavailable("vimeo", "Vimeo's rate limit was reached") from exc
    except vimeo.exceptions.UploadAttemptCreationFailure as exc:
        raise failure(exc.status_code, f"upload attempt: {exc.message}") from exc
    except vimeo.exceptions.VideoUploadFailure as exc:
        raise DependencyUnavailable("vimeo", f"tus upload failed: {exc.message}") from exc
    except (requests.RequestException, TusCommunicationError) as exc:
        raise DependencyUnavailable("vimeo", f"Vimeo unreachable: {exc}") from exc


class VimeoPublisher:
    """``ClipPublisher`` that keeps one Vimeo video per clip and replaces its file."""

    name = TARGET

    def __init__(
        self, store: ObjectStore, settings: RendererSettings, account: VimeoAccount | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        token = settings.vimeo_access_token.get_secret_value()
        self.account = account or VimeoAccount(settings.vimeo_api_url, token)

    async def hosted(self, video: str) -> HostedClip | None:
        """What the hosted-clip record says of ``video`` (None before the first create)."""
        return await self.store.find_record(hosted_clip_key(video, TARGET), HostedClip)

    async def published_hash(self, video: str) -> str | None:
        """The clip hash whose upload to Vimeo completed last."""
        record = await self.hosted(video)
        return record.clip_hash if record else None

    async def publish(
        self, clip: RenderedClip, version: str, built_at: datetime, filled_frames: list[int]
    ) -> None:
        """Upload ``clip`` as the video's first version, or replace its source file."""
        record = await self.hosted(clip.video)
        try:
            if record is None:
                record = await self._create(clip)
            else:
                await self._in_thread(self.account.replace, record.video_uri, clip.mp4_path)
        except VideoGone:
            log.warning("the Vimeo video is gone; creating a new one", extra={"video": clip.video})
            record = await self._create(clip)
        shown = await self._in_thread(self.account.show, record.video_uri)
        if shown.upload.status == "error":
            raise VimeoRejected(f"Vimeo reports the upload of {record.video_uri} failed")
        done = record.model_copy(
            update={
                "link": shown.link,
                "player_embed_url": shown.player_embed_url,
                "clip_hash": clip.clip_hash,
                "version": version,
                "published_at": datetime.now(UTC),
            }
        )
        await self.store.put_record(hosted_clip_key(clip.video, TARGET), done)

    async def _create(self, clip: RenderedClip) -> HostedClip:
        """Create the video, remember it, then send the bytes."""
        size = clip.mp4_path.stat().st_size
        created = await self._in_thread(self.account.create, size, self._metadata(clip.video))
        record = HostedClip(
            video=clip.video,
            host=TARGET,
            video_uri=created.uri,
            link=created.link,
            player_embed_url=created.player_embed_url,
        )
        await self.store.put_record(hosted_clip_key(clip.video, TARGET), record)
        log.info("Vimeo video created", extra={"video": clip.video, "uri": created.uri})
        await self._in_thread(self.account.send, created.upload.upload_link, clip.mp4_path)
        return record

    def _metadata(self, video: str) -> dict[str, Any]:
        s = self.settings
        return {
            "name": s.vimeo_title.replace("{video}", video),
            "description": s.vimeo_description.replace("{video}", video),
            "privacy": {"view": s.vimeo_privacy_view, "embed": s.vimeo_privacy_embed},
        }

    async def _in_thread(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` in a worker thread, bounded by ``vimeo_timeout_seconds``."""
        seconds = self.settings.vimeo_timeout_seconds
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(translated, lambda: call(*args)), seconds
            )
        except TimeoutError as exc:
            # The thread cannot be stopped; it ends when its socket call returns.
            raise DependencyUnavailable("vimeo", f"no answer within {seconds:g} s") from exc
