"""The gateway's cookies: the visitor's client id (an HttpOnly, SameSite=Lax cookie minted
on the first visit, by a middleware) and the lease cookie the routes set."""

from __future__ import annotations

import re
import secrets

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class ClientIdMiddleware:
    """Gives every visitor a client id; routes read it from ``scope["state"]``."""

    def __init__(self, app: ASGIApp, *, max_age_seconds: int, secure: bool) -> None:
        self.app = app
        self.max_age_seconds = max_age_seconds
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        existing = HTTPConnection(scope).cookies.get(CLIENT_COOKIE, "")
        client_id = existing if is_client_id(existing) else secrets.token_urlsafe(18)
        state = scope.setdefault("state", {})
        state["client_id"] = client_id

        async def send_with_cookie(message: Message) -> None:
            # A keep-my-frames link may have switched the visitor (routes/me.py).
            client_id = state["client_id"]
            if message["type"] == "http.response.start" and client_id != existing:
                cookie = set_cookie_header(
                    CLIENT_COOKIE, client_id, max_age=self.max_age_seconds, secure=self.secure
                )
                message.setdefault("headers", []).append((b"set-cookie", cookie))
            await send(message)

        await self.app(scope, receive, send_with_cookie)
