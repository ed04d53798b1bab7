"""``/docs`` (Swagger UI) served by the service itself, with no CDN and no inline script.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN and starts it with an inline
``<script>``: the offline machine cannot fetch the one, and the gateway's
Content-Security-Policy (``script-src 'self'``) refuses the other. Here the Swagger UI
files come from the ``fastapi-offline`` package, mounted under ``/docs/assets``, and the
start-up code is a same-origin script (``/docs/start.js``). ReDoc is turned off: its
styles are injected as inline ``<style>`` elements, which the same policy refuses.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
START_PATH = f"{DOCS_PATH}/start.js"
# The package ships swagger-ui-bundle.js, swagger-ui.css, favicon.png (and ReDoc's bundle).
SWAGGER_ASSETS = files("fastapi_offline") / "static"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - Swagger UI</title>
<link rel="icon" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{start}"></script>
</body>
</html>
"""

# validatorUrl null: Swagger UI would otherwise send the spec to an online validator.
_START = """const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
});
"""


def install_api_docs(app: FastAPI, title: str) -> None:
    """Serve Swagger UI at ``/docs`` from local files; every asset is same-origin."""
    page = _PAGE.format(
        title=escape(title), assets=ASSETS_PATH, start=START_PATH, openapi=app.openapi_url
    )
    app.mount(ASSETS_PATH, StaticFiles(directory=str(SWAGGER_ASSETS)), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(START_PATH, include_in_schema=False)
    async def swagger_ui_start() -> Response:
        return Response(_START, media_type="text/javascript")
