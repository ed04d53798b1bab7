"""A real-length video and several videos, through real processes (moto server).

A 3-minute music video is 4,500 frames at 25 fps: the import, the feeder's registration
and the leases must not care. Two videos are leased side by side, each from its own
queue, with their own clip status and pages.
"""

from __future__ import annotations

import asyncio
import time
from itertools import pairwise
from pathlib import Path

import av
import httpx
import numpy as np

from services.moderation.slots.adapters.dynamo import DynamoSlotRegistry
from shared.settings import AwsSettings
from tests.peeks import frames_of, queue_counts
from tests.stack import import_with_cli, seed_video, slots_offered

MUSIC_VIDEO_FRAMES = 4500
IMPORT_WITHIN_SECONDS = 240.0
REGISTERED_WITHIN_SECONDS = 120.0
FEEDER = {"MODERATION_SWEEP_SECONDS": "1", "MODERATION_CROWD_BASE_URL": "http://127.0.0.1:9"}


def music_video(path: Path, frames: int) -> Path:
    """``frames`` frames of a small (96×54) H.264 video, each a different colour."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 96, 54, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for index in range(frames):
            pixels = np.full((54, 96, 3), (index % 256, (index // 256) * 14, 120), np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


async def until_registered(aws, fields, video: str, timeout_seconds: float) -> None:
    registry = DynamoSlotRegistry(aws.dynamodb, str(fields["reviews_table"]))
    deadline = time.monotonic() + timeout_seconds
    while (feed := await registry.feed_of(video)) is None or not feed.is_registered:
        assert time.monotonic() < deadline, f"{video}'s slots not registered in time"
        await asyncio.sleep(0.5)


async def test_a_music_video_of_4500_frames_imports_and_leases_spread_over_the_clip(
    aws, aws_fields, stack_factory, tmp_path
):
    source = music_video(tmp_path / "song.mp4", MUSIC_VIDEO_FRAMES)
    started = time.monotonic()
    import_with_cli(aws_fields, source, "song")
    took = time.monotonic() - started
    assert took < IMPORT_WITHIN_SECONDS, f"import took {took:.0f} s"
    stack = stack_factory(["moderation", "gateway"], GATEWAY_VIDEO="song", **FEEDER)
    await until_registered(aws, aws_fields, "song", REGISTERED_WITHIN_SECONDS)
    await slots_offered(aws, aws_fields, "song")
    settings = AwsSettings(**aws_fields)
    visible, _ = await queue_counts(aws, frames_of(settings, "song"))
    assert visible <= 50, "only a small window waits in the queue"
    frames = []
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        for visitor in range(16):
            client.cookies.clear()
            answer = await client.post(
                "/api/leases", headers={"X-Forwarded-For": f"10.1.0.{visitor + 1}"}
            )
            assert answer.status_code == 201, answer.text
            frames.append(answer.json()["frame"])
        status = (await client.get("/api/clip")).json()
    assert status["frame_count"] == MUSIC_VIDEO_FRAMES
    # Never-attempted slots spread over the clip: 16 leases leave no gap wider than 1/8.
    edges = [*sorted(frames), MUSIC_VIDEO_FRAMES + min(frames)]
    assert max(b - a for a, b in pairwise(edges)) <= MUSIC_VIDEO_FRAMES / 8


async def test_two_videos_are_leased_side_by_side_from_their_own_queues(
    aws, aws_fields, stack_factory
):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, video="alpha", frames=30, offer=False)
    await seed_video(aws, settings, video="beta", frames=20, offer=False)
    stack = stack_factory(["moderation", "gateway"], GATEWAY_VIDEO="alpha", **FEEDER)
    for video in ("alpha", "beta"):
        await slots_offered(aws, aws_fields, video)
    gateway = stack.urls["gateway"]
    async with (
        httpx.AsyncClient(base_url=gateway) as ann,
        httpx.AsyncClient(base_url=gateway) as bob,
    ):
        first = await ann.post("/api/leases")
        other = await bob.post("/api/leases", params={"video": "beta"})
        assert (first.status_code, other.status_code) == (201, 201)
        assert (first.json()["video"], other.json()["video"]) == ("alpha", "beta")
        switched = await ann.post("/api/leases", params={"video": "beta"})
        assert switched.json()["video"] == "beta", "a live lease elsewhere is given back"
        missing = await ann.post("/api/leases", params={"video": "gamma"})
        assert missing.status_code == 404
        videos = (await ann.get("/api/videos")).json()["videos"]
        beta = (await ann.get("/api/clip", params={"video": "beta"})).json()
        page = await ann.get("/v/beta/contribute")
    assert [v["video"] for v in videos] == ["alpha", "beta"]
    assert videos[1]["contribute_url"] == "/v/beta/contribute"
    assert beta["frame_count"] == 20
    assert page.status_code == 200
    assert (await queue_counts(aws, frames_of(settings, "alpha")))[1] == 0, "alpha given back"
    assert (await queue_counts(aws, frames_of(settings, "beta")))[1] == 2
