"""The contributor pages and API of the gateway app, over in-memory ports: my frames,
deleting (and every refusal), the live notice, keep links, share pages, credits."""

import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image

from services.gateway.app import create_app
from services.gateway.core.cookies import CLIENT_COOKIE
from services.gateway.settings import GatewaySettings
from shared.records import (
    ClipPointer,
    ReviewView,
    clip_facts_key,
    current_clip_key,
    original_key,
    rendition_key,
    share_image_key,
)
from tests.fakes.gateway import MemoryGatewayPorts, composed, memory_ports, store_video
from tests.pictures import good_copy, jpeg, original_frame

ALICE, BOB = "alice-client-id-0001", "bob-client-id-00002"
WHEN = datetime(2026, 1, 1, tzinfo=UTC)  # in the past: news compares with the real now
SITE = "http://gateway"


def review(sid: str, frame: int = 1, status: str = "approved", name: str = "Ada") -> ReviewView:
    return ReviewView(
        submission_id=sid,
        video="demo",
        frame=frame,
        status=status,  # type: ignore[arg-type]
        score=0.8,
        auto_score=None,
        reasons=[],
        judgments=3,
        display_name=name,
        thumb_key=rendition_key(sid, "thumb"),
        medium_key=rendition_key(sid, "medium"),
        large_key=rendition_key(sid, "large"),
        created_at=WHEN,
        decided_at=WHEN if status != "pending" else None,
    )


def pointer(version: str, built_at: datetime, filled: list[int]) -> ClipPointer:
    prefix = f"clips/demo/{version}/"
    return ClipPointer(
        video="demo",
        version=version,
        clip_hash=version,
        frame_count=3,
        filled_slots=len(filled),
        duration_seconds=0.12,
        built_at=built_at,
        render_seconds=1.0,
        mp4_key=prefix + "clip.mp4",
        poster_key=prefix + "poster.jpg",
        hls_key=prefix + "index.m3u8",
        filled_frames=filled,
        published_at=built_at,
    )


@pytest.fixture
async def fakes() -> MemoryGatewayPorts:
    fakes = memory_ports()
    await store_video(fakes)
    fakes.reviews.add(review("ann-live", frame=1), ALICE)
    fakes.reviews.add(review("ann-pending", frame=2, status="pending"), ALICE)
    fakes.reviews.add(review("bob-photo", frame=0, name="Bob"), BOB)
    live = pointer("v2", WHEN + timedelta(minutes=1), [0, 1])
    await fakes.objects.put_record(current_clip_key("demo"), live)
    await fakes.objects.put_record(clip_facts_key("demo", "v2"), live)
    await fakes.objects.put_record(clip_facts_key("demo", "v1"), pointer("v1", WHEN, [0]))
    await fakes.objects.put(rendition_key("ann-live", "medium"), good_copy(1), "image/jpeg")
    await fakes.objects.put(original_key("demo", 1), jpeg(original_frame(1)), "image/jpeg")
    return fakes


def settings(**changes: object) -> GatewaySettings:
    return GatewaySettings(lease_secret="unit-test-secret", **changes)


async def client_of(
    fakes: MemoryGatewayPorts, gateway_settings: GatewaySettings
) -> AsyncIterator[httpx.AsyncClient]:
    deps = composed(fakes, gateway_settings)
    app = create_app(gateway_settings, deps)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=SITE) as client:
            yield client


@pytest.fixture
async def client(fakes) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_of(fakes, settings(delete_rate_per_minute=3)):
        yield client


def as_visitor(client: httpx.AsyncClient, client_id: str) -> httpx.AsyncClient:
    client.cookies.set(CLIENT_COOKIE, client_id)
    return client


# My frames.


