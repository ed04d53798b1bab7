"""The visitor's client id: minted on the first visit, kept in an HttpOnly, SameSite=Lax
cookie, and read by the routes from ``scope["state"]``."""

from __future__ import annotations

import secrets

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.core.cookies import CLIENT_COOKIE, is_client_id, set_cookie_header


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
            # A keep-my-frames link may have switched the visitor (contributors/routes.py).
            client_id = state["client_id"]
            if message["type"] == "http.response.start" and client_id != existing:
                cookie = set_cookie_header(
                    CLIENT_COOKIE, client_id, max_age=self.max_age_seconds, secure=self.secure
                )
                message.setdefault("headers", []).append((b"set-cookie", cookie))
            await send(message)

        await self.app(scope, receive, send_with_cookie)
