"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright, with a fake camera."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, async_playwright

CHROMIUM = "/usr/bin/chromium"
QUIET_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def write_y4m(picture: bytes, path: Path, frames: int = 10) -> Path:
    """A YUV4MPEG2 clip of one still picture, for Chromium's fake camera."""
    image = Image.open(io.BytesIO(picture)).convert("YCbCr")
    width, height = image.size
    y, cb, cr = image.split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F25:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)
    return path


@pytest.fixture
def screenshots(output_dir: Path, request: pytest.FixtureRequest) -> Path:
    """Where this test saves its page screenshots."""
    folder = output_dir / "screenshots" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
async def launch(tmp_path: Path) -> AsyncIterator:
    """``await launch(camera=picture_bytes | None, allow_camera=True)`` → a Browser."""
    async with async_playwright() as playwright:
        browsers: list[Browser] = []

        async def start(camera: bytes | None = None, allow_camera: bool = True) -> Browser:
            flags = [*QUIET_FLAGS, "--use-fake-device-for-media-stream"]
            if allow_camera:
                flags.append("--use-fake-ui-for-media-stream")
            else:
                flags.append("--deny-permission-prompts")
            if camera is not None:
                clip = write_y4m(camera, tmp_path / f"camera-{len(browsers)}.y4m")
                flags.append(f"--use-file-for-fake-video-capture={clip}")
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
            browsers.append(browser)
            return browser

        yield start
        for browser in browsers:
            await browser.close()


@pytest.fixture
def audit_accessibility():
    """``await audit_accessibility(page)``: axe-core at desktop and phone widths; serious
    or critical violations fail the test (tests/browser/accessibility.py)."""
    from tests.browser.accessibility import audit_accessibility as audit

    return audit
