"""BlipPublisher against a Blip-compatible server running as its own process."""

import dataclasses
import json
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from services.renderer.publishing.adapters.blip import BlipPublisher, BlipRejected
from shared.records import VideoRecord, video_record_key
from tests.integration.renderer_fixtures import import_short_video, renderer_deps, renderer_settings
from tests.processes import PYTHON, answers, free_port, running, wait_for


@pytest.fixture(scope="module")
def blip_url(output_dir):
    port = free_port()
    with running([PYTHON, "-m", "tests.blip_server", str(port)], log_path=output_dir / "blip.log"):
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{url}/received"), 15, "the Blip server")
        yield url


def received(blip_url):
    return httpx.get(f"{blip_url}/received").json()


@pytest.fixture
async def rendered(aws, aws_fields, tmp_path, blip_url):
    settings = renderer_settings(
        aws_fields,
        tmp_path / "work",
        publishers=("s3", "blip"),
        blip_base_url=blip_url,
        blip_userlogin="crowd",
        blip_password=SecretStr("frames"),
        segment_seconds=0.4,
    )
    await import_short_video(aws, settings, tmp_path, seconds=1.0)
    async with httpx.AsyncClient(timeout=10) as http:
        yield settings, renderer_deps(settings, aws, http), http


async def test_the_first_upload_posts_every_field_blip_needs(rendered, blip_url):
    _, deps, _ = rendered
    before = len(received(blip_url))
    report = await deps.renderer.render("clip")
    assert report.published == {"s3": "published", "blip": "published"}
    upload = received(blip_url)[before]
    assert upload["path"] == "/file/post"
    fields = upload["fields"]
    assert (fields["userlogin"], fields["password"]) == ("crowd", "frames")
    assert (fields["skin"], fields["post"], fields["file_role"]) == ("api", "1", "Source")
    assert "clip" in fields["title"]
    assert report.version in fields["description"]
    assert "id" not in fields
    assert upload["file"]["name"] == "file"
    assert upload["file"]["starts_with"] == "ftyp"


async def test_a_new_version_replaces_the_blip_post_by_its_item_id(rendered, blip_url):
    _, deps, _ = rendered
    await deps.renderer.render("clip")
    item_id = json.loads(await deps.slots.publish_state("clip", "blip"))["item_id"]
    clip = await render_locally(deps)
    publisher = next(p for p in deps.renderer.publishers if p.name == "blip")
    await publisher.publish(
        dataclasses.replace(clip, clip_hash="changed"), "v2", datetime.now(UTC), []
    )
    assert received(blip_url)[-1]["fields"]["id"] == item_id
    assert await publisher.published_hash("clip") == "changed"


async def test_a_refused_upload_is_a_clear_failure_and_a_later_render_retries_it(
    rendered, blip_url
):
    settings, deps, _http = rendered
    blip = next(p for p in deps.renderer.publishers if p.name == "blip")
    blip.settings = settings.model_copy(update={"blip_password": SecretStr("wrong")})
    report = await deps.renderer.render("clip")
    assert report.published["s3"] == "published"
    assert report.published["blip"].startswith("failed")
    assert "AUTHENTICATION_REQUIRED" in report.published["blip"]
    assert report.failed_targets == ["blip"]
    blip.settings = settings
    retry = await deps.renderer.render("clip")
    assert retry.published == {"s3": "unchanged", "blip": "published"}
    assert retry.encoded_segments == 0


async def test_a_transient_blip_outage_is_retried_within_the_publish(rendered, blip_url):
    _, deps, _ = rendered
    httpx.post(f"{blip_url}/fail-next")
    report = await deps.renderer.render("clip")
    assert report.published["blip"] == "published"


async def test_an_error_answer_raises_blip_rejected(rendered):
    settings, deps, http = rendered
    clip = await render_locally(deps)
    bad = BlipPublisher(http, settings.model_copy(update={"blip_userlogin": "nobody"}), deps.slots)
    with pytest.raises(BlipRejected, match="AUTHENTICATION_REQUIRED"):
        await bad.publish(clip, "v1", datetime.now(UTC), [])


async def render_locally(deps):
    record = VideoRecord.model_validate_json((await deps.store.get(video_record_key("clip"))).data)
    inputs = await deps.renderer.inputs(record, await deps.slots.filled_slots("clip"))
    return await deps.renderer.encoder.render(inputs, deps.cache.fetch_all)
