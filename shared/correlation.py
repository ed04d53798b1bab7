"""The request id that ties one user action together across services.

Read from ``X-Request-ID`` (or minted) at the HTTP edge, kept in a context variable,
echoed in the response, sent on outgoing HTTP calls and as an SQS message attribute,
and restored from that attribute by queue consumers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_ATTRIBUTE = "RequestId"
# Accept caller ids that are safe to log and echo; anything else is replaced.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def mint_request_id() -> str:
    """A fresh random request id."""
    return uuid.uuid4().hex


def accept_request_id(candidate: str | None) -> str:
    """The caller's id when it is well formed, else a fresh one."""
    if candidate and _VALID_REQUEST_ID.match(candidate):
        return candidate
    return mint_request_id()


def current_request_id() -> str | None:
    """The request id of the work in progress, if any."""
    return request_id_var.get()


class RequestIdMiddleware:
    """ASGI middleware: read or mint ``X-Request-ID``, expose it, echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode())
        request_id = accept_request_id(raw.decode("latin-1") if raw else None)
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != REQUEST_ID_HEADER.lower().encode()
                ]
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


async def propagate_request_id(request: httpx.Request) -> None:
    """httpx request hook: forward the current request id to the next service."""
    request_id = current_request_id()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


def message_attributes() -> dict[str, Any]:
    """SQS ``MessageAttributes`` carrying the current request id (minted if none)."""
    request_id = current_request_id() or mint_request_id()
    return {REQUEST_ID_ATTRIBUTE: {"DataType": "String", "StringValue": request_id}}


def request_id_from_message(message: Mapping[str, Any]) -> str:
    """The request id an SQS message carries, or a fresh one."""
    attribute = message.get("MessageAttributes", {}).get(REQUEST_ID_ATTRIBUTE, {})
    return accept_request_id(attribute.get("StringValue"))
