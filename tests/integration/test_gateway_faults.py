"""The gateway when S3 goes away, through a real gateway process and one keep-alive client.

The gateway talks to the moto server through a fault proxy; cutting the proxy makes S3
unreachable (new connections refused, pooled ones reset). Every answer must then be a
503 with ``Retry-After`` or the last good answer, and the visitor's connection must stay
usable for the next request.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from shared.records import ClipPointer, current_clip_key, original_key
from shared.settings import AwsSettings
from tests.faults import FaultProxy, fault_proxy
from tests.stack import seed_video

CLIP_KEY = "clips/demo/v1/clip.mp4"
CLIP_BYTES = b"not really an mp4, but bytes to stream" * 1000
ORIGINAL = "/api/frames/demo/1/original"


@pytest.fixture
def s3_proxy(moto_endpoint: str) -> Iterator[FaultProxy]:
    with fault_proxy(moto_endpoint) as proxy:
        yield proxy


@pytest.fixture
async def published(aws, aws_fields):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=3)
    pointer = ClipPointer(
        video="demo",
        version="v1",
        clip_hash="abc",
        frame_count=3,
        filled_slots=1,
        duration_seconds=0.12,
        built_at=datetime.now(UTC),
        render_seconds=1.0,
        mp4_key=CLIP_KEY,
        poster_key="clips/demo/v1/poster.jpg",
        hls_key="clips/demo/v1/index.m3u8",
        filled_frames=[1],
        published_at=datetime.now(UTC),
    )
    bucket = settings.media_bucket
    await aws.s3.put_object(Bucket=bucket, Key=CLIP_KEY, Body=CLIP_BYTES, ContentType="video/mp4")
    await aws.s3.put_object(
        Bucket=bucket, Key=current_clip_key("demo"), Body=pointer.model_dump_json().encode()
    )
    return settings


def local_port(response: httpx.Response) -> int:
    """The client-side port of the connection that carried ``response``."""
    port: int = response.extensions["network_stream"].get_extra_info("client_addr")[1]
    return port


def assert_kept_alive(response: httpx.Response, port: int) -> None:
    assert local_port(response) == port, "the gateway closed the visitor's connection"
    assert response.headers.get("connection", "").lower() != "close"


async def assert_outage_is_503_or_the_last_good_clip(
    client: httpx.AsyncClient, clip: httpx.Response, port: int
) -> None:
    """While S3 fails: the clip status stands, media is 503, the connection lives on."""
    stale = await client.get("/api/clip")
    assert stale.status_code == 200, stale.text
    assert stale.json() == clip.json()
    assert_kept_alive(stale, port)
    for path in (ORIGINAL, f"/media/{CLIP_KEY}", f"/media/{original_key('demo', 2)}"):
        for headers in ({}, {"Range": "bytes=0-99"}):
            answer = await client.get(path, headers=headers)
            assert answer.status_code == 503, (path, answer.status_code, answer.text)
            assert answer.json()["error"] == "dependency_unavailable"
            assert int(answer.headers["Retry-After"]) > 0
            assert_kept_alive(answer, port)
            after = await client.get("/healthz")
            assert after.status_code == 200
            assert_kept_alive(after, port)


async def assert_media_is_back(client: httpx.AsyncClient, port: int) -> None:
    back = await client.get(f"/media/{CLIP_KEY}")
    assert back.status_code == 200
    assert back.content == CLIP_BYTES
    assert_kept_alive(back, port)


async def test_s3_unreachable_or_dying_mid_answer_is_503_or_the_last_good_clip_on_one_connection(
    published, s3_proxy, stack_factory
):
    stack = stack_factory(
        ["gateway"],
        AWS_ENDPOINT_URL=s3_proxy.url,
        GATEWAY_CLIP_CACHE_SECONDS="0",
        OFOF_AWS_CONNECT_TIMEOUT_SECONDS="0.5",
        OFOF_AWS_MAX_ATTEMPTS="1",
    )
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as client:
        clip = await client.get("/api/clip")
        assert clip.status_code == 200, clip.text
        assert clip.json()["clip"]["version"] == "v1"
        port = local_port(clip)
        assert (await client.get(ORIGINAL)).status_code == 200
        await assert_media_is_back(client, port)

        s3_proxy.cut()
        await assert_outage_is_503_or_the_last_good_clip(client, clip, port)
        s3_proxy.restore()
        await assert_media_is_back(client, port)

        s3_proxy.truncate_answers()
        await assert_outage_is_503_or_the_last_good_clip(client, clip, port)
        s3_proxy.restore()
        await assert_media_is_back(client, port)
