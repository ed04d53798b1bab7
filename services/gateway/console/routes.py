"""The operators' console at ``/ops``: its page, sign-in, and its JSON API (``/ops/api``).

Not public: off unless ``GATEWAY_OPS_ENABLED`` and ``GATEWAY_OPERATOR_TOKEN`` are set,
and the load balancer does not route ``/ops`` (deploy/cloudformation). Signing in
exchanges the operator token for a signed, expiring session cookie (HttpOnly,
SameSite=Strict, Path=/ops, Secure behind HTTPS). Every POST must come from this origin
(a browser's ``Origin`` or ``Sec-Fetch-Site``; a POST carrying neither is refused too).
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.datastructures import Headers

from services.gateway.console.schemas import (
    ActionDone,
    AuditLogView,
    OpsSignedIn,
    OpsSignIn,
    ProgressList,
    QueueDepthList,
    QueueDepthView,
)
from services.gateway.console.sessions import OpsSession
from services.gateway.console.usecases import Console
from services.gateway.core.cookies import set_cookie_header
from services.gateway.core.dependencies import ClientIp, Settings, own_origin, wing_cases
from services.gateway.core.layout import Pages
from services.gateway.core.links import SUBMISSION_ID
from shared.errors import Forbidden, error_responses
from shared.records import CrowdSpend, RenderHistory, ReportQueue, ReviewList

OPS_COOKIE = "ofof_ops"
VIDEO = r"^[a-z0-9][a-z0-9-]*$"
PAGES = Pages(FilePath(__file__).resolve().parent / "pages")
ConsoleCases = Annotated[Console, Depends(wing_cases("console"))]
SubmissionId = Annotated[str, Path(pattern=SUBMISSION_ID.pattern)]
ContributorId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Video = Annotated[str, Path(pattern=VIDEO, max_length=64)]
GUARDED = error_responses(401, 403, 422, 503)


def require_same_origin(request: Request) -> None:
    """Refuse a POST that a page of another origin (or no page at all) sent."""
    headers = Headers(scope=request.scope)
    origin, fetch_site = headers.get("origin"), headers.get("sec-fetch-site")
    if origin is None and fetch_site is None:
        raise Forbidden("console actions come from the console page", code="cross_site_request")
    if (origin is not None and origin != own_origin(request.scope, headers)) or (
        fetch_site is not None and fetch_site != "same-origin"
    ):
        raise Forbidden("console actions come from the console page", code="cross_site_request")


def signed_in(request: Request, console: ConsoleCases) -> OpsSession:
    """The console session of this request (401 without one)."""
    return console.session(request.cookies.get(OPS_COOKIE))


def console_enabled(console: ConsoleCases) -> None:
    """Refuse (403) when the console is switched off or has no operator token."""
    console.check_enabled()


Session = Annotated[OpsSession, Depends(signed_in)]
SameOrigin = Depends(require_same_origin)
Enabled = Depends(console_enabled)
router = APIRouter(prefix="/ops", tags=["operators"])
# Every route of the console's API needs a signed-in session (401 without one).
api = APIRouter(prefix="/api", dependencies=[Depends(signed_in)], responses=GUARDED)
# An action must also come from the console page, which is checked first.
actions = APIRouter(prefix="/api", dependencies=[SameOrigin, Depends(signed_in)])


@router.get("", include_in_schema=False, dependencies=[Enabled])
async def console_page(request: Request) -> HTMLResponse:
    """The console page (its script asks for a session)."""
    return PAGES.render(request, "ops.html")


@router.post(
    "/session", dependencies=[SameOrigin], responses=error_responses(400, 401, 403, 422, 429)
)
async def sign_in(
    body: OpsSignIn,
    request: Request,
    response: Response,
    console: ConsoleCases,
    settings: Settings,
    client_ip: ClientIp,
) -> OpsSignedIn:
    """Exchange the operator token for a console session cookie."""
    session, value = await console.sign_in(body.token, client_ip)
    secure = settings.cookie_secure or request.url.scheme == "https"
    cookie = set_cookie_header(
        OPS_COOKIE,
        value,
        max_age=settings.ops_session_seconds,
        secure=secure,
        path="/ops",
        same_site="Strict",
    )
    response.headers.append("set-cookie", cookie.decode("latin-1"))
    return OpsSignedIn.of(session)


@router.post(
    "/session/end",
    dependencies=[SameOrigin],
    status_code=204,
    responses=error_responses(403),
)
async def sign_out(response: Response, settings: Settings) -> Response:
    """End the console session in this browser."""
    cookie = set_cookie_header(
        OPS_COOKIE, "", max_age=0, secure=settings.cookie_secure, path="/ops", same_site="Strict"
    )
    return Response(status_code=204, headers={"set-cookie": cookie.decode("latin-1")})


@api.get("/me")
async def whoami(session: Session) -> OpsSignedIn:
    """The signed-in session."""
    return OpsSignedIn.of(session)


@api.get("/queues")
async def queues(console: ConsoleCases) -> QueueDepthList:
    """Messages waiting, in flight and dead-lettered, per queue."""
    depths = await console.queue_depths()
    return QueueDepthList(queues=[QueueDepthView.of(depth) for depth in depths])


@api.get("/pending")
async def pending(console: ConsoleCases) -> ReviewList:
    """Reviews waiting for the crowd, oldest first."""
    return ReviewList(reviews=await console.pending())


@api.get("/reports")
async def reports(console: ConsoleCases) -> ReportQueue:
    """Reported photos awaiting a decision, with their reports."""
    return await console.report_queue()


@api.get("/spend")
async def spend(console: ConsoleCases) -> CrowdSpend:
    """Crowd spend per video and per approved frame: recorded (MTurk), else computed."""
    return await console.spend()


@api.get("/progress")
async def progress(console: ConsoleCases) -> ProgressList:
    """Every video's progress."""
    return ProgressList(videos=await console.progress())


@api.get("/renders")
async def renders(
    console: ConsoleCases,
    video: Annotated[str, Query(pattern=VIDEO, max_length=64)],
) -> RenderHistory:
    """A video's recent renders, newest first."""
    return await console.render_history(video)


@api.get("/audit")
async def audit(console: ConsoleCases) -> AuditLogView:
    """Every operator action, newest first."""
    return AuditLogView(entries=await console.audit_log())


@actions.post(
    "/photos/{submission_id}/{action}",
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
async def decide(
    submission_id: SubmissionId,
    action: Annotated[str, Path(pattern=r"^(takedown|restore)$")],
    session: Session,
    console: ConsoleCases,
) -> ActionDone:
    """Take one photo down, or restore it (audited)."""
    act = console.takedown if action == "takedown" else console.restore
    return ActionDone(
        action=action, target=submission_id, reviews=await act(session, submission_id)
    )


@actions.post(
    "/contributors/{client_id}/revert",
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
async def revert(client_id: ContributorId, session: Session, console: ConsoleCases) -> ActionDone:
    """Take down every approved photo of one contributor (audited)."""
    reviews = await console.revert(session, client_id)
    return ActionDone(action="revert_contributor", target=client_id, reviews=reviews)


@actions.post(
    "/videos/{video}/render",
    responses=error_responses(401, 403, 404, 422, 503),
)
async def render_now(video: Video, session: Session, console: ConsoleCases) -> ActionDone:
    """Force a render of one video now (audited)."""
    await console.render_now(session, video)
    return ActionDone(action="render_now", target=video)


router.include_router(api)
router.include_router(actions)
