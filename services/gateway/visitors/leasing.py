"""Lease rules: issue a lease for a slot, recognise a visitor's live one, extend it.

Pure: no I/O; the clock is a parameter. Tokens themselves are :mod:`shared.leases`
(ingest verifies the same ones).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.leases import InvalidToken, LeaseClaims, LeaseGone, authorize, sign, verify
from shared.messages import FrameSlot


@dataclass(frozen=True)
class LeasePolicy:
    """How long a lease lasts, how long it may be kept at most, and its signing secret."""

    secret: bytes
    lease_seconds: int
    max_lease_seconds: int

    def issue(
        self, lease_id: str, slot: FrameSlot, receipt_handle: str, client_id: str, now: float
    ) -> LeaseClaims:
        """The claims of a new lease on ``slot`` for ``client_id``, starting ``now``."""
        return LeaseClaims(
            lease_id=lease_id,
            video=slot.video,
            frame=slot.frame,
            client_id=client_id,
            receipt_handle=receipt_handle,
            issued_at=now,
            expires_at=now + self.lease_seconds,
            max_expires_at=now + self.max_lease_seconds,
        )

    def token(self, claims: LeaseClaims) -> str:
        """The signed token of ``claims``."""
        return sign(claims, self.secret)

    def live(self, token: str | None, client_id: str, now: float) -> LeaseClaims | None:
        """The visitor's lease from a token it holds, if it is theirs and still live."""
        if not token:
            return None
        try:
            claims = verify(token, self.secret)
        except InvalidToken:
            return None
        if claims.client_id != client_id or not claims.is_live(now):
            return None
        return claims

    def authorize(self, token: str, lease_id: str, client_id: str, now: float) -> LeaseClaims:
        """The claims of ``token`` for an action on ``lease_id`` (403 / 410 otherwise)."""
        return authorize(token, self.secret, lease_id=lease_id, client_id=client_id, now=now)

    def extend(self, claims: LeaseClaims, now: float) -> LeaseClaims:
        """The claims after a heartbeat at ``now``; LeaseGone once the maximum is reached."""
        extended = claims.extended(now, self.lease_seconds)
        if remaining_seconds(extended, now) <= 0:
            raise LeaseGone("the lease reached its maximum length; take a new frame")
        return extended


def remaining_seconds(claims: LeaseClaims, now: float) -> int:
    """Whole seconds the slot stays reserved from ``now`` (the queue's visibility)."""
    return int(claims.expires_at - now)
