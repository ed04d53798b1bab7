"""The gateway's public JSON API (prefix ``/api``): thin routes over :class:`Gateway`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from services.gateway.deps import Settings, UseCases
from services.gateway.routes.cookies import LEASE_COOKIE, set_cookie_header
from services.gateway.schemas import (
    ClipStatus,
    LeaseCreated,
    LeaseExtended,
    PhotoAccepted,
    RecentFrames,
    SlotPhotos,
    SubmissionStatus,
    VideoList,
    VideoSummary,
)
from shared.errors import Unauthorized, error_responses
from shared.photos import PHOTO_REQUEST_BODY, clean_display_name, read_photo

router = APIRouter(prefix="/api")

LeaseToken = Annotated[str | None, Header(alias="X-Lease-Token")]
# Which video a request is about; absent means the featured one (GATEWAY_VIDEO).
VideoParam = Annotated[
    str | None, Query(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
]


def client_id_of(request: Request) -> str:
    """The visitor's client id, set by ``ClientIdMiddleware``."""
    client_id: str = request.scope["state"]["client_id"]
    return client_id


def token_of(request: Request, header: str | None) -> str:
    """The lease token from ``X-Lease-Token`` or, for beacons, the lease cookie."""
    token = header or request.cookies.get(LEASE_COOKIE)
    if not token:
        raise Unauthorized("send the lease token in X-Lease-Token", code="missing_lease_token")
    return token


def _remember_lease(response: Response, settings: Settings, token: str | None) -> None:
    value = token or ""
    max_age = settings.max_lease_seconds if token else 0
    cookie = set_cookie_header(
        LEASE_COOKIE, value, max_age=max_age, secure=settings.cookie_secure, path="/api/leases"
    )
    response.headers.append("set-cookie", cookie.decode("latin-1"))


@router.post(
    "/leases",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        404, 429, 503, _200={"model": LeaseCreated, "description": "Your live lease, again"}
    ),
)
async def create_lease(
    request: Request,
    response: Response,
    gateway: UseCases,
    settings: Settings,
    video: VideoParam = None,
) -> LeaseCreated:
    """Reserve one frame of a video for this visitor (or return their live lease)."""
    client_ip = request.client.host if request.client else "unknown"
    answer = await gateway.lease(
        client_id_of(request), client_ip, request.cookies.get(LEASE_COOKIE), video
    )
    if not answer.is_new:
        response.status_code = status.HTTP_200_OK
        return answer.lease
    _remember_lease(response, settings, answer.lease.token)
    return answer.lease


@router.post("/leases/{lease_id}/heartbeat", responses=error_responses(401, 403, 410, 503))
async def heartbeat_lease(
    lease_id: str,
    request: Request,
    response: Response,
    gateway: UseCases,
    settings: Settings,
    x_lease_token: LeaseToken = None,
) -> LeaseExtended:
    """Keep the frame reserved a while longer (up to the maximum lease)."""
    token = token_of(request, x_lease_token)
    extended = await gateway.heartbeat(lease_id, token, client_id_of(request))
    _remember_lease(response, settings, extended.token)
    return extended


# DELETE for scripts and the page's cancel button; POST .../release for
# navigator.sendBeacon, which can only POST.
@router.delete(
    "/leases/{lease_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 410),
)
@router.post(
    "/leases/{lease_id}/release",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 410),
)
async def release_lease(
    lease_id: str,
    request: Request,
    gateway: UseCases,
    settings: Settings,
    x_lease_token: LeaseToken = None,
) -> Response:
    """Give the frame back at once (the token may come from the lease cookie)."""
    await gateway.release(lease_id, token_of(request, x_lease_token), client_id_of(request))
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _remember_lease(response, settings, None)
    return response


@router.post(
    "/leases/{lease_id}/photo",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(401, 403, 408, 409, 410, 413, 415, 422, 503),
    openapi_extra=PHOTO_REQUEST_BODY,
)
async def upload_photo(
    lease_id: str,
    request: Request,
    response: Response,
    gateway: UseCases,
    settings: Settings,
    x_lease_token: LeaseToken = None,
    display_name: Annotated[str | None, Query(max_length=200)] = None,
) -> PhotoAccepted:
    """Submit the photo for a lease: the raw image bytes as the body."""
    token = token_of(request, x_lease_token)
    client_id = client_id_of(request)
    # Refuse a foreign or expired lease before reading a single byte of the body.
    gateway.check_photo_lease(lease_id, token, client_id)
    name = clean_display_name(display_name)
    photo = await read_photo(request, settings.max_upload_bytes, settings.upload_timeout_seconds)
    accepted = await gateway.submit_photo(lease_id, token, client_id, photo, name)
    _remember_lease(response, settings, None)
    return accepted


@router.get("/submissions/{submission_id}", responses=error_responses(404, 503))
async def submission_status(submission_id: str, gateway: UseCases) -> SubmissionStatus:
    """Where a submitted photo stands in moderation."""
    return await gateway.submission_status(submission_id)


@router.get("/frames/recent", responses=error_responses(503))
async def recent_frames(
    gateway: UseCases, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> RecentFrames:
    """The latest approved photos, newest first (the last good list if moderation is down)."""
    return await gateway.recent_frames(limit)


@router.get("/clip", responses=error_responses(404, 503))
async def clip(gateway: UseCases, video: VideoParam = None) -> ClipStatus:
    """A video's current clip, size and progress (the featured video by default)."""
    return await gateway.clip(video)


@router.get("/videos", responses=error_responses(503))
async def videos(gateway: UseCases) -> VideoList:
    """Every imported video, the featured one first."""
    return VideoList(videos=[VideoSummary.of(record) for record in await gateway.videos()])


@router.get("/frames/{video}/{frame}", responses=error_responses(404, 503))
async def slot_photos(video: str, frame: int, gateway: UseCases) -> SlotPhotos:
    """One slot: its place in the clip and its approved photos, best first."""
    return await gateway.slot(video, frame)
