"""A visitor's own frames (``/api/me/…``) and the keep-my-frames link (``/keep/…``).

Every route acts only on the visitor's own client id, read from their cookie: there is
no way to name another visitor. Opening a keep link only asks; the switch is a
same-origin POST, so a link planted on another site cannot swap a visitor's identity.
Writes pass the same-origin rule of ``routes/security.py`` (and the cookie is
SameSite=Lax), so other sites cannot delete a visitor's photo.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from string import Template
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.gateway.deps import ContributorCases
from services.gateway.routes.cookies import CLIENT_COOKIE, is_client_id
from services.gateway.routes.pages import PAGES
from services.gateway.schemas import KeepLink, MySubmissions, News
from shared.errors import NotFound, Unauthorized, error_responses

router = APIRouter()
KEEP_PAGE = (PAGES / "keep.html").read_text()


def cookie_client_id(request: Request) -> str | None:
    """The client id the visitor's own cookie carries (None on a first visit)."""
    value = request.cookies.get(CLIENT_COOKIE, "")
    return value if is_client_id(value) else None


def own_client_id(request: Request) -> str:
    """The cookie's client id; 401 without one (nothing can be theirs yet)."""
    client_id = cookie_client_id(request)
    if client_id is None:
        raise Unauthorized("this browser has no frames (no visitor cookie)", code="no_client")
    return client_id


@router.get("/api/me/submissions", responses=error_responses(503))
async def my_submissions(request: Request, cases: ContributorCases) -> MySubmissions:
    """This visitor's submissions, newest first, with where each plays once live."""
    client_id = cookie_client_id(request)
    if client_id is None:
        return MySubmissions(submissions=[])
    return await cases.my_submissions(client_id)


@router.delete(
    "/api/me/submissions/{submission_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 429, 503),
)
async def delete_my_submission(
    submission_id: str, request: Request, cases: ContributorCases
) -> Response:
    """Delete one of this visitor's photos for good (404 for anyone else's)."""
    await cases.delete(own_client_id(request), submission_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/me/news", responses=error_responses(503))
async def my_news(
    request: Request, cases: ContributorCases, since: Annotated[datetime | None, Query()] = None
) -> News:
    """This visitor's photos that went live in the clip after ``since`` (none without it)."""
    client_id = cookie_client_id(request)
    now = datetime.now(UTC)
    if client_id is None or since is None:
        return News(now=now, live=[])
    moment = since if since.tzinfo else since.replace(tzinfo=UTC)
    return await cases.news(client_id, moment)


@router.get("/api/me/keep-link", responses=error_responses(401))
async def keep_link(request: Request, cases: ContributorCases) -> KeepLink:
    """A signed link that, opened in another browser, shows these frames there too."""
    return KeepLink(url=cases.keep_link(own_client_id(request)))


@router.get("/keep/{token}", response_class=HTMLResponse, include_in_schema=False)
async def confirm_keep(token: str, cases: ContributorCases) -> HTMLResponse:
    """Ask before switching: a link opened from another site must not switch anyone."""
    if cases.kept_client(token) is None:
        raise NotFound("this keep-my-frames link is not valid")
    page = Template(KEEP_PAGE).substitute(action=html.escape(f"/keep/{token}"))
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.post("/keep/{token}", include_in_schema=False)
async def adopt_frames(token: str, request: Request, cases: ContributorCases) -> Response:
    """Make this browser the visitor the link was made for, then show their frames."""
    client_id = cases.kept_client(token)
    if client_id is None:
        raise NotFound("this keep-my-frames link is not valid")
    # ClientIdMiddleware sets the cookie to whatever client id the request ends with.
    request.scope["state"]["client_id"] = client_id
    answer = RedirectResponse("/me", status_code=status.HTTP_303_SEE_OTHER)
    answer.headers["Cache-Control"] = "no-store"
    return answer
