"""A visitor's own frames (``/api/me/…``), the keep-my-frames link (``/keep/…``), share
pages and images, the frame page's preview, the credits and the clip's history.

Every ``/api/me`` route acts only on the visitor's own client id, read from their cookie:
there is no way to name another visitor. Opening a keep link only asks; the switch is a
same-origin POST, so a link planted on another site cannot swap a visitor's identity.
Writes pass the same-origin rule of ``web.security`` (and the cookie is SameSite=Lax),
so other sites cannot delete a visitor's photo.

``/s/{submission_id}`` and the frame page carry their Open Graph / Twitter card tags in
the HTML the server sends (crawlers run no JavaScript); only approved photos that are
not taken down or deleted are shareable (404 otherwise).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from services.gateway.contributors.previews import Preview, meta_tags
from services.gateway.contributors.schemas import (
    ClipHistory,
    Credits,
    KeepLink,
    MySubmissions,
    News,
)
from services.gateway.contributors.usecases import SHARE_CACHE, Contributors
from services.gateway.core.dependencies import CookieClientId, OwnClientId, Settings, wing_cases
from services.gateway.core.layout import Pages
from services.gateway.core.links import frame_url, media_url, original_url
from services.gateway.settings import GatewaySettings
from shared.errors import DependencyUnavailable, NotFound, error_responses

router = APIRouter()
PAGES = Pages(Path(__file__).resolve().parent / "pages")
ContributorCases = Annotated[Contributors, Depends(wing_cases("contributors"))]
NOT_A_KEEP_LINK = "this keep-my-frames link is not valid"


def base_url(request: Request, settings: GatewaySettings) -> str:
    """The site's public origin: the setting, else the one this request came to."""
    return settings.public_url or str(request.base_url)


def preview_tags(preview: Preview) -> Markup:
    """``preview``'s head tags, for the layout to put in as they are."""
    return Markup(meta_tags(preview))  # noqa: S704 (meta_tags escapes every value)


# My frames.


@router.get("/api/me/submissions", responses=error_responses(503))
async def my_submissions(client_id: CookieClientId, cases: ContributorCases) -> MySubmissions:
    """This visitor's submissions, newest first, with where each plays once live."""
    if client_id is None:
        return MySubmissions(submissions=[])
    return await cases.my_submissions(client_id)


@router.delete(
    "/api/me/submissions/{submission_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 429, 503),
)
async def delete_my_submission(
    submission_id: str, client_id: OwnClientId, cases: ContributorCases
) -> Response:
    """Delete one of this visitor's photos for good (404 for anyone else's)."""
    await cases.delete(client_id, submission_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/me/news", responses=error_responses(503))
async def my_news(
    client_id: CookieClientId,
    cases: ContributorCases,
    since: Annotated[datetime | None, Query()] = None,
) -> News:
    """This visitor's photos that went live in the clip after ``since`` (none without it)."""
    now = datetime.now(UTC)
    if client_id is None or since is None:
        return News(now=now, live=[])
    moment = since if since.tzinfo else since.replace(tzinfo=UTC)
    return await cases.news(client_id, moment)


@router.get("/api/me/keep-link", responses=error_responses(401))
async def keep_link(client_id: OwnClientId, cases: ContributorCases) -> KeepLink:
    """A signed link that, opened in another browser, shows these frames there too."""
    return KeepLink(url=cases.keep_link(client_id))


@router.get("/keep/{token}", response_class=HTMLResponse, include_in_schema=False)
async def confirm_keep(token: str, request: Request, cases: ContributorCases) -> HTMLResponse:
    """Ask before switching: a link opened from another site must not switch anyone."""
    if cases.kept_client(token) is None:
        raise NotFound(NOT_A_KEEP_LINK)
    no_store = {"Cache-Control": "no-store"}
    return PAGES.render(request, "keep.html", headers=no_store, action=f"/keep/{token}")


@router.post("/keep/{token}", include_in_schema=False)
async def adopt_frames(token: str, request: Request, cases: ContributorCases) -> Response:
    """Make this browser the visitor the link was made for, then show their frames."""
    client_id = cases.kept_client(token)
    if client_id is None:
        raise NotFound(NOT_A_KEEP_LINK)
    # ClientIdMiddleware sets the cookie to whatever client id the request ends with.
    request.scope["state"]["client_id"] = client_id
    answer = RedirectResponse("/me", status_code=status.HTTP_303_SEE_OTHER)
    answer.headers["Cache-Control"] = "no-store"
    return answer


# Sharing.


@router.get("/s/{submission_id}", response_class=HTMLResponse, include_in_schema=False)
async def share_page(
    submission_id: str, request: Request, cases: ContributorCases, settings: Settings
) -> HTMLResponse:
    """An approved photo beside its original, with its link preview tags."""
    review = await cases.shared(submission_id)
    preview = cases.share_preview(review, base_url(request, settings))
    return PAGES.render(
        request,
        "share.html",
        preview_tags=preview_tags(preview),
        title=preview.title,
        photo_url=media_url(review.medium_key),
        original_url=original_url(review.video, review.frame),
        credit=preview.description,
        frame_url=frame_url(review.video, review.frame),
        share_url=preview.url,
    )


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
        return PAGES.render(request, "frame.html", status_code=404)
    except DependencyUnavailable:
        # The page still works (its script says photos are unavailable); no preview.
        return PAGES.render(request, "frame.html")
    return PAGES.render(request, "frame.html", preview_tags=preview_tags(preview))


# Credits and history.


@router.get("/api/videos/{video}/credits", responses=error_responses(404, 503))
async def credits(video: str, cases: ContributorCases) -> Credits:
    """Who made each re-made frame of a video, in frame order."""
    return await cases.credits(video)


@router.get("/api/videos/{video}/versions", responses=error_responses(404, 503))
async def versions(video: str, cases: ContributorCases) -> ClipHistory:
    """The retained published versions of a video's clip, newest first."""
    return await cases.history(video)
