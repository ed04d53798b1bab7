"""Share pages and images, the credits and the clip's history.

``/s/{submission_id}`` and the frame page carry their Open Graph / Twitter card tags in
the HTML the server sends (crawlers run no JavaScript); only approved photos that are
not taken down or deleted are shareable (404 otherwise).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.gateway.contributions import SHARE_CACHE
from services.gateway.deps import ContributorCases, Settings
from services.gateway.links import frame_url, media_url, original_url
from services.gateway.previews import filled, with_preview
from services.gateway.routes.pages import NO_CACHE, PAGES
from services.gateway.schemas import ClipHistory, Credits
from services.gateway.settings import GatewaySettings
from shared.errors import DependencyUnavailable, NotFound, error_responses

router = APIRouter()
SHARE_PAGE = (PAGES / "share.html").read_text()
FRAME_PAGE = (PAGES / "frame.html").read_text()


def base_url(request: Request, settings: GatewaySettings) -> str:
    """The site's public origin: the setting, else the one this request came to."""
    return settings.public_url or str(request.base_url)


@router.get("/s/{submission_id}", response_class=HTMLResponse, include_in_schema=False)
async def share_page(
    submission_id: str, request: Request, cases: ContributorCases, settings: Settings
) -> HTMLResponse:
    """An approved photo beside its original, with its link preview tags."""
    review = await cases.shared(submission_id)
    preview = cases.share_preview(review, base_url(request, settings))
    page = filled(
        SHARE_PAGE,
        preview,
        title=preview.title,
        photo_url=media_url(review.medium_key),
        original_url=original_url(review.video, review.frame),
        credit=preview.description,
        frame_url=frame_url(review.video, review.frame),
        share_url=preview.url,
    )
    return HTMLResponse(page, headers=NO_CACHE)


@router.get(
    "/s/{submission_id}/image.jpg",
    response_class=Response,
    responses=error_responses(404, 503, _200={"content": {"image/jpeg": {}}}),
)
async def share_image(submission_id: str, cases: ContributorCases) -> Response:
    """The link preview image of an approved photo: the photo beside its original."""
    card = await cases.share_image(submission_id)
    return Response(card, media_type="image/jpeg", headers={"Cache-Control": SHARE_CACHE})


@router.get("/frames/{video}/{frame}", response_class=HTMLResponse, include_in_schema=False)
async def frame_page(
    video: str, frame: int, request: Request, cases: ContributorCases, settings: Settings
) -> HTMLResponse:
    """One slot: the original beside its approved photos, and their flip-book."""
    try:
        preview = await cases.frame_preview(video, frame, base_url(request, settings))
    except NotFound:
        return HTMLResponse(FRAME_PAGE, status_code=404, headers=NO_CACHE)
    except DependencyUnavailable:
        # The page still works (its script says photos are unavailable); no preview.
        return HTMLResponse(FRAME_PAGE, headers=NO_CACHE)
    return HTMLResponse(with_preview(FRAME_PAGE, preview), headers=NO_CACHE)


@router.get("/api/videos/{video}/credits", responses=error_responses(404, 503))
async def credits(video: str, cases: ContributorCases) -> Credits:
    """Who made each re-made frame of a video, in frame order."""
    return await cases.credits(video)


@router.get("/api/videos/{video}/versions", responses=error_responses(404, 503))
async def versions(video: str, cases: ContributorCases) -> ClipHistory:
    """The retained published versions of a video's clip, newest first."""
    return await cases.history(video)
