"""The visitors' JSON API (``/api``) and public media: thin routes over :class:`Visitors`
and :class:`ReportIntake`.

The lease holder (the lease id, its token from ``X-Lease-Token`` or the lease cookie, the
visitor's client id) is one dependency every lease route takes. Media from the bucket is
served here so the pages stay same-origin; range requests are passed to the store, so
the video player can seek. Reports are refused cross-site like every write
(``web.security``); the visitor is the client-id cookie, the rate limit per address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from services.gateway.core.cookies import LEASE_COOKIE, set_cookie_header
from services.gateway.core.dependencies import ClientId, ClientIp, Settings, wing_cases
from services.gateway.core.links import SUBMISSION_ID
from services.gateway.core.schemas import ClipStatus, SlotPhotos, SubmissionStatus
from services.gateway.settings import GatewaySettings
from services.gateway.visitors import schemas
from services.gateway.visitors.usecases import ReportIntake, Visitors
from shared.errors import Unauthorized, error_responses
from shared.objects import ObjectStream
from shared.photos import PHOTO_REQUEST_BODY, clean_display_name, read_photo

# For objects stored without a Cache-Control of their own: originals never change,
# other media (renditions, clip files) may be replaced, so browsers keep them briefly.
ORIGINAL_CACHE = "public, max-age=86400"
SHORT_CACHE = "public, max-age=60"

router = APIRouter()

UseCases = Annotated[Visitors, Depends(wing_cases("visitors"))]
Reports = Annotated[ReportIntake, Depends(wing_cases("reports"))]
LeaseToken = Annotated[str | None, Header(alias="X-Lease-Token")]
RangeHeader = Annotated[str | None, Header()]
SubmissionId = Annotated[str, Path(pattern=SUBMISSION_ID.pattern)]
# Which video a request is about; absent means the featured one (GATEWAY_VIDEO).
VideoParam = Annotated[
    str | None, Query(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
]


@dataclass(frozen=True)
class LeaseHolder:
    """Who acts on a lease: its id, the token they hold, and their client id."""

    lease_id: str
    token: str
    client_id: str


def lease_holder(
    lease_id: str, request: Request, client_id: ClientId, x_lease_token: LeaseToken = None
) -> LeaseHolder:
    """The lease token from ``X-Lease-Token`` or, for beacons, the lease cookie (401
    without either)."""
    token = x_lease_token or request.cookies.get(LEASE_COOKIE)
    if not token:
        raise Unauthorized("send the lease token in X-Lease-Token", code="missing_lease_token")
    return LeaseHolder(lease_id, token, client_id)


Holder = Annotated[LeaseHolder, Depends(lease_holder)]


def remember_lease(response: Response, settings: GatewaySettings, token: str | None) -> None:
    """Keep the lease token in its cookie (for beacons), or drop the cookie (None)."""
    max_age = settings.max_lease_seconds if token else 0
    cookie = set_cookie_header(
        LEASE_COOKIE,
        token or "",
        max_age=max_age,
        secure=settings.cookie_secure,
        path="/api/leases",
    )
    response.headers.append("set-cookie", cookie.decode("latin-1"))


@router.post(
    "/api/leases",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        404, 429, 503, _200={"model": schemas.LeaseCreated, "description": "Your live lease, again"}
    ),
)
async def create_lease(
    request: Request,
    response: Response,
    gateway: UseCases,
    settings: Settings,
    client_id: ClientId,
    client_ip: ClientIp,
    video: VideoParam = None,
) -> schemas.LeaseCreated:
    """Reserve one frame of a video for this visitor (or return their live lease)."""
    held = request.cookies.get(LEASE_COOKIE)
    answer = await gateway.lease(client_id, client_ip, held, video)
    if not answer.is_new:
        response.status_code = status.HTTP_200_OK
        return answer.lease
    remember_lease(response, settings, answer.lease.token)
    return answer.lease


@router.post("/api/leases/{lease_id}/heartbeat", responses=error_responses(401, 403, 410, 503))
async def heartbeat_lease(
    holder: Holder, response: Response, gateway: UseCases, settings: Settings
) -> schemas.LeaseExtended:
    """Keep the frame reserved a while longer (up to the maximum lease)."""
    extended = await gateway.heartbeat(holder.lease_id, holder.token, holder.client_id)
    remember_lease(response, settings, extended.token)
    return extended


# DELETE for scripts and the page's cancel button; POST .../release for
# navigator.sendBeacon, which can only POST.
@router.delete(
    "/api/leases/{lease_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 410),
)
@router.post(
    "/api/leases/{lease_id}/release",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 410),
)
async def release_lease(holder: Holder, gateway: UseCases, settings: Settings) -> Response:
    """Give the frame back at once (the token may come from the lease cookie)."""
    await gateway.release(holder.lease_id, holder.token, holder.client_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    remember_lease(response, settings, None)
    return response


@router.post(
    "/api/leases/{lease_id}/photo",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(401, 403, 408, 409, 410, 413, 415, 422, 503),
    openapi_extra=PHOTO_REQUEST_BODY,
)
async def upload_photo(
    holder: Holder,
    request: Request,
    response: Response,
    gateway: UseCases,
    settings: Settings,
    display_name: Annotated[str | None, Query(max_length=200)] = None,
) -> schemas.PhotoAccepted:
    """Submit the photo for a lease: the raw image bytes as the body."""
    lease_id, token, client_id = holder.lease_id, holder.token, holder.client_id
    # Refuse a foreign or expired lease before reading a single byte of the body.
    gateway.check_photo_lease(lease_id, token, client_id)
    name = clean_display_name(display_name)
    photo = await read_photo(request, settings.max_upload_bytes, settings.upload_timeout_seconds)
    accepted = await gateway.submit_photo(lease_id, token, client_id, photo, name)
    remember_lease(response, settings, None)
    return accepted


@router.get("/api/submissions/{submission_id}", responses=error_responses(404, 503))
async def submission_status(submission_id: str, gateway: UseCases) -> SubmissionStatus:
    """Where a submitted photo stands in moderation."""
    return await gateway.submission_status(submission_id)


@router.get("/api/frames/recent", responses=error_responses(503))
async def recent_frames(
    gateway: UseCases, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> schemas.RecentFrames:
    """The latest approved photos, newest first (the last good list if moderation is down)."""
    return await gateway.recent_frames(limit)


@router.get("/api/clip", responses=error_responses(404, 503))
async def clip(gateway: UseCases, video: VideoParam = None) -> ClipStatus:
    """A video's current clip, size and progress (the featured video by default)."""
    return await gateway.clip(video)


