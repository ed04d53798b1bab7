"""The whole local stack, processes and all, with a person played by Chromium.

The video is a still scene (every frame alike), so the fake camera, fed the original
frame, re-creates whichever frame the page leases, and the simulated crowd rates it well.
"""

import asyncio
import io
import os
import re
import subprocess

import av
import httpx
import pytest
from PIL import Image
from playwright.async_api import expect

from tests.crowd_process import crowd_server
from tests.processes import PYTHON, ROOT
from tests.stack import aws_env, original_frame, slots_offered

pytestmark = pytest.mark.browser

FRAMES = 4
CROWD_KEY = "e2e-crowd-key"


def still_video(path, frames: int = FRAMES, fps: int = 4) -> bytes:
    """An H.264 clip of ``frames`` identical frames; returns the picture as JPEG."""
    picture = original_frame(3)
    image = Image.open(io.BytesIO(picture)).convert("RGB")
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = image.width, image.height, "yuv420p"
        for _ in range(frames):
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return picture


@pytest.fixture
def still_frames() -> int:
    """Frames of the imported still video (a module may override it)."""
    return FRAMES


@pytest.fixture
async def whole_stack(aws, aws_fields, stack_factory, output_dir, tmp_path, still_frames):
    picture = still_video(tmp_path / "still.mp4", frames=still_frames)
    env = aws_env(aws_fields)
    subprocess.run(
        [
            PYTHON,
            "-m",
            "importer",
            "video",
            str(tmp_path / "still.mp4"),
            "--video",
            "demo",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    with crowd_server(
        CROWD_KEY,
        output_dir / "crowd-e2e.log",
        judgment_delay_seconds=0.5,
        judgment_jitter_seconds=0.2,
    ) as crowd:
        stack = stack_factory(
            ["ingest", "moderation", "renderer", "gateway"],
            MODERATION_CROWD_API_KEY=CROWD_KEY,
            MODERATION_CROWD_BASE_URL=crowd,
            MODERATION_RECONCILE_SECONDS="2",
            RENDERER_MIN_INTERVAL_SECONDS="1",
            RENDERER_MAX_DELAY_SECONDS="2",
            RENDERER_WORK_DIR=str(tmp_path / "renderer"),
        )
        await slots_offered(aws, aws_fields)
        yield stack, picture


async def contribute_by_api(gateway: str, picture: bytes) -> str:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as visitor:
        return await contribute_as(visitor, picture)


async def contribute_as(visitor: httpx.AsyncClient, picture: bytes) -> str:
    """Lease a frame (waiting up to 30 s for one to be offered) and send ``picture``."""
    for _ in range(30):
        leased = await visitor.post("/api/leases")
        if leased.status_code != 503:
            break
        await asyncio.sleep(1)
    lease = leased.json()
    answer = await visitor.post(
        f"/api/leases/{lease['lease_id']}/photo",
        content=picture,
        headers={"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"},
    )
    assert answer.status_code == 202, answer.text
    return lease["lease_id"]


async def test_a_visitor_contributes_a_frame_and_sees_it_in_the_clip(
    whole_stack, launch, screenshots
):
    stack, picture = whole_stack
    gateway = stack.urls["gateway"]
    browser = await launch(camera=picture)
    home = await browser.new_page()
    await home.goto(gateway)
    await expect(home.locator("main")).to_have_attribute("data-state", "ready", timeout=15000)
    first_version = await home.locator("#player").get_attribute("data-version")
    await home.screenshot(path=screenshots / "home-before.png", full_page=True)

    page = await browser.new_page()
    await page.goto(f"{gateway}/contribute")
    main = page.locator("main")
    await expect(main).to_have_attribute("data-state", "live", timeout=20000)
    await expect(page.locator("#onion")).to_be_visible()
    await page.get_by_label("Onion skin").fill("70")
    await page.get_by_label("Mirror my camera").uncheck()
    await page.screenshot(path=screenshots / "contribute-live.png", full_page=True)
    await page.get_by_role("button", name=re.compile("Take photo")).click()
    await expect(main).to_have_attribute("data-state", "review", timeout=10000)
    await page.get_by_label("Your name in the credits").fill("Ada")
    await page.get_by_role("button", name="Send my frame").click()
    await expect(main).to_have_attribute("data-state", "status-approved", timeout=60000)
    await page.screenshot(path=screenshots / "contribute-approved.png", full_page=True)
    frame_href = await page.locator("#frame-link").get_attribute("href")

    await expect(home.locator(f'#recent a[href="{frame_href}"]')).to_be_visible(timeout=30000)
    await expect(home.locator("#player")).not_to_have_attribute(
        "data-version", first_version or "", timeout=60000
    )
    await home.screenshot(path=screenshots / "home-after.png", full_page=True)

    frame_page = await browser.new_page()
    await frame_page.goto(f"{gateway}{frame_href}")
    await expect(frame_page.locator("main")).to_have_attribute(
        "data-state", "filled", timeout=15000
    )
    await expect(frame_page.locator("#frame-credit")).to_contain_text("By Ada")
    await frame_page.screenshot(path=screenshots / "frame-page.png", full_page=True)

    # Everyone else re-makes the remaining frames: the project is finished.
    for _ in range(FRAMES - 1):
        await contribute_by_api(gateway, picture)
    await expect(home.locator("#progress-text")).to_have_text(
        f"{FRAMES} of {FRAMES} frames re-made", timeout=90000
    )
    await expect(home.locator("#recent li")).to_have_count(FRAMES, timeout=30000)
    await home.screenshot(path=screenshots / "home-finished.png", full_page=True)

    phone = await browser.new_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    await phone.goto(gateway)
    await expect(phone.locator("main")).to_have_attribute("data-state", "ready", timeout=15000)
    await phone.screenshot(path=screenshots / "home-phone.png", full_page=True)
