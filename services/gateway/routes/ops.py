"""The operators' console at ``/ops``: its page, sign-in, and its JSON API (``/ops/api``).

Not public: off unless ``GATEWAY_OPS_ENABLED`` and ``GATEWAY_OPERATOR_TOKEN`` are set,
and the load balancer does not route ``/ops`` (deploy/cloudformation). Signing in
exchanges the operator token for a signed, expiring session cookie (HttpOnly,
SameSite=Strict, Path=/ops, Secure behind HTTPS). Every POST must come from this origin
(a browser's ``Origin`` or ``Sec-Fetch-Site``; a POST carrying neither is refused too).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import FileResponse
from starlette.datastructures import Headers

from services.gateway.deps import ConsoleCases, Settings
from services.gateway.links import SUBMISSION_ID
from services.gateway.routes.cookies import set_cookie_header
from services.gateway.routes.pages import NO_CACHE, PAGES
from services.gateway.routes.security import own_origin
from services.gateway.schemas import (
    ActionDone,
    AuditLogView,
    OpsSignedIn,
    OpsSignIn,
    ProgressList,
    QueueDepthList,
    QueueDepthView,
)
from services.gateway.sessions import OpsSession
from shared.errors import Forbidden, error_responses
from shared.records import CrowdSpend, RenderHistory, ReportQueue, ReviewList

OPS_COOKIE = "ofof_ops"
VIDEO = r"^[a-z0-9][a-z0-9-]*$"
SubmissionId = Annotated[str, Path(pattern=SUBMISSION_ID.pattern)]
ClientId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
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


Session = Annotated[OpsSession, Depends(signed_in)]
SameOrigin = Depends(require_same_origin)
router = APIRouter(prefix="/ops", tags=["operators"])


@router.get("", include_in_schema=False)
async def console_page(console: ConsoleCases) -> FileResponse:
    """The console page (its script asks for a session)."""
    console.check_enabled()
    return FileResponse(PAGES / "ops.html", headers=NO_CACHE)


@router.post(
    "/session", dependencies=[SameOrigin], responses=error_responses(400, 401, 403, 422, 429)
)
async def sign_in(
    body: OpsSignIn, request: Request, response: Response, console: ConsoleCases, settings: Settings
) -> OpsSignedIn:
    """Exchange the operator token for a console session cookie."""
    client_ip = request.client.host if request.client else "unknown"
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


@router.get("/api/me", responses=GUARDED)
async def whoami(session: Session) -> OpsSignedIn:
    """The signed-in session."""
    return OpsSignedIn.of(session)


@router.get("/api/queues", responses=GUARDED)
async def queues(session: Session, console: ConsoleCases) -> QueueDepthList:
    """Messages waiting, in flight and dead-lettered, per queue."""
    depths = await console.queue_depths()
    return QueueDepthList(queues=[QueueDepthView.of(depth) for depth in depths])


@router.get("/api/pending", responses=GUARDED)
async def pending(session: Session, console: ConsoleCases) -> ReviewList:
    """Reviews waiting for the crowd, oldest first."""
    return ReviewList(reviews=await console.ports.desk.pending())


@router.get("/api/reports", responses=GUARDED)
async def reports(session: Session, console: ConsoleCases) -> ReportQueue:
    """Reported photos awaiting a decision, with their reports."""
    return await console.ports.desk.report_queue()


@router.get("/api/spend", responses=GUARDED)
async def spend(session: Session, console: ConsoleCases) -> CrowdSpend:
    """Crowd spend per video and per approved frame: recorded (MTurk), else computed."""
    return await console.ports.desk.spend()


@router.get("/api/progress", responses=GUARDED)
async def progress(session: Session, console: ConsoleCases) -> ProgressList:
    """Every video's progress."""
    return ProgressList(videos=await console.progress())


@router.get("/api/renders", responses=GUARDED)
async def renders(
    session: Session,
    console: ConsoleCases,
    video: Annotated[str, Query(pattern=VIDEO, max_length=64)],
) -> RenderHistory:
    """A video's recent renders, newest first."""
    return await console.ports.renders.history(video)


@router.get("/api/audit", responses=GUARDED)
async def audit(session: Session, console: ConsoleCases) -> AuditLogView:
    """Every operator action, newest first."""
    return AuditLogView(entries=await console.audit_log())


@router.post(
    "/api/photos/{submission_id}/{action}",
    dependencies=[SameOrigin],
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


@router.post(
    "/api/contributors/{client_id}/revert",
    dependencies=[SameOrigin],
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
async def revert(client_id: ClientId, session: Session, console: ConsoleCases) -> ActionDone:
    """Take down every approved photo of one contributor (audited)."""
    reviews = await console.revert(session, client_id)
    return ActionDone(action="revert_contributor", target=client_id, reviews=reviews)


@router.post(
    "/api/videos/{video}/render",
    dependencies=[SameOrigin],
    responses=error_responses(401, 403, 404, 422, 503),
)
async def render_now(video: Video, session: Session, console: ConsoleCases) -> ActionDone:
    """Force a render of one video now (audited)."""
    await console.render_now(session, video)
    return ActionDone(action="render_now", target=video)
