"""Reading an uploaded photo within limits: bytes, content type and time.

Shared by the gateway (the public edge) and ingest (which checks again, since it must
not trust its caller for its own safety).

The body is streamed and counted as it arrives, so an oversized upload is refused after
at most ``max_bytes`` + one chunk, never buffered whole; a body that arrives too slowly
is cut off when the deadline passes.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.requests import Request

from shared.errors import PayloadTooLarge, RequestTimeout, Unprocessable, UnsupportedMediaType

# The defaults of both services' limits (GATEWAY_/INGEST_MAX_UPLOAD_BYTES and
# _UPLOAD_TIMEOUT_SECONDS), spelled once: ingest must accept what the gateway passes on.
MAX_PHOTO_BYTES = 8 * 1024 * 1024
PHOTO_UPLOAD_SECONDS = 30.0

ALLOWED_PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")

# ``openapi_extra`` of a route that reads its photo with ``read_photo``: the route takes
# no pydantic body, so without this its spec would say it accepts no body at all.
PHOTO_REQUEST_BODY: dict[str, object] = {
    "requestBody": {
        "required": True,
        "description": "The photo's raw bytes",
        "content": {
            t: {"schema": {"type": "string", "format": "binary"}} for t in ALLOWED_PHOTO_TYPES
        },
    }
}


def photo_content_type(header: str | None) -> str:
    """The media type of an upload's ``Content-Type``; 415 unless it is a photo type."""
    media_type = (header or "").split(";", 1)[0].strip().lower()
    if media_type not in ALLOWED_PHOTO_TYPES:
        allowed = ", ".join(ALLOWED_PHOTO_TYPES)
        raise UnsupportedMediaType(f"send the photo as one of {allowed}, not {media_type!r}")
    return media_type


def check_declared_length(header: str | None, max_bytes: int) -> None:
    """413 at once when ``Content-Length`` already says the body is too big."""
    if header and header.isdigit() and int(header) > max_bytes:
        raise PayloadTooLarge(f"the photo is larger than {max_bytes} bytes")


async def read_bounded(
    chunks: AsyncIterator[bytes], max_bytes: int, timeout_seconds: float
) -> bytes:
    """The whole body, or 413 past ``max_bytes`` / 408 past ``timeout_seconds``."""
    parts: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout_seconds):
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(f"the photo is larger than {max_bytes} bytes")
                parts.append(chunk)
    except TimeoutError as exc:
        raise RequestTimeout(f"the photo did not arrive within {timeout_seconds:g} s") from exc
    return b"".join(parts)


@dataclass(frozen=True)
class PhotoBody:
    """An uploaded photo's bytes and declared media type, read within the limits."""

    content_type: str
    data: bytes


async def read_photo(request: Request, max_bytes: int, timeout_seconds: float) -> PhotoBody:
    """The one photo-body check: 415 for a non-photo type, 413 past ``max_bytes`` (declared
    or counted), 408 past ``timeout_seconds``, 422 for an empty body."""
    content_type = photo_content_type(request.headers.get("content-type"))
    check_declared_length(request.headers.get("content-length"), max_bytes)
    data = await read_bounded(request.stream(), max_bytes, timeout_seconds)
    if not data:
        raise Unprocessable("the photo is empty", code="unusable_image")
    return PhotoBody(content_type, data)


MAX_DISPLAY_NAME_CHARS = 40


def clean_display_name(raw: str | None) -> str | None:
    """The credit a visitor asked for: control characters removed, trimmed, ≤ 40 chars."""
    if raw is None:
        return None
    cleaned = "".join(ch for ch in raw if unicodedata.category(ch) not in ("Cc", "Cf"))
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > MAX_DISPLAY_NAME_CHARS:
        raise Unprocessable(
            f"display_name is {len(cleaned)} characters; the limit is {MAX_DISPLAY_NAME_CHARS}",
            code="display_name_too_long",
        )
    return cleaned or None
