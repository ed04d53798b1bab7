"""The gateway's read API over moderation and the clip pointer, through real processes."""

import httpx

from shared.settings import AwsSettings
from tests.stack import seed_video


async def test_reads_survive_moderation_going_down_by_serving_the_last_good_answer(
    aws, aws_fields, stack_factory
):
    await seed_video(aws, AwsSettings(**aws_fields), frames=3)
    stack = stack_factory(["gateway", "moderation"], GATEWAY_REVIEWS_CACHE_SECONDS="0")
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        first = await client.get("/api/frames/recent")
        assert first.status_code == 200
        assert first.json() == {"frames": []}
        slot = await client.get("/api/frames/demo/1")
        assert slot.status_code == 200
        assert slot.json()["photos"] == []
        assert (slot.json()["frame_count"], slot.json()["fps"]) == (3, 25.0)

        stack.stop("moderation")
        stale = await client.get("/api/frames/recent")
        assert stale.status_code == 200
        assert stale.json() == {"frames": []}
        never_seen = await client.get("/api/frames/recent?limit=3")
        assert never_seen.status_code == 503
        assert never_seen.json()["error"] == "dependency_unavailable"


async def test_unknown_slots_and_submissions_are_404(aws, aws_fields, stack_factory):
    await seed_video(aws, AwsSettings(**aws_fields), frames=3)
    stack = stack_factory(["gateway", "moderation"])
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        assert (await client.get("/api/frames/demo/3")).status_code == 404
        assert (await client.get("/api/frames/nope/0")).status_code == 404
        missing = await client.get("/api/submissions/never-submitted")
        assert missing.status_code == 404
        assert set(missing.json()) == {"error", "detail"}


async def test_the_clip_status_shows_progress_before_the_first_render(
    aws, aws_fields, stack_factory
):
    await seed_video(aws, AwsSettings(**aws_fields), frames=3)
    stack = stack_factory(["gateway"])
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        answer = await client.get("/api/clip")
    assert answer.status_code == 200
    assert answer.json() == {
        "video": "demo",
        "frame_count": 3,
        "fps": 25.0,
        "filled": 0,
        "filled_frames": [],
        "clip": None,
    }


async def test_submissions_recent_is_a_clean_404_naming_where_recent_frames_are(
    aws, aws_fields, stack_factory
):
    await seed_video(aws, AwsSettings(**aws_fields), frames=3)
    stack = stack_factory(["gateway", "moderation"])
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        for path in ("recent", "recent?limit=3", "a%3Flimit%3D1", "x%23y", "%2E%2E", "a" * 65):
            answer = await client.get(f"/api/submissions/{path}")
            assert answer.status_code == 404, (path, answer.status_code, answer.text)
            assert answer.json()["error"] == "not_found"
            assert "Retry-After" not in answer.headers
        assert "/api/frames/recent" in answer.json()["detail"]
