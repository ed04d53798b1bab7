"""The pages against gateway and ingest only: the states that do not need the crowd."""

import asyncio
import re

import httpx
import pytest
from playwright.async_api import expect

from shared.settings import AwsSettings
from tests.peeks import frames_of, queue_counts
from tests.stack import original_frame, seed_video

pytestmark = pytest.mark.browser


@pytest.fixture
async def two_slots(aws, aws_fields):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=2)
    return settings


async def test_camera_denied_shows_the_friendly_message_and_releases_the_lease(
    two_slots, aws, stack_factory, launch, screenshots
):
    stack = stack_factory(["gateway"])
    browser = await launch(allow_camera=False)
    page = await browser.new_page()
    await page.goto(f"{stack.urls['gateway']}/contribute")
    main = page.locator("main")
    await expect(main).to_have_attribute("data-state", "camera-denied", timeout=15000)
    await expect(page.get_by_role("alert")).to_contain_text("permission was denied")
    await page.screenshot(path=screenshots / "camera-denied.png", full_page=True)
    assert await queue_counts(aws, frames_of(two_slots)) == (2, 0)  # nothing left leased


async def test_a_failed_upload_can_be_sent_again_without_a_new_photo(
    two_slots, aws, stack_factory, launch, screenshots
):
    stack = stack_factory(["gateway", "ingest"], GATEWAY_INGEST_RETRY_SECONDS="1")
    browser = await launch(camera=original_frame(0))
    page = await browser.new_page()
    await page.goto(f"{stack.urls['gateway']}/contribute")
    main = page.locator("main")
    await expect(main).to_have_attribute("data-state", "live", timeout=15000)
    await expect(page.locator("#onion")).to_be_visible()
    await page.screenshot(path=screenshots / "live.png", full_page=True)

    await page.get_by_role("button", name=re.compile("Take photo")).click()
    await expect(main).to_have_attribute("data-state", "review", timeout=10000)
    await page.get_by_label("Your name in the credits").fill("Grace")
    await page.screenshot(path=screenshots / "review.png", full_page=True)

    stack.stop("ingest")
    await page.get_by_role("button", name="Send my frame").click()
    await expect(main).to_have_attribute("data-state", "upload-failed", timeout=30000)
    await page.screenshot(path=screenshots / "upload-failed.png", full_page=True)

    stack.start("ingest")
    await page.get_by_role("button", name="Send again").click()
    await expect(main).to_have_attribute("data-state", re.compile("^status-"), timeout=30000)
    await page.screenshot(path=screenshots / "submitted.png", full_page=True)
    submission_id = await page.locator("#frame-link").get_attribute("href")
    assert submission_id.startswith("/frames/demo/")
    stored = await aws.s3.list_objects_v2(Bucket=two_slots.media_bucket, Prefix="submissions/")
    assert len([o for o in stored["Contents"] if o["Key"].endswith("large.jpg")]) == 1


async def test_the_home_page_of_an_empty_project_explains_itself(
    two_slots, stack_factory, launch, screenshots
):
    stack = stack_factory(["gateway"])
    browser = await launch()
    page = await browser.new_page()
    response = await page.goto(stack.urls["gateway"])
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    await expect(page.locator("main")).to_have_attribute("data-state", "ready", timeout=15000)
    await expect(page.locator("#progress-text")).to_have_text("0 of 2 frames re-made")
    await expect(page.locator("#no-clip")).to_be_visible()
    await expect(page.locator("#no-recent")).to_be_visible()
    await page.screenshot(path=screenshots / "home-empty.png", full_page=True)


async def test_other_sites_cannot_lease_or_submit_for_a_visitor(two_slots, stack_factory):
    stack = stack_factory(["gateway"])
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        refused = await client.post("/api/leases", headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403
        assert refused.json()["error"] == "cross_site_request"
        fetch_refused = await client.post("/api/leases", headers={"Sec-Fetch-Site": "cross-site"})
        assert fetch_refused.status_code == 403
        allowed = await client.post("/api/leases", headers={"Origin": stack.urls["gateway"]})
        assert allowed.status_code == 201


async def test_leaving_the_page_gives_the_frame_back_at_once(
    two_slots, aws, stack_factory, launch, screenshots
):
    stack = stack_factory(["gateway"])
    browser = await launch(camera=original_frame(0))
    page = await browser.new_page()
    await page.goto(f"{stack.urls['gateway']}/contribute")
    await expect(page.locator("main")).to_have_attribute("data-state", "live", timeout=15000)
    assert await queue_counts(aws, frames_of(two_slots)) == (1, 1)
    await page.goto(stack.urls["gateway"])  # pagehide sends the release beacon
    await expect(page.locator("main")).to_have_attribute("data-state", "ready", timeout=15000)
    deadline = asyncio.get_running_loop().time() + 10
    while await queue_counts(aws, frames_of(two_slots)) != (2, 0):
        assert asyncio.get_running_loop().time() < deadline, "the lease was not released"
        await asyncio.sleep(0.2)


async def test_with_every_frame_taken_the_page_says_when_to_try_again(
    two_slots, stack_factory, launch, screenshots
):
    stack = stack_factory(["gateway"], GATEWAY_NO_FRAME_RETRY_AFTER_SECONDS="20")
    for _ in range(2):  # two other visitors hold both frames
        async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as other:
            assert (await other.post("/api/leases")).status_code == 201
    browser = await launch(camera=original_frame(0))
    page = await browser.new_page()
    await page.goto(f"{stack.urls['gateway']}/contribute")
    await expect(page.locator("main")).to_have_attribute("data-state", "no-frame", timeout=15000)
    await expect(page.get_by_role("alert")).to_contain_text("about 20 seconds")
    await expect(page.get_by_role("button", name="Try again")).to_be_focused()
    await page.screenshot(path=screenshots / "no-frame.png", full_page=True)
