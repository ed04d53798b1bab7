"""The browser pages: HTML shells extending the one layout, whose JavaScript modules
call the JSON API; and the site icon at the root."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from services.gateway.core.layout import Pages

WEB = Path(__file__).resolve().parent
PAGES = Pages(WEB / "pages")
STATIC = WEB / "static"
# Browsers ask for /favicon.ico on their own, whatever the page links.
_ICON_CACHE = {"Cache-Control": "public, max-age=86400"}

router = APIRouter(include_in_schema=False)


@router.get("/")
@router.get("/v/{video}")
async def home(request: Request, video: str | None = None) -> HTMLResponse:
    """The home page: the clip, recent frames, progress and the mosaic (any imported
    video's at /v/{video}; the home page shows the featured one)."""
    return PAGES.render(request, "index.html")


@router.get("/contribute")
@router.get("/v/{video}/contribute")
async def contribute(request: Request, video: str | None = None) -> HTMLResponse:
    """The page where a visitor re-makes a frame (of any imported video)."""
    return PAGES.render(request, "contribute.html")


@router.get("/me")
async def my_frames(request: Request) -> HTMLResponse:
    """This visitor's frames: status, share links, where they play, delete."""
    return PAGES.render(request, "me.html")


@router.get("/credits")
@router.get("/v/{video}/credits")
async def video_credits(request: Request, video: str | None = None) -> HTMLResponse:
    """Every contributor of a video, in frame order."""
    return PAGES.render(request, "credits.html")


@router.get("/versions")
@router.get("/v/{video}/versions")
async def video_versions(request: Request, video: str | None = None) -> HTMLResponse:
    """The clip's retained versions, each with a player."""
    return PAGES.render(request, "versions.html")


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """The site icon, for browsers that ask for it at the root."""
    return FileResponse(
        STATIC / "favicon.ico", media_type="image/vnd.microsoft.icon", headers=_ICON_CACHE
    )
