"""Leases and photo upload through the real gateway and ingest processes."""

import asyncio
import io
import json
import time

import httpx
import pytest
from PIL import Image

from shared.messages import SubmissionIngested, parse_message
from shared.settings import AwsSettings
from tests.images import encode, exif_bytes, jpeg, photo
from tests.peeks import drain, frames_of, keys, queue_counts
from tests.stack import seed_video


@pytest.fixture
async def one_slot(aws, aws_fields):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=1)
    return settings


async def test_lease_heartbeat_release_and_the_same_frame_comes_back(one_slot, stack_factory):
    stack = stack_factory(["gateway"])
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as alice:
        created = await alice.post("/api/leases")
        assert created.status_code == 201, created.text
        lease = created.json()
        assert set(lease) >= {"lease_id", "video", "frame", "original_url", "expires_at", "token"}
        assert (lease["video"], lease["frame"]) == ("demo", 0)
        assert "httponly" in created.headers["set-cookie"].lower()
        assert "samesite=lax" in created.headers["set-cookie"].lower()

        again = await alice.post("/api/leases")
        assert again.status_code == 200
        assert again.json()["lease_id"] == lease["lease_id"]

        original = await alice.get(lease["original_url"])
        assert original.status_code == 200
        assert original.headers["content-type"] == "image/jpeg"
        assert Image.open(io.BytesIO(original.content)).size == (640, 360)

        beat = await alice.post(
            f"/api/leases/{lease['lease_id']}/heartbeat", headers={"X-Lease-Token": lease["token"]}
        )
        assert beat.status_code == 200, beat.text
        assert beat.json()["token"] != lease["token"]

        async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as bob:
            empty = await bob.post("/api/leases")
            assert empty.status_code == 503
            assert empty.json()["error"] == "no_frame_available"
            assert int(empty.headers["Retry-After"]) > 0

            stolen = await bob.delete(
                f"/api/leases/{lease['lease_id']}", headers={"X-Lease-Token": lease["token"]}
            )
            assert stolen.status_code == 403
            assert stolen.json()["error"] == "not_your_lease"

            released = await alice.delete(
                f"/api/leases/{lease['lease_id']}", headers={"X-Lease-Token": beat.json()["token"]}
            )
            assert released.status_code == 204
            back = await bob.post("/api/leases")
            assert back.status_code == 201
            assert (back.json()["video"], back.json()["frame"]) == ("demo", 0)


async def test_forged_tokens_are_forbidden(one_slot, stack_factory):
    stack = stack_factory(["gateway"])
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        lease = (await client.post("/api/leases")).json()
        body, _, signature = lease["token"].partition(".")
        for token in (f"{body}x.{signature}", f"{body}.{signature[::-1]}", "nonsense"):
            answer = await client.post(
                f"/api/leases/{lease['lease_id']}/heartbeat", headers={"X-Lease-Token": token}
            )
            assert answer.status_code == 403, token
            assert set(answer.json()) == {"error", "detail"}
        # A photo with a forged token is refused before its body is read.
        forged_photo = await client.post(
            f"/api/leases/{lease['lease_id']}/photo",
            content=b"\xff" * (1024 * 1024),
            headers={"X-Lease-Token": f"{body}x.{signature}", "Content-Type": "image/jpeg"},
        )
        assert forged_photo.status_code == 403


async def test_lease_creation_is_rate_limited_per_address(aws, aws_fields, stack_factory):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=6)
    stack = stack_factory(["gateway"], GATEWAY_LEASE_RATE_PER_MINUTE="3")
    statuses = []
    for _ in range(4):
        async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as fresh_visitor:
            answer = await fresh_visitor.post("/api/leases")
            statuses.append(answer.status_code)
    assert statuses == [201, 201, 201, 429]
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.json()["error"] == "rate_limited"


async def test_past_the_maximum_lease_the_heartbeat_is_gone(one_slot, stack_factory):
    stack = stack_factory(["gateway"], GATEWAY_LEASE_SECONDS="1", GATEWAY_MAX_LEASE_SECONDS="2")
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        lease = (await client.post("/api/leases")).json()
        await asyncio.sleep(2.2)  # let the maximum lease pass: time itself is under test
        answer = await client.post(
            f"/api/leases/{lease['lease_id']}/heartbeat", headers={"X-Lease-Token": lease["token"]}
        )
        assert answer.status_code == 410
        assert answer.json()["error"] == "lease_expired"


