"""The gateway's public JSON API (prefix ``/api``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from services.gateway import leasing
from services.gateway.clients import LEASE_COOKIE, set_cookie_header
from services.gateway.deps import Deps, Settings
from services.gateway.ingestclient import PhotoUpload
from services.gateway.media import stream_object
from services.gateway.schemas import LeaseCreated, LeaseExtended, PhotoAccepted
from shared.errors import Unauthorized, error_responses
from shared.photos import (
    check_declared_length,
    clean_display_name,
    photo_content_type,
    read_bounded,
)
from shared.records import original_key

router = APIRouter(prefix="/api")

LeaseToken = Annotated[str | None, Header(alias="X-Lease-Token")]


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
        429, 503, _200={"model": LeaseCreated, "description": "Your live lease, again"}
    ),
)
async def create_lease(
    request: Request, response: Response, deps: Deps, settings: Settings
) -> LeaseCreated:
    """Reserve one frame for this visitor (or return the visitor's live lease)."""
    client_id = client_id_of(request)
    existing = leasing.live_lease(
        request.cookies.get(LEASE_COOKIE), client_id, settings, deps.clock()
    )
    if existing is not None:
        response.status_code = status.HTTP_200_OK
        return existing
    client_ip = request.client.host if request.client else "unknown"
    lease = await leasing.new_lease(deps, settings, client_id, client_ip)
    _remember_lease(response, settings, lease.token)
    return lease


@router.post("/leases/{lease_id}/heartbeat", responses=error_responses(401, 403, 410, 503))
async def heartbeat_lease(
    lease_id: str,
    request: Request,
    response: Response,
    deps: Deps,
    settings: Settings,
    x_lease_token: LeaseToken = None,
) -> LeaseExtended:
    """Keep the frame reserved a while longer (up to the maximum lease)."""
    token = token_of(request, x_lease_token)
    extended = await leasing.heartbeat(deps, settings, lease_id, token, client_id_of(request))
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
    deps: Deps,
    settings: Settings,
    x_lease_token: LeaseToken = None,
) -> Response:
    """Give the frame back at once (the token may come from the lease cookie)."""
    await leasing.release(
        deps, settings, lease_id, token_of(request, x_lease_token), client_id_of(request)
    )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _remember_lease(response, settings, None)
    return response


@router.post(
    "/leases/{lease_id}/photo",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(401, 403, 408, 410, 413, 415, 422, 503),
)
async def upload_photo(
    lease_id: str,
    request: Request,
    response: Response,
    deps: Deps,
    settings: Settings,
    x_lease_token: LeaseToken = None,
    display_name: Annotated[str | None, Query(max_length=200)] = None,
) -> PhotoAccepted:
    """Submit the photo for a lease: the raw image bytes as the body."""
    token = token_of(request, x_lease_token)
    leasing.check_photo_lease(deps, settings, lease_id, token, client_id_of(request))
    content_type = photo_content_type(request.headers.get("content-type"))
    check_declared_length(request.headers.get("content-length"), settings.max_upload_bytes)
    upload = PhotoUpload(
        lease_id=lease_id,
        token=token,
        content_type=content_type,
        display_name=clean_display_name(display_name),
        body=await read_bounded(
            request.stream(), settings.max_upload_bytes, settings.upload_timeout_seconds
        ),
    )
    await deps.ingest.submit(upload)
    _remember_lease(response, settings, None)
    return PhotoAccepted(submission_id=lease_id, status_url=f"/api/submissions/{lease_id}")


@router.get(
    "/frames/{video}/{frame}/original",
    response_class=Response,
    responses=error_responses(404, 503, _200={"content": {"image/jpeg": {}}}),
)
async def original_frame(
    video: str,
    frame: int,
    deps: Deps,
    settings: Settings,
    range: Annotated[str | None, Header()] = None,
) -> Response:
    """The original frame of a slot, as a JPEG."""
    return await stream_object(
        deps,
        settings,
        original_key(video, frame),
        range,
        not_found=f"video {video!r} has no frame {frame}",
        cache_control="public, max-age=86400",
    )
