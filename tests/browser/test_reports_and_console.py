"""Reporting a photo and the operators' console, in real Chromium against real gateway
and moderation processes (moto behind them). Approved photos are seeded as moderation
stores them, so no crowd is needed. Every page is audited with axe-core at desktop and
phone widths; screenshots go to test-output/screenshots/<test>/."""

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx
import pytest
from playwright.async_api import Page, expect

from services.ingest.keys import renditions_of
from services.moderation.reviews import offers
from services.moderation.reviews.adapters.dynamo import DynamoReviewStore
from services.moderation.reviews.review import Review, step_id
from services.moderation.slots.adapters.dynamo import DynamoSlotRegistry
from shared.messages import Renditions
from shared.settings import AwsSettings
from tests.pictures import good_copy
from tests.stack import seed_video

pytestmark = pytest.mark.browser

TOKEN = "browser-operator-token"
WAIT_MS = 15000


async def approved(aws, settings: AwsSettings, sid: str, frame: int, client: str) -> None:
    """An approved photo, as moderation stores it once its steps are done."""
    renditions: Renditions = renditions_of(sid)
    for key in (renditions.thumb, renditions.medium, renditions.large):
        await aws.s3.put_object(
            Bucket=settings.media_bucket, Key=key, Body=good_copy(frame), ContentType="image/jpeg"
        )
    now = datetime.now(UTC)
    review = Review(
        submission_id=sid,
        video="demo",
        frame=frame,
        client_id=client,
        display_name=f"Visitor {sid}",
        renditions=renditions,
        created_at=now - timedelta(minutes=5),
        status="approved",
        score=0.9,
        judgment_count=3,
        decided_at=now,
        revision=1,
        done_steps=frozenset({step_id(1, "mark_slot"), step_id(1, "announce")}),
    )
    assert await DynamoReviewStore(aws.dynamodb, settings.reviews_table).put(review)


async def mark_slot(aws, settings: AwsSettings, sid: str, frame: int) -> None:
    """The slot's record, as moderation's feeder registered it, with the photo approved."""
    registry = DynamoSlotRegistry(aws.dynamodb, settings.reviews_table)
    deadline = asyncio.get_running_loop().time() + 30
    while (feed := await registry.feed_of("demo")) is None or not feed.is_registered:
        assert asyncio.get_running_loop().time() < deadline, "moderation did not register slots"
        await asyncio.sleep(0.2)
    await registry.change("demo", frame, partial(offers.ingested, submission_id=sid))
    await registry.change("demo", frame, partial(offers.decided, submission_id=sid, approved=True))


@pytest.fixture
async def site(aws, aws_fields, stack_factory):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=4, offer=False)
    await approved(aws, settings, "photo-a", 1, "contributor-a")
    await approved(aws, settings, "photo-b", 2, "contributor-b")
    stack = stack_factory(
        ["moderation", "gateway"],
        GATEWAY_OPERATOR_TOKEN=TOKEN,
        MODERATION_OPERATOR_TOKEN=TOKEN,
        MODERATION_REPORT_HIDE_AFTER="2",
        GATEWAY_REVIEWS_CACHE_SECONDS="0.1",
    )
    await mark_slot(aws, settings, "photo-a", 1)
    await mark_slot(aws, settings, "photo-b", 2)
    return stack


async def shown(gateway: str, frame: int) -> list[str]:
    async with httpx.AsyncClient(base_url=gateway) as client:
        photos = (await client.get(f"/api/frames/demo/{frame}")).json()["photos"]
    return [photo["submission_id"] for photo in photos]


async def eventually_shown(gateway: str, frame: int, expected: list[str]) -> None:
    deadline = asyncio.get_running_loop().time() + 15
    while (found := await shown(gateway, frame)) != expected:
        assert asyncio.get_running_loop().time() < deadline, (frame, found, expected)
        await asyncio.sleep(0.2)


async def report_as_a_new_visitor(browser, gateway: str, screenshots, name: str) -> Page:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{gateway}/frames/demo/1")
    await expect(page.locator("main")).to_have_attribute("data-state", "filled", timeout=WAIT_MS)
    await page.get_by_text("Report the photo by Visitor photo-a").click()
    await page.get_by_label("Why?").select_option("personal_data")
    await page.get_by_label("Anything to add (optional)").fill("My address is on the wall.")
    await page.get_by_role("button", name="Send report").click()
    await expect(page.get_by_role("status").first).not_to_be_empty(timeout=WAIT_MS)
    await page.screenshot(path=screenshots / f"{name}.png", full_page=True)
    return page