async def test_my_frames_lists_only_this_visitors_submissions_with_where_they_play(client):
    answer = await as_visitor(client, ALICE).get("/api/me/submissions")
    mine = {s["submission_id"]: s for s in answer.json()["submissions"]}
    assert set(mine) == {"ann-live", "ann-pending"}
    assert mine["ann-live"]["live_at_seconds"] == 0.04  # frame 1 at 25 fps
    assert mine["ann-live"]["player_url"] == "/v/demo#t=0.04"
    assert mine["ann-live"]["share_url"] == "/s/ann-live"
    assert (mine["ann-pending"]["status"], mine["ann-pending"]["share_url"]) == ("pending", None)


async def test_a_first_visit_has_no_frames_and_gets_a_cookie(client):
    answer = await client.get("/api/me/submissions")
    assert answer.json() == {"submissions": []}
    assert CLIENT_COOKIE in answer.cookies


async def test_the_live_notice_tells_of_photos_in_clips_published_since_the_last_poll(client):
    as_visitor(client, ALICE)
    before = (WHEN - timedelta(minutes=1)).isoformat()
    news = (await client.get("/api/me/news", params={"since": before})).json()
    assert [s["submission_id"] for s in news["live"]] == ["ann-live"]
    later = (await client.get("/api/me/news", params={"since": news["now"]})).json()
    assert later["live"] == []
    assert (await client.get("/api/me/news")).json()["live"] == []


# Deleting, and its refusals.


async def test_a_visitor_deletes_their_photo_and_it_is_gone_from_every_page(client, fakes):
    as_visitor(client, ALICE)
    assert (await client.get("/s/ann-live")).status_code == 200
    assert (await client.delete("/api/me/submissions/ann-live")).status_code == 204
    listed = (await client.get("/api/me/submissions")).json()["submissions"]
    assert [s["submission_id"] for s in listed] == ["ann-pending"]
    assert (await client.get("/s/ann-live")).status_code == 404
    assert (await client.get("/api/frames/demo/1")).json()["photos"] == []
    assert (await client.get("/api/videos/demo/credits")).json()["credits"][0]["frame"] == 0


async def test_deleting_someone_elses_photo_is_the_same_404_as_an_unknown_one(client, fakes):
    as_visitor(client, ALICE)
    foreign = await client.delete("/api/me/submissions/bob-photo")
    unknown = await client.delete("/api/me/submissions/no-such-photo")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()
    assert fakes.reviews.reviews["bob-photo"].status == "approved"


async def test_deleting_without_the_visitor_cookie_is_refused(client, fakes):
    answer = await client.delete("/api/me/submissions/ann-live")
    assert (answer.status_code, answer.json()["error"]) == (401, "no_client")
    assert fakes.reviews.reviews["ann-live"].status == "approved"


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}],
)
async def test_a_delete_sent_from_another_site_is_refused(client, fakes, headers):
    as_visitor(client, ALICE)
    answer = await client.delete("/api/me/submissions/ann-live", headers=headers)
    assert (answer.status_code, answer.json()["error"]) == (403, "cross_site_request")
    assert fakes.reviews.reviews["ann-live"].status == "approved"


async def test_deletions_are_rate_limited_per_visitor(client):
    as_visitor(client, ALICE)
    codes = [(await client.delete(f"/api/me/submissions/x{n}")).status_code for n in range(4)]
    assert codes == [404, 404, 404, 429]
    as_visitor(client, BOB)
    assert (await client.delete("/api/me/submissions/x9")).status_code == 404


# Keep my frames.


async def test_a_keep_link_moves_the_frames_to_another_browser(fakes, client):
    link = (await as_visitor(client, ALICE).get("/api/me/keep-link")).json()["url"]
    assert re.fullmatch(rf"/keep/{ALICE}\.[A-Za-z0-9_-]{{43}}", link)
    async for other in client_of(fakes, settings()):
        page = await other.get(link)
        assert f'action="{link}"' in page.text
        assert page.cookies.get(CLIENT_COOKIE) != ALICE  # opening it switches nobody
        answer = await other.post(link, headers={"Origin": SITE})
        assert (answer.status_code, answer.headers["location"]) == (303, "/me")
        assert answer.cookies[CLIENT_COOKIE] == ALICE
        listed = (await other.get("/api/me/submissions")).json()["submissions"]
        assert {s["submission_id"] for s in listed} == {"ann-live", "ann-pending"}


