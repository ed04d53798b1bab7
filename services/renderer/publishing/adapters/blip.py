"""``BlipPublisher``: replaces the clip on a Blip.tv-compatible host (the original's).

Blip's REST upload: a multipart ``POST /file/post`` with ``userlogin``, ``password``,
``file`` (``file_role = Source``), ``title``, ``description``, ``skin=api``, ``post=1``
and, to replace the existing post, ``id=<item_id>``. The answer is XML,
``<response><status>OK|ERROR</status>…<item_id>…</item_id>…</response>``; an error
(e.g. ``AUTHENTICATION_REQUIRED``) becomes :class:`BlipRejected`. The item id and the
published clip hash are remembered per video, so the next render retries a failed
publish and a published clip is not sent twice.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from datetime import datetime

import httpx

from services.renderer.renders.clips import RenderedClip
from services.renderer.renders.ports import PublishState
from services.renderer.settings import RendererSettings
from shared.errors import DependencyUnavailable, OfofError
from shared.retry import is_transient_http_error, transient_retry

TARGET = "blip"
RETRY_SECONDS = 60.0


class BlipRejected(OfofError):
    """Blip answered ``ERROR`` (bad credentials, unknown item, ...)."""

    status_code = 502
    default_code = "blip_rejected"


class BlipPublisher:
    """``ClipPublisher`` for a Blip-compatible REST endpoint (retries its own HTTP)."""

    name = TARGET

    def __init__(
        self, http: httpx.AsyncClient, settings: RendererSettings, state: PublishState
    ) -> None:
        self.http = http
        self.settings = settings
        self.state = state

    async def _remembered(self, video: str) -> dict[str, str]:
        raw = await self.state.publish_state(video, TARGET)
        return dict(json.loads(raw)) if raw else {}

    async def published_hash(self, video: str) -> str | None:
        """The clip hash Blip has now, as far as we know."""
        return (await self._remembered(video)).get("clip_hash")

    async def publish(
        self, clip: RenderedClip, version: str, built_at: datetime, filled_frames: list[int]
    ) -> None:
        """Upload the MP4, replacing the previous post when there is one."""
        item_id = (await self._remembered(clip.video)).get("item_id")
        fields = {
            "userlogin": self.settings.blip_userlogin,
            "password": self.settings.blip_password.get_secret_value(),
            "title": f"One Frame Of Fame: {clip.video}",
            "description": (
                f"version {version}: {len(filled_frames)} of {clip.frame_count} frames by the crowd"
            ),
            "skin": "api",
            "post": "1",
            "file_role": "Source",
        }
        if item_id:
            fields["id"] = item_id
        answer = await self._post(fields, clip)
        new_id = parse_answer(answer)
        await self.state.save_publish_state(
            clip.video,
            TARGET,
            json.dumps({"item_id": new_id or item_id or "", "clip_hash": clip.clip_hash}),
        )

    async def _post(self, fields: dict[str, str], clip: RenderedClip) -> str:
        url = self.settings.blip_base_url.rstrip("/") + "/file/post"
        try:
            async for attempt in transient_retry(
                is_transient_http_error, max_elapsed_seconds=RETRY_SECONDS
            ):
                with attempt, clip.mp4_path.open("rb") as file:
                    files = {"file": (f"{clip.video}.mp4", file, "video/mp4")}
                    response = await self.http.post(url, data=fields, files=files)
                    response.raise_for_status()
                    return response.text
        except httpx.HTTPError as exc:
            raise DependencyUnavailable("blip", f"Blip upload failed: {exc}") from exc
        raise AssertionError("unreachable")


def parse_answer(xml_text: str) -> str | None:
    """The item id of an ``OK`` answer; :class:`BlipRejected` for ``ERROR`` or nonsense."""
    try:
        # The host is configured by the operator; expat refuses entity expansion bombs.
        root = ElementTree.fromstring(xml_text)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise BlipRejected(f"Blip answered something that is not XML: {exc}") from exc
    status = (root.findtext("status") or "").strip()
    if status != "OK":
        code = (root.findtext(".//error/code") or root.findtext(".//code") or "UNKNOWN").strip()
        message = (root.findtext(".//error/message") or "").strip()
        raise BlipRejected(
            f"Blip refused the upload: {code} {message}".strip(), code=f"blip_{code.lower()}"
        )
    item_id = root.findtext(".//item_id")
    return item_id.strip() if item_id else None
