"""A corpus of bad and unusual uploads through the real gateway and ingest processes."""

import io

import httpx
import pytest
from PIL import Image

from shared.settings import AwsSettings
from tests.images import rejected_corpus, tolerated_corpus
from tests.peeks import frames_of, keys, queue_counts
from tests.stack import seed_video

REJECTED = rejected_corpus()
TOLERATED = tolerated_corpus()


@pytest.fixture
async def stack(aws, aws_fields, stack_factory):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=len(TOLERATED) + 1)
    return settings, stack_factory(["gateway", "ingest"])


def test_the_corpus_has_at_least_fifteen_bad_files():
    assert len(REJECTED) >= 15


async def test_every_bad_upload_gets_its_status_and_nothing_is_stored(stack, aws):
    settings, running = stack
    async with httpx.AsyncClient(base_url=running.urls["gateway"], timeout=60) as client:
        lease = (await client.post("/api/leases")).json()
        url = f"/api/leases/{lease['lease_id']}/photo"
        got = {}
        for name, content_type, body, _ in REJECTED:
            headers = {"X-Lease-Token": lease["token"]}
            if content_type:
                headers["Content-Type"] = content_type
            answer = await client.post(url, content=body, headers=headers)
            got[name] = answer.status_code
            assert set(answer.json()) == {"error", "detail"}, name
        # The same lease is still live: the visitor can retry with a good photo.
        heartbeat = await client.post(
            f"/api/leases/{lease['lease_id']}/heartbeat", headers={"X-Lease-Token": lease["token"]}
        )
    assert got == {name: status for name, _, _, status in REJECTED}
    assert await keys(aws, settings.media_bucket, "submissions/") == []
    assert heartbeat.status_code == 200
    assert await queue_counts(aws, frames_of(settings)) == (len(TOLERATED), 1)


async def test_a_chunked_body_over_the_limit_is_refused_while_reading(stack, aws):
    settings, running = stack
    async with httpx.AsyncClient(base_url=running.urls["gateway"], timeout=60) as client:
        lease = (await client.post("/api/leases")).json()

        async def endless():
            for _ in range(20):
                yield b"\xff" * (1024 * 1024)

        answer = await client.post(
            f"/api/leases/{lease['lease_id']}/photo",
            content=endless(),
            headers={"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"},
        )
    assert answer.status_code == 413
    assert await keys(aws, settings.media_bucket, "submissions/") == []


@pytest.mark.parametrize(("name", "content_type", "body"), TOLERATED, ids=[t[0] for t in TOLERATED])
async def test_unusual_but_valid_photos_are_accepted_as_rgb_renditions(
    stack, aws, name, content_type, body
):
    settings, running = stack
    async with httpx.AsyncClient(base_url=running.urls["gateway"], timeout=60) as client:
        lease = (await client.post("/api/leases")).json()
        answer = await client.post(
            f"/api/leases/{lease['lease_id']}/photo",
            content=body,
            headers={"X-Lease-Token": lease["token"], "Content-Type": content_type},
        )
    assert answer.status_code == 202, answer.text
    stored = await aws.s3.get_object(
        Bucket=settings.media_bucket, Key=f"submissions/{lease['lease_id']}/large.jpg"
    )
    image = Image.open(io.BytesIO(await stored["Body"].read()))
    assert (image.mode, image.size) == ("RGB", (640, 360))
