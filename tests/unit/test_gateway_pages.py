"""The gateway app wired over in-memory ports: pages, the site icon, thin routes."""

import io
from collections.abc import AsyncIterator

import httpx
import pytest
from PIL import Image

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from tests.fakes.gateway import MemoryGatewayPorts, composed, memory_ports, store_video


@pytest.fixture
async def fakes() -> MemoryGatewayPorts:
    fakes = memory_ports()
    fakes.frames.add("demo", 0)
    await store_video(fakes)
    return fakes


@pytest.fixture
async def client(fakes: MemoryGatewayPorts) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(lease_secret="unit-test-secret")
    # Readiness is not asked here, so the app needs no AWS clients.
    deps = composed(fakes, settings)
    app = create_app(settings, deps)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client


async def test_favicon_ico_is_a_real_icon_not_a_404(client):
    answer = await client.get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/vnd.microsoft.icon"
    icon = Image.open(io.BytesIO(answer.content))
    assert icon.format == "ICO"
    assert (16, 16) in icon.info["sizes"]


@pytest.mark.parametrize("page", ["/", "/contribute", "/frames/demo/0"])
async def test_every_page_links_an_svg_icon_that_is_served(client, page):
    html = (await client.get(page)).text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    icon = await client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")


async def test_the_lease_route_answers_201_then_the_same_lease_with_200(client, fakes):
    first = await client.post("/api/leases")
    again = await client.post("/api/leases")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["lease_id"] == first.json()["lease_id"]
    assert len(fakes.frames.leased) == 1
