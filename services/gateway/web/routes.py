"""The browser pages: HTML shells extending the one layout, whose JavaScript modules
call the JSON API; and the site icon at the root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from services.gateway.core.layout import Pages

WEB = Path(__file__).resolve().parent
PAGES = Pages(WEB / "pages")
STATIC = WEB / "static"
# Browsers ask for /favicon.ico on their own, whatever the page links.
_ICON_CACHE = {"Cache-Control": "public, max-age=86400"}
# Each page and its paths; under /v/{video} it shows any imported video, elsewhere the
# featured one (its script reads the path).
PAGE_PATHS = {
    # The clip, recent frames, progress and the mosaic.
    "index.html": ("/", "/v/{video}"),
    # Where a visitor re-makes a frame.
    "contribute.html": ("/contribute", "/v/{video}/contribute"),
    # This visitor's frames: status, share links, where they play, delete.
    "me.html": ("/me",),
    # Every contributor of a video, in frame order.
    "credits.html": ("/credits", "/v/{video}/credits"),
    # The clip's retained versions, each with a player.
    "versions.html": ("/versions", "/v/{video}/versions"),
}

router = APIRouter(include_in_schema=False)


def page(name: str) -> Callable[[Request], Awaitable[HTMLResponse]]:
    """The route of the page ``name``."""

    async def route(request: Request) -> HTMLResponse:
        return PAGES.render(request, name)

    return route


for name, paths in PAGE_PATHS.items():
    for path in paths:
        router.add_api_route(path, page(name), methods=["GET"])


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """The site icon, for browsers that ask for it at the root."""
    return FileResponse(
        STATIC / "favicon.ico", media_type="image/vnd.microsoft.icon", headers=_ICON_CACHE
    )