async def test_a_photo_becomes_three_clean_renditions_and_one_announcement(
    one_slot, aws, stack_factory
):
    settings = one_slot
    stack = stack_factory(["gateway", "ingest"])
    # A portrait phone photo, stored sideways with EXIF orientation 6 and GPS data.
    upright = photo(720, 1280)
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    data = encode(sideways, "JPEG", quality=90, exif=exif_bytes(6, gps=True))
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        lease = (await client.post("/api/leases")).json()
        url = f"/api/leases/{lease['lease_id']}/photo"
        headers = {"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"}
        first = await client.post(
            url, content=data, headers=headers, params={"display_name": " Ada\x07 Lovelace\n"}
        )
        assert first.status_code == 202, first.text
        assert first.json() == {
            "submission_id": lease["lease_id"],
            "status_url": f"/api/submissions/{lease['lease_id']}",
        }
        again = await client.post(url, content=data, headers=headers)
        assert again.status_code == 202

    sid = lease["lease_id"]
    stored = await keys(aws, settings.media_bucket, f"submissions/{sid}/")
    assert stored == sorted(
        f"submissions/{sid}/{name}"
        for name in ("large.jpg", "medium.jpg", "thumb.jpg", "submission.json", "announced")
    )
    expected = {"large": (640, 360), "medium": (320, 180), "thumb": (128, 72)}
    for name, size in expected.items():
        got = await aws.s3.get_object(
            Bucket=settings.media_bucket, Key=f"submissions/{sid}/{name}.jpg"
        )
        assert got["ContentType"] == "image/jpeg"
        assert "max-age" in got["CacheControl"]
        image = Image.open(io.BytesIO(await got["Body"].read()))
        assert image.size == size
        assert not image.getexif()
    record = json.loads(
        await (
            await aws.s3.get_object(
                Bucket=settings.media_bucket, Key=f"submissions/{sid}/submission.json"
            )
        )["Body"].read()
    )
    assert (record["width"], record["height"]) == (720, 1280)  # orientation applied
    assert record["display_name"] == "Ada Lovelace"

    assert await queue_counts(aws, frames_of(settings)) == (0, 0)  # lease done
    announcements = [
        parse_message(b, SubmissionIngested) for b in await drain(aws, settings.moderation_queue)
    ]
    assert len(announcements) == 1
    assert announcements[0].submission_id == sid
    assert announcements[0].renditions.large == f"submissions/{sid}/large.jpg"


async def test_a_late_photo_within_the_maximum_is_still_accepted(one_slot, aws, stack_factory):
    stack = stack_factory(["gateway", "ingest"], GATEWAY_LEASE_SECONDS="1")
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        lease = (await client.post("/api/leases")).json()
        await asyncio.sleep(1.5)  # the visibility timeout passes: the frame is back in play
        answer = await client.post(
            f"/api/leases/{lease['lease_id']}/photo",
            content=jpeg(),
            headers={"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"},
        )
    assert answer.status_code == 202, answer.text
    assert await keys(aws, one_slot.media_bucket, f"submissions/{lease['lease_id']}/large.jpg")


async def test_ingest_down_means_503_and_the_lease_survives_for_a_retry(
    one_slot, aws, stack_factory
):
    stack = stack_factory(["gateway", "ingest"], GATEWAY_INGEST_RETRY_SECONDS="1")
    stack.stop("ingest")
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as client:
        lease = (await client.post("/api/leases")).json()
        url = f"/api/leases/{lease['lease_id']}/photo"
        headers = {"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"}
        down = await client.post(url, content=jpeg(), headers=headers)
        assert down.status_code == 503
        assert down.json()["error"] == "dependency_unavailable"
        assert await keys(aws, one_slot.media_bucket, "submissions/") == []
        assert await queue_counts(aws, frames_of(one_slot)) == (0, 1)  # still leased

        stack.start("ingest")
        retried = await client.post(url, content=jpeg(), headers=headers)
        assert retried.status_code == 202, retried.text
    assert await queue_counts(aws, frames_of(one_slot)) == (0, 0)


async def test_a_body_that_trickles_in_too_slowly_is_cut_off_with_408(one_slot, stack_factory):
    stack = stack_factory(["gateway"], GATEWAY_UPLOAD_TIMEOUT_SECONDS="1")
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as client:
        lease = (await client.post("/api/leases")).json()
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    host, port = stack.urls["gateway"].removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    started = time.monotonic()
    writer.write(
        (
            f"POST /api/leases/{lease['lease_id']}/photo HTTP/1.1\r\n"
            f"Host: {host}\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n"
            f"X-Lease-Token: {lease['token']}\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
        + b"\xff\xd8" * 10
    )
    await writer.drain()
    # Send nothing more: the gateway must answer by itself once its deadline passes.
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    elapsed = time.monotonic() - started
    writer.close()
    assert head.startswith(b"HTTP/1.1 408")
    assert 0.9 < elapsed < 3


async def lease_statuses(url: str, forwarded_for: list[str]) -> list[int]:
    """Each lease asked by a fresh visitor, through a proxy claiming ``forwarded_for``."""
    statuses = []
    for address in forwarded_for:
        async with httpx.AsyncClient(base_url=url) as visitor:
            answer = await visitor.post("/api/leases", headers={"X-Forwarded-For": address})
            statuses.append(answer.status_code)
    return statuses


async def test_behind_a_trusted_proxy_each_visitor_address_has_its_own_lease_limit(
    aws, aws_fields, stack_factory
):
    await seed_video(aws, AwsSettings(**aws_fields), frames=4)
    stack = stack_factory(
        ["gateway"], GATEWAY_LEASE_RATE_PER_MINUTE="2", GATEWAY_TRUSTED_PROXIES="127.0.0.0/8"
    )
    # The balancer appends the address it saw; what the visitor wrote before it is ignored.
    alice = ["203.0.113.1", "198.51.100.7, 203.0.113.1", "203.0.113.9, 203.0.113.1"]
    assert await lease_statuses(stack.urls["gateway"], alice) == [201, 201, 429]
    assert await lease_statuses(stack.urls["gateway"], ["203.0.113.2"]) == [201]


async def test_from_an_untrusted_peer_x_forwarded_for_is_ignored(aws, aws_fields, stack_factory):
    await seed_video(aws, AwsSettings(**aws_fields), frames=4)
    stack = stack_factory(
        ["gateway"], GATEWAY_LEASE_RATE_PER_MINUTE="2", GATEWAY_TRUSTED_PROXIES="192.0.2.10"
    )
    visitors = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
    assert await lease_statuses(stack.urls["gateway"], visitors) == [201, 201, 429]
