"""Reading a request body within a size bound, and only once the caller is authenticated.

FastAPI reads and parses a route's declared body (``body: Model``, ``Form()``) before it
runs any dependency, so a guard in a dependency comes too late: a 64 MiB body was
parsed before a wrong token was refused. Routes that must check first take the
``Request``, check, then read here; they declare the body for OpenAPI with
:func:`json_body_spec` / :func:`form_body_spec`.

The size bound is checked twice: against ``Content-Length`` before anything is read
(413 at once) and by counting the bytes as they stream in (413 after at most one chunk
past the bound). The time bound is the listener's (``shared.listeners``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.types import Message

from shared.errors import PayloadTooLarge

ModelT = TypeVar("ModelT", bound=BaseModel)


def bounded(request: Request, max_bytes: int) -> Request:
    """``request`` again, whose body raises 413 past ``max_bytes`` (declared or counted)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"the body is larger than {max_bytes} bytes")
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > max_bytes:
            raise PayloadTooLarge(f"the body is larger than {max_bytes} bytes")
        return message

    return Request(request.scope, receive)


async def read_json(request: Request, model: type[ModelT], max_bytes: int) -> ModelT:
    """The body as ``model``: 413 past ``max_bytes``, 422 (FastAPI's shape) when invalid."""
    data = await bounded(request, max_bytes).body()
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        errors = [{**err, "loc": ("body", *err["loc"])} for err in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc


def json_body_spec(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` declaring a required JSON body of (flat) ``model``."""
    schema = model.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def form_body_spec(*fields: str) -> dict[str, Any]:
    """``openapi_extra`` declaring a URL-encoded form body of optional text ``fields``."""
    schema = {"type": "object", "properties": {name: {"type": "string"} for name in fields}}
    media = "application/x-www-form-urlencoded"
    return {"requestBody": {"required": True, "content": {media: {"schema": schema}}}}
