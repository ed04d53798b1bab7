from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from services.gateway.app import create_app as gateway_app
from services.gateway.settings import GatewaySettings
from services.ingest.app import create_app as ingest_app
from services.ingest.settings import IngestSettings
from services.moderation.app import create_app as moderation_app
from services.moderation.settings import ModerationSettings
from services.renderer.app import create_app as renderer_app
from services.renderer.settings import RendererSettings

APPS = {
    "gateway": lambda: gateway_app(GatewaySettings()),
    "ingest": lambda: ingest_app(IngestSettings()),
    "moderation": lambda: moderation_app(ModerationSettings()),
    "renderer": lambda: renderer_app(RendererSettings()),
}


class PageParts(HTMLParser):
    """Every URL a page loads, and whether it holds inline script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self.inline_styles = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [url for name in ("src", "href") if (url := found.get(name))]
        self.inline_styles += tag == "style" or "style" in found
        self._in_script = tag == "script" and "src" not in found

    def handle_data(self, data: str) -> None:
        self.inline_scripts += self._in_script and bool(data.strip())


def docs_page(client: TestClient) -> PageParts:
    answer = client.get("/docs")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    parts = PageParts()
    parts.feed(answer.text)
    return parts


@pytest.mark.parametrize("name", sorted(APPS))
def test_docs_loads_every_asset_from_the_service_itself(name):
    client = TestClient(APPS[name]())
    parts = docs_page(client)
    assert len(parts.urls) >= 4  # favicon, stylesheet, Swagger UI bundle, start script
    for url in parts.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url
    stylesheet = client.get("/docs/assets/swagger-ui.css").text
    assert "@import" not in stylesheet
    assert "url(http" not in stylesheet.replace('"', "").replace("'", "")
    assert "http" not in client.get("/docs/start.js").text


@pytest.mark.parametrize("name", sorted(APPS))
def test_docs_page_has_no_inline_script_or_style_for_a_strict_csp(name):
    parts = docs_page(TestClient(APPS[name]()))
    assert parts.inline_scripts == 0
    assert parts.inline_styles == 0


@pytest.mark.parametrize("name", sorted(APPS))
def test_redoc_is_off_and_docs_routes_stay_out_of_the_spec(name):
    client = TestClient(APPS[name]())
    assert client.get("/redoc").status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/docs")]
