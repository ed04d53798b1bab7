"""Media from the bucket, served by the gateway so the pages stay same-origin.

Range requests are passed to the store, so the video player can seek.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response, StreamingResponse

from services.gateway.deps import UseCases
from shared.errors import error_responses
from shared.objects import ObjectStream

# For objects stored without a Cache-Control of their own: originals never change,
# other media (renditions, clip files) may be replaced, so browsers keep them briefly.
ORIGINAL_CACHE = "public, max-age=86400"
SHORT_CACHE = "public, max-age=60"

router = APIRouter()

RangeHeader = Annotated[str | None, Header()]


def streamed(stream: ObjectStream, cache_control: str) -> StreamingResponse:
    """The HTTP answer for an object being read: 206 for a range, else 200.

    ``cache_control`` applies when the object carries none of its own.
    """
    headers = {
        "Content-Length": str(stream.content_length),
        "Accept-Ranges": "bytes",
        "Cache-Control": stream.cache_control or cache_control,
    }
    if stream.content_range:
        headers["Content-Range"] = stream.content_range
    return StreamingResponse(
        stream.chunks,
        status_code=206 if stream.content_range else 200,
        media_type=stream.content_type or "application/octet-stream",
        headers=headers,
    )


@router.get(
    "/api/frames/{video}/{frame}/original",
    response_class=Response,
    responses=error_responses(404, 503, _200={"content": {"image/jpeg": {}}}),
)
async def original_frame(
    video: str, frame: int, gateway: UseCases, range: RangeHeader = None
) -> Response:
    """The original frame of a slot, as a JPEG."""
    return streamed(await gateway.original_frame(video, frame, range), ORIGINAL_CACHE)


@router.get(
    "/media/{key:path}",
    response_class=Response,
    responses=error_responses(404, 503, _206={"description": "Part of the object"}),
)
async def media(key: str, gateway: UseCases, range: RangeHeader = None) -> Response:
    """A public media object (image or clip), with HTTP range support."""
    return streamed(await gateway.media(key, range), SHORT_CACHE)
