"""Browser security for the gateway: response headers and a same-origin rule for writes.

The Content-Security-Policy allows only this origin, plus ``blob:``/``data:`` images and
media for the camera preview and the captured photo, and frames from the featured video
host's player origin when there is one (``GATEWAY_FEATURED_PLAYER``). State-changing API
calls from a browser must come from our own pages: a cross-site ``Origin`` or
``Sec-Fetch-Site`` is refused with 403, so other sites cannot lease or submit on a
visitor's behalf.
Calls without either header (curl, other services) are not browsers and pass.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.core.dependencies import own_origin
from shared.errors import error_body

_POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
    (b"x-frame-options", b"DENY"),
]
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SAME_SITE_FETCH = frozenset({"same-origin", "none"})


def content_security_policy(frame_origins: tuple[str, ...]) -> bytes:
    """The CSP, allowing frames (an embedded video player) from ``frame_origins`` only."""
    frames = [f"frame-src {' '.join(frame_origins)}"] if frame_origins else []
    return "; ".join(_POLICY + frames).encode()


def is_cross_site_write(method: str, headers: Headers, own_origin: str) -> bool:
    """True for a state-changing request a browser sent from another site."""
    if method in _SAFE_METHODS:
        return False
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in _SAME_SITE_FETCH:
        return True
    origin = headers.get("origin")
    return origin is not None and origin != own_origin


class BrowserSecurityMiddleware:
    """Adds the security headers to every answer and refuses cross-site writes."""

    def __init__(self, app: ASGIApp, frame_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.headers = [(b"content-security-policy", content_security_policy(frame_origins))]
        self.headers += SECURITY_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).extend(self.headers)
            await send(message)

        headers = Headers(scope=scope)
        if is_cross_site_write(scope["method"], headers, own_origin(scope, headers)):
            refusal = JSONResponse(
                error_body("cross_site_request", "this action is only allowed from our own pages"),
                status_code=403,
            )
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
