"""The home page's featured player: the S3/HLS clip, or a video host's embedded player."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from services.gateway.settings import GatewaySettings
from services.gateway.web.security import BrowserSecurityMiddleware
from shared.records import HostedClip, hosted_clip_key
from tests.fakes.gateway import FakeClock, composed, memory_ports
from tests.unit.test_gateway_usecases import WHEN, store_video

EMBED = "https://player.vimeo.com/video/76979871?h=8272103f6e"


def gateway_featuring(player, fakes):
    settings = GatewaySettings(lease_secret="unit-test-secret", featured_player=player)
    clock = FakeClock()
    return composed(fakes, settings, clock).visitors


def hosted(published: bool) -> HostedClip:
    return HostedClip(
        video="demo",
        host="vimeo",
        video_uri="/videos/76979871",
        link="https://vimeo.com/76979871",
        player_embed_url=EMBED,
        clip_hash="abc" if published else None,
        version="v1" if published else None,
        published_at=WHEN if published else None,
    )


async def test_vimeo_featured_embeds_the_player_of_the_published_vimeo_video():
    fakes = memory_ports()
    await store_video(fakes)
    await fakes.objects.put_record(hosted_clip_key("demo", "vimeo"), hosted(published=True))
    status = await gateway_featuring("vimeo", fakes).clip()
    assert status.player_embed_url == EMBED


@pytest.mark.parametrize(("player", "published"), [("vimeo", False), ("hls", True)])
async def test_the_clip_player_stays_until_a_vimeo_upload_completed_or_when_hls_is_featured(
    player, published
):
    fakes = memory_ports()
    await store_video(fakes)
    await fakes.objects.put_record(hosted_clip_key("demo", "vimeo"), hosted(published))
    status = await gateway_featuring(player, fakes).clip()
    assert status.player_embed_url is None


async def csp_of(frame_origins):
    app = Starlette(routes=[Route("/", lambda _: PlainTextResponse("home"))])
    secured = BrowserSecurityMiddleware(app, frame_origins=frame_origins)
    transport = httpx.ASGITransport(app=secured)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        return (await client.get("/")).headers["content-security-policy"]


async def test_the_pages_allow_frames_only_from_the_featured_players_origin():
    assert "frame-src" not in await csp_of(())
    policy = await csp_of(("https://player.vimeo.com",))
    assert "frame-src https://player.vimeo.com" in policy.split("; ")
    assert "default-src 'self'" in policy
