"""The gateway's cookies: the visitor's client id (an HttpOnly, SameSite=Lax cookie minted
on the first visit by ``web``'s ``ClientIdMiddleware``) and the lease cookie the
visitors' routes set."""

from __future__ import annotations

import re

CLIENT_COOKIE = "ofof_client"
LEASE_COOKIE = "ofof_lease"
_VALID_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def set_cookie_header(
    name: str, value: str, *, max_age: int, secure: bool, path: str = "/", same_site: str = "Lax"
) -> bytes:
    """A ``Set-Cookie`` header value: HttpOnly always, Secure when asked."""
    parts = [
        f"{name}={value}",
        f"Path={path}",
        f"Max-Age={max_age}",
        "HttpOnly",
        f"SameSite={same_site}",
    ]
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


def is_client_id(value: str) -> bool:
    """Could ``value`` be a client id this gateway minted?"""
    return _VALID_CLIENT_ID.match(value) is not None
