"""The renderer as real processes: moto server, the importer's command, the service.

A short generated video is imported with the CLI; approvals for a few slots (their
large renditions uploaded first) go through the real ``render`` queue; the service,
with the default debounce settings, publishes a new clip whose frames at those slots
are the photos, with every frame and the audio.
"""

import asyncio
import io
import time
from datetime import datetime

import httpx
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from tests.media import audio_seconds, decoded_frames, short_video
from tests.processes import PYTHON, answers, free_port, running, wait_for
from tests.stack import approve_photo, import_with_cli, renderer_env

pytestmark = pytest.mark.system

SLOTS = {7: (230, 40, 40), 26: (40, 200, 60), 44: (40, 60, 230)}
TOKEN = "operator-secret"
APPROVAL_TO_PUBLISHED_SECONDS = 45


def photo(colour):
    image = Image.new("RGB", (640, 360), colour)
    ImageDraw.Draw(image).ellipse([220, 80, 420, 280], fill=(250, 250, 250))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def difference(frame, jpeg_bytes):
    expected = Image.open(io.BytesIO(jpeg_bytes)).convert("RGB")
    return sum(ImageStat.Stat(ImageChops.difference(frame.to_image(), expected)).mean) / 3


async def poll(predicate, timeout_seconds, what):
    deadline = time.monotonic() + timeout_seconds
    while not (result := await predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.25)
    return result


async def test_approved_photos_reach_the_published_clip_at_their_slots(
    aws, aws_fields, tmp_path, output_dir
):
    env = import_with_cli(aws_fields, short_video(tmp_path / "source.mp4", seconds=2.0), "sys")
    port = free_port()
    service_env = renderer_env(env, port, tmp_path / "work", "sys")
    service_env["RENDERER_OPERATOR_TOKEN"] = TOKEN
    with running(
        [PYTHON, "-m", "services.renderer"],
        env=service_env,
        log_path=output_dir / "renderer-system.log",
    ):
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{base}/readyz"), 60, "the renderer")
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            first = await poll(lambda: clip_if(http, lambda c: True), 60, "the first clip")
            assert (first["frame_count"], first["filled_slots"]) == (50, 0)

            assert (await http.post("/renders", json={"video": "sys"})).status_code == 401
            wrong = {"Authorization": "Bearer nope"}
            operator = {"Authorization": f"Bearer {TOKEN}"}
            assert (
                await http.post("/renders", json={"video": "sys"}, headers=wrong)
            ).status_code == 401

            approved_at = time.monotonic()
            for frame, colour in SLOTS.items():
                await approve_photo(
                    aws,
                    aws_fields["media_bucket"],
                    aws_fields["render_queue"],
                    "sys",
                    f"sys-{frame}",
                    frame,
                    photo(colour),
                )
            latest = await poll(
                lambda: clip_if(http, lambda c: c["filled_slots"] == len(SLOTS)),
                APPROVAL_TO_PUBLISHED_SECONDS + 15,
                "the clip with the photos",
            )
            latency = time.monotonic() - approved_at
            (output_dir / "approval-to-published.txt").write_text(f"{latency:.1f} s\n")
            assert latency <= APPROVAL_TO_PUBLISHED_SECONDS

            unknown = await http.post("/renders", json={"video": "nope"}, headers=operator)
            assert unknown.status_code == 404
            forced = await http.post(
                "/renders", json={"video": "sys"}, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert forced.status_code == 202
            report = await poll(
                lambda: latest_if(http, latest["built_at"]), 30, "the forced render"
            )
            assert report["encoded_segments"] == 0
            assert report["published"] == {"s3": "unchanged"}

    mp4 = tmp_path / "published.mp4"
    mp4.write_bytes(await read(aws, aws_fields, latest["mp4_key"]))
    frames = decoded_frames(mp4)
    assert len(frames) == 50
    assert abs(audio_seconds(mp4) - 2.0) < 0.1
    for frame, colour in SLOTS.items():
        original = await read(aws, aws_fields, f"originals/sys/{frame:06d}.jpg")
        assert difference(frames[frame], photo(colour)) < 6
        assert difference(frames[frame], original) > 30
    assert difference(frames[8], await read(aws, aws_fields, "originals/sys/000008.jpg")) < 6


async def clip_if(http, condition):
    answer = await http.get("/clip")
    return answer.json() if answer.status_code == 200 and condition(answer.json()) else None


async def latest_if(http, after):
    """The latest render report once it was built after ``after`` (an ISO time)."""
    answer = await http.get("/renders/latest")
    body = answer.json()
    is_newer = datetime.fromisoformat(body["built_at"]) > datetime.fromisoformat(after)
    return body if answer.status_code == 200 and is_newer else None


async def read(aws, aws_fields, key):
    answer = await aws.s3.get_object(Bucket=aws_fields["media_bucket"], Key=key)
    async with answer["Body"] as body:
        return await body.read()
