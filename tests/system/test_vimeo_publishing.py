"""Vimeo as the featured publisher, with real processes: moto, the local Vimeo, the
renderer and the gateway. The first render creates one Vimeo video, the home page embeds
its player, and a renderer restarted with a changed clip replaces the same video."""

import asyncio
import time

import httpx
import pytest

from shared.records import ClipPointer, HostedClip, current_clip_key, hosted_clip_key
from tests.media import short_video
from tests.stack import import_with_cli
from tests.vimeo_process import VIMEO_TOKEN, vimeo_server

pytestmark = pytest.mark.system
VIDEO = "vim"
PUBLISHED_SECONDS = 90


async def record(aws, bucket, key, model):
    try:
        answer = await aws.s3.get_object(Bucket=bucket, Key=key)
    except aws.s3.exceptions.NoSuchKey:
        return None
    return model.model_validate_json(await answer["Body"].read())


async def published_after(aws, bucket, earlier_hash):
    """The hosted clip once Vimeo has the clip that ``current.json`` names, newer than
    ``earlier_hash``; None until then."""
    hosted = await record(aws, bucket, hosted_clip_key(VIDEO, "vimeo"), HostedClip)
    pointer = await record(aws, bucket, current_clip_key(VIDEO), ClipPointer)
    if hosted is None or pointer is None or hosted.clip_hash != pointer.clip_hash:
        return None
    return hosted if hosted.clip_hash != earlier_hash else None


async def poll(predicate, what):
    deadline = time.monotonic() + PUBLISHED_SECONDS
    while not (result := await predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)
    return result


async def test_the_home_page_embeds_one_vimeo_video_that_a_restarted_renderer_replaces(
    aws, aws_fields, stack_factory, tmp_path
):
    import_with_cli(aws_fields, short_video(tmp_path / "source.mp4", seconds=1.0), VIDEO)
    bucket = aws_fields["media_bucket"]
    with vimeo_server(log_path=tmp_path / "vimeo.log", transcode_seconds=0.2) as vimeo_url:
        stack = stack_factory(
            ["renderer", "gateway"],
            RENDERER_PUBLISHERS='["s3","vimeo"]',
            RENDERER_VIMEO_API_URL=vimeo_url,
            RENDERER_VIMEO_ACCESS_TOKEN=VIMEO_TOKEN,
            RENDERER_WORK_DIR=str(tmp_path / "work"),
            RENDERER_MIN_INTERVAL_SECONDS="1",
            GATEWAY_VIDEO=VIDEO,
            GATEWAY_FEATURED_PLAYER="vimeo",
            GATEWAY_VIMEO_PLAYER_ORIGIN=vimeo_url,
        )
        first = await poll(lambda: published_after(aws, bucket, None), "the first Vimeo upload")
        async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=10) as gateway:
            home = await gateway.get("/")
            assert f"frame-src {vimeo_url}" in home.headers["content-security-policy"]
            shown = await poll(lambda: embed_url(gateway), "the embedded player")
        assert shown == first.player_embed_url
        clip_id = first.video_uri.rsplit("/", 1)[1]
        source = httpx.get(f"{vimeo_url}/video/{clip_id}/source.mp4")
        pointer = await record(aws, bucket, current_clip_key(VIDEO), ClipPointer)
        mp4 = await aws.s3.get_object(Bucket=bucket, Key=pointer.mp4_key)
        assert source.content == await mp4["Body"].read()

        # Another encoder setting makes another clip, which the restarted renderer renders
        # (it renders every imported video when it starts) and so publishes.
        stack.stop("renderer")
        stack.env["RENDERER_X264_CRF"] = "35"
        stack.start("renderer")
        second = await poll(
            lambda: published_after(aws, bucket, first.clip_hash), "the replaced Vimeo video"
        )
        assert second.video_uri == first.video_uri
        videos = httpx.get(f"{vimeo_url}/_sim/videos").json()
        assert [len(v["versions"]) for v in videos] == [2]


async def embed_url(gateway):
    return (await gateway.get("/api/clip")).json().get("player_embed_url")
