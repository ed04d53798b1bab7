"""With `make run`, a photo goes all the way: approved, listed, and in the next clip;
and after a Ctrl-C, `make run` again shows the same site and judges new photos (the
local crowd kept its jobs), also after the local crowd alone was killed with SIGKILL
(devstack starts it again on its state).

The default local settings are used (the renderer's 30 s debounce included, and the
local AWS that `make run` ships: ministack and dynalite, data in a state directory of
this test). The photo is the leased original frame with a magenta square in one corner:
close enough for the simulated crowd to approve it, and different enough to tell it
from the original in the published clip.
"""

import io

import httpx
import pytest
from PIL import Image, ImageChops, ImageStat

from tests.contribution import contribute, poll
from tests.launcher import make_run
from tests.media import decoded_frames

pytestmark = pytest.mark.system

APPROVED_WITHIN_SECONDS = 30
MARK = (560, 300, 620, 350)  # where the magenta square goes, in 640x360 pixels
PUBLISHED_WITHIN_SECONDS = 60


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def marked(original: bytes) -> bytes:
    image = Image.open(io.BytesIO(original)).convert("RGB")
    image.paste((255, 0, 255), MARK)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


async def site(launched) -> dict:
    """What a visitor sees of the site: the clip, the recent frames and their statuses."""
    async with httpx.AsyncClient(base_url=launched.url("gateway"), timeout=30) as client:
        recent = (await client.get("/api/frames/recent")).json()["frames"]
        statuses = [
            (await client.get(f"/api/submissions/{f['submission_id']}")).json()["status"]
            for f in recent
        ]
        return {
            "clip": (await client.get("/api/clip")).json(),
            "recent": recent,
            "statuses": statuses,
        }


async def operators_console_opens(client: httpx.AsyncClient, token_file) -> str:
    """make run leaves a per-launch operator token for this user only; it signs in to
    /ops, whose panels then answer."""
    assert token_file.stat().st_mode & 0o777 == 0o600
    token = token_file.read_text().strip()
    origin = {"Origin": str(client.base_url).rstrip("/")}
    signed = await client.post("/ops/session", json={"token": token}, headers=origin)
    assert signed.status_code == 200, signed.text
    progress = await client.get("/ops/api/progress")
    assert progress.status_code == 200, progress.text
    assert "demo" in progress.text
    return token


async def new_photos_are_judged(
    launched, stand_in: str, port: int, verdict_seconds: float = APPROVED_WITHIN_SECONDS
) -> None:
    """After a restart a new photo is approved and published; and again after the crowd
    stand-in alone was killed with SIGKILL (started again by devstack on its state)."""
    gateway = launched.url("gateway")
    await contribute(gateway, verdict_seconds, PUBLISHED_WITHIN_SECONDS)
    launched.kill_stand_in(stand_in, port)
    await contribute(gateway, verdict_seconds, PUBLISHED_WITHIN_SECONDS)


async def test_a_photo_uploaded_through_make_run_is_approved_and_shown_in_the_clip(
    output_dir, tmp_path
):
    state = tmp_path / "localaws"
    with make_run(output_dir / "make-run-flow.log", state) as launched:
        async with httpx.AsyncClient(base_url=launched.url("gateway"), timeout=30) as client:
            before = (await client.get("/api/clip")).json()
            lease = (await client.post("/api/leases")).json()
            original = (await client.get(lease["original_url"])).content
            uploaded = await client.post(
                f"/api/leases/{lease['lease_id']}/photo",
                content=marked(original),
                headers={"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"},
                params={"display_name": "Make Run"},
            )
            assert uploaded.status_code == 202, uploaded.text
            status_url = uploaded.json()["status_url"]

            status = await poll(
                lambda: client.get(status_url),
                lambda r: r.json()["status"] in ("approved", "rejected"),
                APPROVED_WITHIN_SECONDS,
                "the verdict",
            )
            assert status.json()["status"] == "approved", status.json()
            recent = (await client.get("/api/frames/recent")).json()["frames"]
            assert lease["lease_id"] in [f["submission_id"] for f in recent]

            frame = lease["frame"]
            clip = await poll(
                lambda: client.get("/api/clip"),
                lambda r: frame in r.json()["filled_frames"],
                PUBLISHED_WITHIN_SECONDS,
                "a clip showing the photo",
            )
            info = clip.json()
            before_version = before["clip"]["version"] if before["clip"] else None
            assert info["clip"]["version"] != before_version
            mp4 = tmp_path / "clip.mp4"
            mp4.write_bytes((await client.get(info["clip"]["mp4_url"])).content)
            large = await client.get(status.json()["medium_url"].replace("medium", "large"))
            photo = Image.open(io.BytesIO(large.content)).convert("RGB")
            token = await operators_console_opens(client, state / "operator-token")
        first = await site(launched)
        launched.interrupt()

    with make_run(output_dir / "make-run-again.log", state) as again:
        assert await site(again) == first
        await new_photos_are_judged(again, "sims.crowd", int(again.env["CROWD_PORT"]))
    log = (output_dir / "make-run-flow.log").read_text()
    assert f"{launched.url('gateway')}/ops (its token is in {state / 'operator-token'})" in log
    assert token not in log
    assert "demo is already imported" in (output_dir / "make-run-again.log").read_text()

    frames = decoded_frames(mp4)
    assert len(frames) == info["frame_count"]
    shown = frames[frame].to_image()
    assert mean_difference(shown, photo) < 8
    square = shown.crop(MARK)
    assert mean_difference(square, Image.new("RGB", square.size, (255, 0, 255))) < 30
    before_square = Image.open(io.BytesIO(original)).convert("RGB").crop(MARK)
    assert mean_difference(square, before_square) > 60
