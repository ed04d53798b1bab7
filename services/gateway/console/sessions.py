"""Operator console sessions (pure): a signed, expiring cookie value.

Signing in exchanges the operator token for a session: ``{id}.{expires}.{mac}``, where
``id`` is a random label that names the session in the audit log, ``expires`` is epoch
seconds and ``mac`` an HMAC-SHA256 over both with a key derived from the operator token.
Nothing is stored server-side, so any gateway replica accepts it; changing the operator
token ends every session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SESSION_KEY_LABEL = b"ofof-ops-session"


@dataclass(frozen=True)
class OpsSession:
    """A signed-in operator: the session's label (for the audit log) and its end."""

    session_id: str
    expires_at: int


def token_matches(offered: str, token: str) -> bool:
    """Is ``offered`` the operator ``token``? (constant time; no token matches nothing)"""
    return bool(token) and hmac.compare_digest(offered.encode(), token.encode())


def _mac(token: str, payload: str) -> str:
    key = hmac.new(token.encode(), SESSION_KEY_LABEL, hashlib.sha256).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_session(token: str, now: float, lifetime_seconds: int) -> tuple[OpsSession, str]:
    """A fresh session and its cookie value."""
    session = OpsSession(f"ops-{secrets.token_hex(4)}", int(now) + lifetime_seconds)
    payload = f"{session.session_id}.{session.expires_at}"
    return session, f"{payload}.{_mac(token, payload)}"


def session_of(value: str | None, token: str, now: float) -> OpsSession | None:
    """The session a cookie value carries, if it is genuine and has not expired."""
    parts = (value or "").split(".")
    if not token or len(parts) != 3 or not parts[1].isdigit():
        return None
    session_id, expires, mac = parts
    if not hmac.compare_digest(mac, _mac(token, f"{session_id}.{expires}")):
        return None
    return OpsSession(session_id, int(expires)) if int(expires) > now else None