async def sign_in(browser, gateway: str, audit_accessibility) -> Page:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{gateway}/ops")
    await expect(page.locator("main")).to_have_attribute(
        "data-state", "signed-out", timeout=WAIT_MS
    )
    await audit_accessibility(page)
    await page.get_by_label("Operator token").fill(TOKEN)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("main")).to_have_attribute("data-state", "ready", timeout=WAIT_MS)
    return page


async def test_reports_hide_a_photo_and_an_operator_restores_it(
    site, launch, screenshots, audit_accessibility
):
    gateway = site.urls["gateway"]
    browser = await launch()
    first = await report_as_a_new_visitor(browser, gateway, screenshots, "report-sent")
    await expect(first.get_by_role("status").first).to_contain_text("An operator will look")
    await audit_accessibility(first)
    second = await report_as_a_new_visitor(browser, gateway, screenshots, "report-hides")
    await expect(second.get_by_role("status").first).to_contain_text("hidden")
    await eventually_shown(gateway, 1, [])

    ops = await sign_in(browser, gateway, audit_accessibility)
    row = ops.locator("#reports tbody tr")
    await expect(row).to_have_count(1, timeout=WAIT_MS)
    await expect(row).to_contain_text("personal_data: My address is on the wall.")
    await expect(row.get_by_role("img", name="Reported photo photo-a")).to_be_visible()
    await ops.screenshot(path=screenshots / "console-report-queue.png", full_page=True)
    await audit_accessibility(ops)
    await row.get_by_role("button", name="Restore").click()
    await expect(ops.locator("#ops-message")).to_contain_text("Restore photo-a: done")
    await expect(ops.locator("#reports tbody tr")).to_have_count(0, timeout=WAIT_MS)
    await eventually_shown(gateway, 1, ["photo-a"])
    await expect(ops.locator("#audit tbody")).to_contain_text("restore")
    await ops.screenshot(path=screenshots / "console-restored.png", full_page=True)


async def test_an_operator_takes_a_photo_down_and_reverts_a_contributor(
    site, launch, screenshots, audit_accessibility
):
    gateway = site.urls["gateway"]
    browser = await launch()
    ops = await sign_in(browser, gateway, audit_accessibility)
    await expect(ops.locator("#progress tbody")).to_contain_text("demo", timeout=WAIT_MS)
    await expect(ops.locator("#queues tbody")).to_contain_text("moderation")
    await ops.screenshot(path=screenshots / "console.png", full_page=True)

    await ops.get_by_label("Submission id").fill("photo-a")
    await ops.get_by_role("button", name="Take down", exact=True).click()
    await expect(ops.locator("#ops-message")).to_contain_text("takedown photo-a: done")
    await eventually_shown(gateway, 1, [])

    await ops.get_by_label("Contributor (client id)").fill("contributor-b")
    await ops.get_by_role("button", name="Take down all their photos").click()
    await expect(ops.locator("#ops-message")).to_contain_text("(1 photo(s))")
    await eventually_shown(gateway, 2, [])

    audit = ops.locator("#audit tbody")
    await expect(audit).to_contain_text("revert_contributor")
    await expect(audit).to_contain_text("takedown")
    await expect(audit).to_contain_text("sign_in")
    await ops.screenshot(path=screenshots / "console-after-actions.png", full_page=True)

    async with httpx.AsyncClient(base_url=gateway) as client:
        cross = await client.post(
            "/ops/api/photos/photo-b/restore", headers={"Origin": "https://evil.example"}
        )
        assert cross.status_code == 403


async def test_every_page_passes_the_accessibility_audit(
    site, launch, screenshots, audit_accessibility
):
    gateway = site.urls["gateway"]
    browser = await launch()
    page = await browser.new_page()
    for path, state in (
        ("/", "ready"),
        ("/v/demo", "ready"),
        ("/frames/demo/1", "filled"),
        ("/frames/demo/3", "empty"),
        ("/contribute", None),
        ("/ops", "signed-out"),
    ):
        await page.goto(f"{gateway}{path}")
        if state:
            await expect(page.locator("main")).to_have_attribute(
                "data-state", state, timeout=WAIT_MS
            )
        else:
            await page.wait_for_load_state("networkidle")
        if path == "/":  # every shown photo can be reported, the recent strip's too
            await expect(page.locator("#recent [data-report]").first).to_be_visible()
        await audit_accessibility(page)
    await page.screenshot(path=screenshots / "ops-sign-in.png", full_page=True)
