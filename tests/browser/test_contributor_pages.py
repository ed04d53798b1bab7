"""A contributor's pages on the whole local stack, with Chromium: my frames, the live
notice, the keep-my-frames link on a second browser, the share page's preview tags,
the frame's flip-book, credits, versions, and deleting a photo until it is gone from
the pages and from the next clip.

The video has one frame, so the second photo lands on the same slot (its second round).
"""

import re

import httpx
import pytest
from playwright.async_api import BrowserContext, expect

from shared.records import ClipPointer, current_clip_key
from tests.browser.test_contribute_end_to_end import contribute_as, whole_stack

pytestmark = pytest.mark.browser
__all__ = ["whole_stack"]


@pytest.fixture
def still_frames() -> int:
    return 1


async def contribute_in(context: BrowserContext, gateway: str, picture: bytes, name: str) -> str:
    """Send a photo with the browser's own cookies, as the contribute page does."""
    lease = await (await context.request.post(f"{gateway}/api/leases")).json()
    answer = await context.request.post(
        f"{gateway}/api/leases/{lease['lease_id']}/photo?display_name={name}",
        data=picture,
        headers={"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"},
    )
    assert answer.status == 202, await answer.text()
    return lease["lease_id"]


async def current_clip(aws, aws_fields) -> ClipPointer | None:
    bucket = str(aws_fields["media_bucket"])
    try:
        body = await aws.s3.get_object(Bucket=bucket, Key=current_clip_key("demo"))
    except aws.s3.exceptions.NoSuchKey:
        return None
    return ClipPointer.model_validate_json(await body["Body"].read())


async def test_a_contributor_finds_shares_replays_and_deletes_their_frame(
    whole_stack, aws, aws_fields, launch, screenshots, audit_accessibility
):
    stack, picture = whole_stack
    gateway = stack.urls["gateway"]
    browser = await launch()
    ann = await browser.new_context()
    home = await ann.new_page()
    await home.goto(gateway)  # open before the photo goes live: the notice tells her
    await expect(home.locator("main")).to_have_attribute("data-state", "ready", timeout=15000)
    ann_photo = await contribute_in(ann, gateway, picture, "Ann")

    # Any open page tells her once the photo is in a published clip (polls every 15 s).
    await expect(home.locator("#live-notice")).to_contain_text("in the video now", timeout=90000)
    await home.screenshot(path=screenshots / "live-notice.png", full_page=True)
    me = await ann.new_page()
    await me.goto(f"{gateway}/me")
    live_link = me.get_by_role("link", name=re.compile(r"In the clip at 0:00"))
    await expect(live_link).to_be_visible(timeout=15000)
    await me.screenshot(path=screenshots / "my-frames.png", full_page=True)
    await audit_accessibility(me)
    await live_link.click()
    await expect(me).to_have_url(re.compile(r"/v/demo#t=0\.00$"))

    # Her phone: the keep-my-frames link asks first, then shows her frames there too.
    keep = (await (await ann.request.get(f"{gateway}/api/me/keep-link")).json())["url"]
    phone = await (await browser.new_context()).new_page()
    await phone.goto(f"{gateway}{keep}")
    await phone.screenshot(path=screenshots / "keep-my-frames.png", full_page=True)
    await audit_accessibility(phone)
    await phone.get_by_role("button", name="Show my frames in this browser").click()
    await expect(phone).to_have_url(re.compile(r"/me$"))
    mine = phone.get_by_role("link", name=re.compile(r"In the clip at 0:00"))
    await expect(mine).to_be_visible(timeout=15000)

    # The share page: its preview tags are in the HTML the server sends.
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as crawler:
        html = (await crawler.get(f"/s/{ann_photo}")).text
        image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
        assert image == f"{gateway}/s/{ann_photo}/image.jpg"
        assert '<meta name="twitter:card" content="summary_large_image">' in html
        assert f'<meta property="og:url" content="{gateway}/s/{ann_photo}">' in html
        card = await crawler.get(image)
        assert (card.status_code, card.headers["content-type"]) == (200, "image/jpeg")
    share = await ann.new_page()
    await share.goto(f"{gateway}/s/{ann_photo}")
    await expect(share.get_by_role("heading", level=1)).to_contain_text("re-made by Ann")
    await share.screenshot(path=screenshots / "share.png", full_page=True)
    await audit_accessibility(share)

    # Bob re-makes the same frame (its second round): the frame page flips between both.
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as bob:
        bob_photo = await contribute_as(bob, picture)
        frame = await ann.new_page()
        await frame.goto(f"{gateway}/frames/demo/0")
        for _ in range(12):
            if not await frame.locator("#history").is_hidden():
                break
            await frame.wait_for_timeout(5000)
            await frame.reload()
        history = frame.locator("#history")
        await expect(history).to_be_visible(timeout=5000)
        await expect(frame.locator("#flip-caption")).to_have_text(re.compile("Photo 1 of 2"))
        await frame.get_by_role("button", name="Next").click()
        await expect(frame.locator("#flip-caption")).to_have_text(re.compile("Photo 2 of 2"))
        await frame.keyboard.press("ArrowRight")
        await expect(frame.locator("#flip-caption")).to_have_text(re.compile("Photo 1 of 2"))
        await frame.get_by_role("button", name="Play").click()
        await expect(history).to_have_attribute("data-page", "1", timeout=5000)
        await frame.get_by_role("button", name="Pause").click()
        await frame.screenshot(path=screenshots / "frame-flip-book.png", full_page=True)
        await audit_accessibility(frame)
        await frame.emulate_media(reduced_motion="reduce")
        await expect(frame.locator("#flip-play")).to_be_disabled()

        for path, name in (("/v/demo/credits", "credits"), ("/v/demo/versions", "versions")):
            page = await ann.new_page()
            await page.goto(f"{gateway}{path}")
            await expect(page.locator("main")).to_have_attribute("data-state", "listed")
            await page.screenshot(path=screenshots / f"{name}.png", full_page=True)
            await audit_accessibility(page)

        # Ann deletes her photo from My frames: gone from her list, share and frame pages.
        me.on("dialog", lambda dialog: dialog.accept())
        await me.goto(f"{gateway}/me")
        await me.get_by_role("button", name="Delete my photo").click()
        await expect(me.locator("main")).to_have_attribute("data-state", "empty")
        await me.screenshot(path=screenshots / "my-frames-after-delete.png", full_page=True)
        assert (await bob.get(f"/s/{ann_photo}")).status_code == 404
        photos = (await bob.get("/api/frames/demo/0")).json()["photos"]
        assert [p["submission_id"] for p in photos] == [bob_photo]

        # Bob deletes his too: the next clip shows the original frame again.
        assert (await bob.delete(f"/api/me/submissions/{bob_photo}")).status_code == 204
    for _ in range(60):
        clip = await current_clip(aws, aws_fields)
        if clip is not None and clip.filled_frames == []:
            break
        await me.wait_for_timeout(1000)
    assert clip is not None and clip.filled_frames == []
