"""Lease tokens: what a visitor holds while re-creating one frame.

A token is ``base64url(json claims) + "." + base64url(HMAC-SHA256(claims))`` signed
with the lease secret that gateway and ingest share. It carries everything ingest needs
to finish the lease (video, frame, client id, the SQS receipt handle), so neither
service keeps lease state. Two expiries: ``expires_at`` is the current visibility
deadline (extended by heartbeats, which re-issue the token); ``max_expires_at`` is the
hard limit after which the lease is gone. A photo is accepted until the hard limit:
a late photo is never thrown away.

Pure: no I/O; the clock is a parameter.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, replace

from shared.errors import Forbidden, Gone

# The hard maximum of a lease, heartbeats included, by default (seconds): the gateway
# accepts a photo until then, and moderation holds a slot whose message was lost with its
# queue this long, since a visitor may still hold a lease on it. Both settings default to
# this one value (``GATEWAY_MAX_LEASE_SECONDS``, ``MODERATION_MAX_LEASE_SECONDS``).
MAX_LEASE_SECONDS = 900


class InvalidToken(Forbidden):
    """The token was forged, altered or is not a token at all."""

    default_code = "invalid_lease_token"


class LeaseGone(Gone):
    """The lease is past its maximum length."""

    default_code = "lease_expired"


@dataclass(frozen=True)
class LeaseClaims:
    """What a lease token says. Times are epoch seconds."""

    lease_id: str
    video: str
    frame: int
    client_id: str
    receipt_handle: str
    issued_at: float
    expires_at: float
    max_expires_at: float

    def is_live(self, now: float) -> bool:
        """True while the frame is still reserved for this lease (not yet visible again)."""
        return now < self.expires_at

    def is_within_maximum(self, now: float) -> bool:
        """True until the hard limit; photos are accepted until then."""
        return now <= self.max_expires_at

    def extended(self, now: float, lease_seconds: float) -> LeaseClaims:
        """The claims after a heartbeat at ``now``: extended, never past the maximum."""
        return replace(self, expires_at=min(now + lease_seconds, self.max_expires_at))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, body: str) -> bytes:
    return hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest()


def sign(claims: LeaseClaims, secret: bytes) -> str:
    """The token for ``claims``."""
    body = _b64(json.dumps(asdict(claims), separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_b64(_mac(secret, body))}"


def verify(token: str, secret: bytes) -> LeaseClaims:
    """The claims of a genuine token; :class:`InvalidToken` for anything else.

    The signature is compared in constant time before the claims are parsed.
    """
    body, _, signature = token.partition(".")
    try:
        given = _unb64(signature)
        body.encode("ascii")
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise InvalidToken("lease token is malformed") from exc
    if not hmac.compare_digest(given, _mac(secret, body)):
        raise InvalidToken("lease token signature does not match")
    try:
        return LeaseClaims(**json.loads(_unb64(body)))
    except (ValueError, TypeError) as exc:
        raise InvalidToken("lease token claims are malformed") from exc


def authorize(
    token: str, secret: bytes, *, lease_id: str, client_id: str | None, now: float
) -> LeaseClaims:
    """Verify a token for an action on ``lease_id`` by ``client_id`` at ``now``.

    Forged or altered → 403; another lease's or another client's → 403; past the
    maximum → 410.
    """
    claims = verify(token, secret)
    if claims.lease_id != lease_id:
        raise Forbidden("lease token belongs to another lease", code="wrong_lease")
    if client_id is not None and not hmac.compare_digest(claims.client_id, client_id):
        raise Forbidden("this lease belongs to another visitor", code="not_your_lease")
    if not claims.is_within_maximum(now):
        raise LeaseGone("the lease is past its maximum length; take a new frame")
    return claims
