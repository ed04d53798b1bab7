"""VimeoPublisher through PyVimeo and tuspy against the local Vimeo, a real process."""

import dataclasses
import hashlib
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from services.renderer.publishing.adapters.vimeo import VimeoAccount, VimeoPublisher
from shared.errors import DependencyUnavailable
from shared.records import ClipPointer, HostedClip, current_clip_key, hosted_clip_key
from tests.integration.renderer_fixtures import import_short_video, renderer_deps, renderer_settings
from tests.integration.test_renderer_blip import render_locally
from tests.vimeo_process import VIMEO_TOKEN, vimeo_server


@pytest.fixture(scope="module")
def vimeo_url(output_dir):
    with vimeo_server(log_path=output_dir / "vimeo-renderer.log", transcode_seconds=0.2) as url:
        yield url


@pytest.fixture
async def rendered(aws, aws_fields, tmp_path, vimeo_url):
    settings = renderer_settings(
        aws_fields,
        tmp_path / "work",
        publishers=("s3", "vimeo"),
        vimeo_api_url=vimeo_url,
        vimeo_access_token=SecretStr(VIMEO_TOKEN),
        vimeo_privacy_view="unlisted",
        vimeo_timeout_seconds=60,
        segment_seconds=0.4,
    )
    await import_short_video(aws, settings, tmp_path, seconds=1.0)
    return settings, renderer_deps(settings, aws)


def on_vimeo(vimeo_url, uri):
    return next(v for v in httpx.get(f"{vimeo_url}/_sim/videos").json() if v["uri"] == uri)


def publisher_of(deps):
    return next(p for p in deps.renderer.publishers if p.name == "vimeo")


async def hosted(deps):
    return await deps.store.get_record(hosted_clip_key("clip", "vimeo"), HostedClip)


async def test_the_first_publish_creates_a_vimeo_video_with_the_clip_and_the_settings(
    rendered, vimeo_url
):
    _, deps = rendered
    report = await deps.renderer.render("clip")
    assert report.published == {"s3": "published", "vimeo": "published"}
    record = await hosted(deps)
    assert (record.clip_hash, record.version) == (report.clip_hash, report.version)
    assert record.player_embed_url.startswith(f"{vimeo_url}/video/")
    video = on_vimeo(vimeo_url, record.video_uri)
    assert (video["name"], video["privacy"]["view"]) == ("One Frame Of Fame: clip", "unlisted")
    pointer = await deps.store.get_record(current_clip_key("clip"), ClipPointer)
    mp4 = (await deps.store.get(pointer.mp4_key)).data
    assert video["versions"][-1]["sha256"] == hashlib.sha256(mp4).hexdigest()


async def test_a_publish_then_a_replace_keeps_the_same_vimeo_video(rendered, vimeo_url):
    _, deps = rendered
    await deps.renderer.render("clip")
    first = await hosted(deps)
    clip = await render_locally(deps)
    vimeo = publisher_of(deps)
    await vimeo.publish(dataclasses.replace(clip, clip_hash="changed"), "v2", datetime.now(UTC), [])
    second = await hosted(deps)
    assert second.video_uri == first.video_uri
    assert (second.clip_hash, second.version) == ("changed", "v2")
    assert len(on_vimeo(vimeo_url, first.video_uri)["versions"]) == 2


async def test_a_restarted_renderer_keeps_replacing_the_same_video(rendered, aws, vimeo_url):
    settings, deps = rendered
    await deps.renderer.render("clip")
    uri = (await hosted(deps)).video_uri
    restarted = renderer_deps(settings, aws)
    clip = await render_locally(restarted)
    again = dataclasses.replace(clip, clip_hash="after-restart")
    await publisher_of(restarted).publish(again, "v3", datetime.now(UTC), [])
    assert (await hosted(restarted)).video_uri == uri
    assert len(on_vimeo(vimeo_url, uri)["versions"]) == 2


async def test_an_unchanged_clip_is_not_sent_to_vimeo_again(rendered, vimeo_url):
    _, deps = rendered
    await deps.renderer.render("clip")
    report = await deps.renderer.render("clip")
    assert report.published == {"s3": "unchanged", "vimeo": "unchanged"}
    assert len(on_vimeo(vimeo_url, (await hosted(deps)).video_uri)["versions"]) == 1


async def test_a_refused_token_fails_the_publish_and_a_later_render_retries_it(rendered):
    settings, deps = rendered
    vimeo = publisher_of(deps)
    vimeo.account = VimeoAccount(settings.vimeo_api_url, "wrong-token")
    report = await deps.renderer.render("clip")
    assert report.published["s3"] == "published"
    assert report.published["vimeo"].startswith("failed")
    assert "valid authenticated access token" in report.published["vimeo"]
    assert report.failed_targets == ["vimeo"]
    vimeo.account = VimeoAccount(settings.vimeo_api_url, VIMEO_TOKEN)
    retry = await deps.renderer.render("clip")
    assert retry.published == {"s3": "unchanged", "vimeo": "published"}
    assert retry.encoded_segments == 0


async def test_a_failed_replace_leaves_the_last_good_version_on_the_page(rendered):
    settings, deps = rendered
    await deps.renderer.render("clip")
    good = await hosted(deps)
    vimeo = publisher_of(deps)
    vimeo.account = VimeoAccount(settings.vimeo_api_url, "wrong-token")
    clip = await render_locally(deps)
    with pytest.raises(Exception, match="valid authenticated access token"):
        await vimeo.publish(dataclasses.replace(clip, clip_hash="x"), "v9", datetime.now(UTC), [])
    assert await hosted(deps) == good


class BytesFailOnce(VimeoAccount):
    """The real account, except that the first tus upload fails (a network cut)."""

    failed = False

    def send(self, upload_link, path):
        if not self.failed:
            self.failed = True
            raise DependencyUnavailable("vimeo", "connection reset")
        super().send(upload_link, path)


async def test_an_upload_cut_after_the_create_is_finished_on_the_same_video(rendered, vimeo_url):
    settings, deps = rendered
    vimeo = publisher_of(deps)
    vimeo.account = BytesFailOnce(settings.vimeo_api_url, VIMEO_TOKEN)
    first = await deps.renderer.render("clip")
    assert first.failed_targets == ["vimeo"]
    remembered = await hosted(deps)
    assert remembered.clip_hash is None
    retry = await deps.renderer.render("clip")
    assert retry.published["vimeo"] == "published"
    assert (await hosted(deps)).video_uri == remembered.video_uri
    versions = on_vimeo(vimeo_url, remembered.video_uri)["versions"]
    assert [v["offset"] == v["size"] for v in versions] == [False, True]


async def test_a_video_deleted_on_vimeo_is_created_anew(rendered, vimeo_url):
    _, deps = rendered
    gone = HostedClip(
        video="clip", host="vimeo", video_uri="/videos/17", link="", player_embed_url=""
    )
    await deps.store.put_record(hosted_clip_key("clip", "vimeo"), gone)
    report = await deps.renderer.render("clip")
    assert report.published["vimeo"] == "published"
    record = await hosted(deps)
    assert record.video_uri != "/videos/17"
    assert on_vimeo(vimeo_url, record.video_uri)["versions"][-1]["offset"] > 0


async def test_vimeo_out_of_reach_is_a_dependency_failure(rendered):
    settings, deps = rendered
    clip = await render_locally(deps)
    cut = settings.model_copy(update={"vimeo_api_url": "http://127.0.0.1:9"})
    with pytest.raises(DependencyUnavailable, match="unreachable"):
        await VimeoPublisher(deps.store, cut).publish(clip, "v1", datetime.now(UTC), [])
