"""The browser pages: plain HTML shells whose JavaScript modules call the JSON API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

GATEWAY = Path(__file__).resolve().parent.parent
PAGES = GATEWAY / "pages"
STATIC = GATEWAY / "static"
# Pages are tiny and change with deploys; let browsers revalidate every time.
NO_CACHE = {"Cache-Control": "no-cache"}
# Browsers ask for /favicon.ico on their own, whatever the page links.
_ICON_CACHE = {"Cache-Control": "public, max-age=86400"}

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home() -> FileResponse:
    """The home page: the clip, recent frames, progress and the mosaic."""
    return FileResponse(PAGES / "index.html", headers=NO_CACHE)


@router.get("/contribute")
async def contribute() -> FileResponse:
    """The page where a visitor re-makes a frame."""
    return FileResponse(PAGES / "contribute.html", headers=NO_CACHE)


@router.get("/v/{video}")
async def video_home(video: str) -> FileResponse:
    """Any imported video's page (the home page shows the featured one)."""
    return FileResponse(PAGES / "index.html", headers=NO_CACHE)


@router.get("/v/{video}/contribute")
async def video_contribute(video: str) -> FileResponse:
    """Re-make a frame of any imported video."""
    return FileResponse(PAGES / "contribute.html", headers=NO_CACHE)


@router.get("/frames/{video}/{frame}")
async def frame_page(video: str, frame: int) -> FileResponse:
    """One slot: the original beside its approved photos."""
    return FileResponse(PAGES / "frame.html", headers=NO_CACHE)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """The site icon, for browsers that ask for it at the root."""
    return FileResponse(
        STATIC / "favicon.ico", media_type="image/vnd.microsoft.icon", headers=_ICON_CACHE
    )
