"""What every wing's routes take from a request, as FastAPI dependencies with
``Annotated`` aliases: the settings, the visitor's client id and address, a wing's
use-case object of the running app; and the origin a page of ours is served from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import Headers
from starlette.types import Scope

from services.gateway.core.cookies import CLIENT_COOKIE, is_client_id
from services.gateway.settings import GatewaySettings
from shared.errors import Unauthorized
from shared.service import app_state


def wing_cases(wing: str) -> Callable[[Request], Any]:
    """A dependency returning the running app's use-case object of ``wing`` (an
    attribute of the deps the composition root built)."""

    def dependency(request: Request) -> Any:
        return getattr(request.app.state.deps, wing)

    return dependency


def client_id_of(request: Request) -> str:
    """The visitor's client id: their cookie's, or the one minted for this first visit
    (``ClientIdMiddleware`` sets it)."""
    client_id: str = request.scope["state"]["client_id"]
    return client_id


def cookie_client_id(request: Request) -> str | None:
    """The client id the visitor's own cookie carries (None on a first visit)."""
    value = request.cookies.get(CLIENT_COOKIE, "")
    return value if is_client_id(value) else None


def own_client_id(request: Request) -> str:
    """The cookie's client id; 401 without one (nothing can be theirs yet)."""
    client_id = cookie_client_id(request)
    if client_id is None:
        raise Unauthorized("this browser has no frames (no visitor cookie)", code="no_client")
    return client_id


def client_ip_of(request: Request) -> str:
    """The visitor's address (the proxy's, unless it is trusted to tell)."""
    return request.client.host if request.client else "unknown"


def own_origin(scope: Scope, headers: Headers) -> str:
    """The origin a page of ours is served from, as the browser sees it."""
    scheme = scope.get("scheme", "http")
    return f"{scheme}://{headers.get('host', '')}"


Settings = Annotated[GatewaySettings, Depends(app_state("settings"))]
ClientId = Annotated[str, Depends(client_id_of)]
CookieClientId = Annotated[str | None, Depends(cookie_client_id)]
OwnClientId = Annotated[str, Depends(own_client_id)]
ClientIp = Annotated[str, Depends(client_ip_of)]