async def test_a_forged_or_altered_keep_link_is_refused_and_adopts_nobody(client):
    link = (await as_visitor(client, ALICE).get("/api/me/keep-link")).json()["url"]
    client.cookies.clear()
    for forged in (link.replace(ALICE, BOB), link[:-2] + "AA", f"/keep/{ALICE}", "/keep/x.y"):
        for method in ("GET", "POST"):
            answer = await client.request(method, forged)
            assert answer.status_code == 404
            assert answer.cookies.get(CLIENT_COOKIE) not in (ALICE, BOB)


async def test_a_keep_link_posted_from_another_site_switches_nobody(client):
    link = (await as_visitor(client, ALICE).get("/api/me/keep-link")).json()["url"]
    client.cookies.clear()
    answer = await client.post(link, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert answer.cookies.get(CLIENT_COOKIE) != ALICE


async def test_a_keep_link_needs_a_visitor_cookie(client):
    assert (await client.get("/api/me/keep-link")).status_code == 401


# Sharing.


async def test_a_share_page_carries_its_preview_tags_in_the_html(client):
    html = (await client.get("/s/ann-live")).text
    assert '<meta property="og:url" content="http://gateway/s/ann-live">' in html
    assert '<meta property="og:image" content="http://gateway/s/ann-live/image.jpg">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert "Frame 2 of demo, re-made by Ada" in html
    assert "<script" not in html.replace('<script type="module" src="/static/', "")


async def test_only_approved_photos_are_shareable(client):
    for sid in ("ann-pending", "nobody", "../etc"):
        assert (await client.get(f"/s/{sid}")).status_code == 404
        assert (await client.get(f"/s/{sid}/image.jpg")).status_code == 404


async def test_names_are_escaped_in_the_preview(fakes, client):
    fakes.reviews.add(review("evil", name='"><script>alert(1)</script>'))
    html = (await client.get("/s/evil")).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


async def test_the_share_image_is_made_once_and_kept_in_the_bucket(client, fakes):
    first = await client.get("/s/ann-live/image.jpg")
    assert first.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(first.content)).size == (1200, 630)
    assert await fakes.objects.find(share_image_key("ann-live")) == first.content
    await fakes.objects.put(share_image_key("ann-live"), b"kept", "image/jpeg")
    assert (await client.get("/s/ann-live/image.jpg")).content == b"kept"


async def test_a_frame_page_carries_the_preview_of_its_best_photo(client):
    html = (await client.get("/frames/demo/1")).text
    assert '<meta property="og:image" content="http://gateway/s/ann-live/image.jpg">' in html
    empty = (await client.get("/frames/demo/2")).text
    assert 'content="http://gateway/api/frames/demo/2/original"' in empty
    assert (await client.get("/frames/demo/7")).status_code == 404


async def test_the_public_url_setting_is_the_origin_of_shared_links(fakes):
    async for client in client_of(fakes, settings(public_url="https://ofof.example")):
        html = (await client.get("/s/ann-live")).text
        assert 'content="https://ofof.example/s/ann-live/image.jpg"' in html


# Credits and versions.


async def test_credits_and_versions_of_a_video(client):
    credits = (await client.get("/api/videos/demo/credits")).json()["credits"]
    assert [(c["frame"], c["display_name"]) for c in credits] == [(0, "Bob"), (1, "Ada")]
    versions = (await client.get("/api/videos/demo/versions")).json()["versions"]
    assert [(v["version"], v["filled_slots"], v["remade"]) for v in versions] == [
        ("v2", 2, 1),
        ("v1", 1, None),
    ]
    assert (await client.get("/api/videos/nope/credits")).status_code == 404


@pytest.mark.parametrize(
    "page", ["/me", "/credits", "/versions", "/v/demo/credits", "/v/demo/versions"]
)
async def test_every_new_page_is_served(client, page):
    answer = await client.get(page)
    assert answer.status_code == 200
    assert "/static/notice.js" in answer.text
