"""One visitor's contribution through a running gateway, end to end (for stack tests)."""

from __future__ import annotations

import asyncio
import io
import time

import httpx
from PIL import Image

VERDICT_WITHIN_SECONDS = 60
PUBLISHED_WITHIN_SECONDS = 90


def marked(original: bytes) -> bytes:
    """The original frame with a magenta corner: the crowd approves it."""
    image = Image.open(io.BytesIO(original)).convert("RGB")
    image.paste((255, 0, 255), (0, 0, image.width // 12, image.height // 12))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


async def poll(fetch, done, timeout_seconds: float, what: str):
    """``await fetch()`` every 0.5 s until ``done`` says yes; fail after the timeout."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        value = await fetch()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {value}"
        await asyncio.sleep(0.5)


async def contribute(
    gateway: str,
    verdict_seconds: float = VERDICT_WITHIN_SECONDS,
    published_seconds: float = PUBLISHED_WITHIN_SECONDS,
) -> None:
    """Lease a frame, upload a close copy of it, and wait until it is approved and in the
    published clip (and the clip's MP4 answers)."""
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        # 503 until the importer has offered the video's slots.
        leased = await poll(
            lambda: http.post("/api/leases"),
            lambda r: "lease_id" in r.json(),
            verdict_seconds,
            "a free frame",
        )
        lease = leased.json()
        original = (await http.get(lease["original_url"])).content
        uploaded = await http.post(
            f"/api/leases/{lease['lease_id']}/photo",
            content=marked(original),
            headers={"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"},
        )
        assert uploaded.status_code == 202, uploaded.text
        status = await poll(
            lambda: http.get(uploaded.json()["status_url"]),
            lambda r: r.json()["status"] in ("approved", "rejected"),
            verdict_seconds,
            "the verdict",
        )
        assert status.json()["status"] == "approved", status.text
        clip = await poll(
            lambda: http.get("/api/clip"),
            lambda r: lease["frame"] in r.json()["filled_frames"],
            published_seconds,
            "a clip with the photo",
        )
        mp4 = await http.get(clip.json()["clip"]["mp4_url"])
        assert mp4.status_code == 200 and len(mp4.content) > 1000
