"""Lease use cases: hand out a frame, keep it, give it back, turn it into a photo."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from services.gateway.deps import GatewayDeps
from services.gateway.schemas import LeaseCreated, LeaseExtended
from services.gateway.settings import GatewaySettings
from shared.errors import DependencyUnavailable, RateLimited
from shared.leases import InvalidToken, LeaseClaims, LeaseGone, authorize, sign, verify


def secret_of(settings: GatewaySettings) -> bytes:
    """The lease signing secret (checked at startup)."""
    assert settings.lease_secret is not None
    return settings.lease_secret.get_secret_value().encode()


def _at(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


def original_url(video: str, frame: int) -> str:
    """Where the browser fetches the original frame of a slot."""
    return f"/api/frames/{video}/{frame}/original"


def describe(claims: LeaseClaims, token: str) -> LeaseCreated:
    """The API view of a lease."""
    return LeaseCreated(
        lease_id=claims.lease_id,
        video=claims.video,
        frame=claims.frame,
        original_url=original_url(claims.video, claims.frame),
        expires_at=_at(claims.expires_at),
        max_expires_at=_at(claims.max_expires_at),
        token=token,
    )


def live_lease(
    token: str | None, client_id: str, settings: GatewaySettings, now: float
) -> LeaseCreated | None:
    """The visitor's current lease from its cookie, if it is theirs and still live."""
    if not token:
        return None
    try:
        claims = verify(token, secret_of(settings))
    except InvalidToken:
        return None
    if claims.client_id != client_id or not claims.is_live(now):
        return None
    return describe(claims, token)


async def new_lease(
    deps: GatewayDeps, settings: GatewaySettings, client_id: str, client_ip: str
) -> LeaseCreated:
    """Reserve the next waiting frame for ``client_id``."""
    now = deps.clock()
    retry_after = deps.lease_limiter.retry_after(client_ip, now)
    if retry_after is not None:
        raise RateLimited("too many leases from this address", retry_after_seconds=retry_after)
    leased = await deps.frames.lease(settings.lease_seconds)
    if leased is None:
        raise DependencyUnavailable(
            "frames",
            "every frame is taken or done right now; try again shortly",
            code="no_frame_available",
            retry_after_seconds=settings.no_frame_retry_after_seconds,
        )
    claims = LeaseClaims(
        lease_id=uuid.uuid4().hex,
        video=leased.slot.video,
        frame=leased.slot.frame,
        client_id=client_id,
        receipt_handle=leased.receipt_handle,
        issued_at=now,
        expires_at=now + settings.lease_seconds,
        max_expires_at=now + settings.max_lease_seconds,
    )
    return describe(claims, sign(claims, secret_of(settings)))


async def heartbeat(
    deps: GatewayDeps, settings: GatewaySettings, lease_id: str, token: str, client_id: str
) -> LeaseExtended:
    """Keep the frame reserved a while longer, up to the maximum lease."""
    now = deps.clock()
    claims = authorize(token, secret_of(settings), lease_id=lease_id, client_id=client_id, now=now)
    extended = claims.extended(now, settings.lease_seconds)
    remaining = int(extended.expires_at - now)
    if remaining <= 0:
        raise LeaseGone("the lease reached its maximum length; take a new frame")
    await deps.frames.extend(claims.receipt_handle, remaining)
    new_token = sign(extended, secret_of(settings))
    return LeaseExtended(
        lease_id=lease_id,
        expires_at=_at(extended.expires_at),
        max_expires_at=_at(extended.max_expires_at),
        token=new_token,
    )


async def release(
    deps: GatewayDeps, settings: GatewaySettings, lease_id: str, token: str, client_id: str
) -> None:
    """Give the frame back at once."""
    claims = authorize(
        token, secret_of(settings), lease_id=lease_id, client_id=client_id, now=deps.clock()
    )
    await deps.frames.release(claims.receipt_handle)


def check_photo_lease(
    deps: GatewayDeps, settings: GatewaySettings, lease_id: str, token: str, client_id: str
) -> None:
    """Before reading a photo: the lease is this visitor's and not past its maximum."""
    authorize(token, secret_of(settings), lease_id=lease_id, client_id=client_id, now=deps.clock())