@router.get("/api/videos", responses=error_responses(503))
async def videos(gateway: UseCases) -> schemas.VideoList:
    """Every imported video, the featured one first."""
    return schemas.VideoList(
        videos=[schemas.VideoSummary.of(record) for record in await gateway.videos()]
    )


@router.get("/api/frames/{video}/{frame}", responses=error_responses(404, 503))
async def slot_photos(video: str, frame: int, gateway: UseCases) -> SlotPhotos:
    """One slot: its place in the clip and its approved photos, best first."""
    return await gateway.slot(video, frame)


@router.post(
    "/api/photos/{submission_id}/reports", responses=error_responses(400, 403, 404, 422, 429, 503)
)
async def report_photo(
    submission_id: SubmissionId,
    body: schemas.ReportRequest,
    reports: Reports,
    client_id: ClientId,
    client_ip: ClientIp,
) -> schemas.ReportReceived:
    """Report a shown photo (nudity, hate, personal data, other); once per visitor."""
    return await reports.report(submission_id, client_id, client_ip, body)


def streamed(stream: ObjectStream, cache_control: str) -> StreamingResponse:
    """The HTTP answer for an object being read: 206 for a range, else 200.

    ``cache_control`` applies when the object carries none of its own.
    """
    headers = {
        "Content-Length": str(stream.content_length),
        "Accept-Ranges": "bytes",
        "Cache-Control": stream.cache_control or cache_control,
    }
    if stream.content_range:
        headers["Content-Range"] = stream.content_range
    return StreamingResponse(
        stream.chunks,
        status_code=206 if stream.content_range else 200,
        media_type=stream.content_type or "application/octet-stream",
        headers=headers,
    )


@router.get(
    "/api/frames/{video}/{frame}/original",
    response_class=Response,
    responses=error_responses(404, 503, _200={"content": {"image/jpeg": {}}}),
)
async def original_frame(
    video: str, frame: int, gateway: UseCases, range: RangeHeader = None
) -> Response:
    """The original frame of a slot, as a JPEG."""
    return streamed(await gateway.original_frame(video, frame, range), ORIGINAL_CACHE)


@router.get(
    "/media/{key:path}",
    response_class=Response,
    responses=error_responses(404, 503, _206={"description": "Part of the object"}),
)
async def media(key: str, gateway: UseCases, range: RangeHeader = None) -> Response:
    """A public media object (image or clip), with HTTP range support."""
    return streamed(await gateway.media(key, range), SHORT_CACHE)
