"""Media from the bucket, served by the gateway so the pages stay same-origin.

Only public media is reachable: original frames, the three renditions of a submission
and published clips. Range requests are passed to S3, so the video player can seek.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

from botocore.exceptions import ClientError
from fastapi import APIRouter, Header
from fastapi.responses import Response, StreamingResponse

from services.gateway.deps import Deps, Settings
from shared.aws import error_code, is_missing_object
from shared.errors import DependencyUnavailable, NotFound, error_responses

PUBLIC_KEY = re.compile(
    r"^(originals/[a-z0-9-]+/\d{6}\.jpg"
    r"|submissions/[A-Za-z0-9_-]+/(large|medium|thumb)\.jpg"
    r"|clips/[a-z0-9-]+/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+)$"
)
_RANGE = re.compile(r"^bytes=\d*-\d*$")
CHUNK_BYTES = 256 * 1024
# For objects stored without a Cache-Control of their own.
SHORT_CACHE = "public, max-age=60"

router = APIRouter()


def media_url(key: str) -> str:
    """The gateway URL of a public media object."""
    return f"/media/{key}"


async def _chunks(body: Any) -> AsyncIterator[bytes]:
    try:
        async for chunk in body.iter_chunks(CHUNK_BYTES):
            yield chunk
    finally:
        body.close()


async def stream_object(
    deps: Deps,
    settings: Settings,
    key: str,
    range_header: str | None,
    *,
    not_found: str,
    cache_control: str,
) -> Response:
    """Stream one object of the media bucket, honouring a byte range.

    ``cache_control`` applies when the object carries none of its own.
    """
    kwargs: dict[str, Any] = {"Bucket": settings.media_bucket, "Key": key}
    if range_header and _RANGE.match(range_header):
        kwargs["Range"] = range_header
    try:
        answer = await deps.aws.s3.get_object(**kwargs)
    except ClientError as exc:
        if is_missing_object(exc) or error_code(exc) == "InvalidRange":
            raise NotFound(not_found) from exc
        raise DependencyUnavailable("s3", "the media store did not answer") from exc
    headers = {
        "Content-Length": str(answer["ContentLength"]),
        "Accept-Ranges": "bytes",
        "Cache-Control": answer.get("CacheControl") or cache_control,
    }
    if "ContentRange" in answer:
        headers["Content-Range"] = answer["ContentRange"]
    return StreamingResponse(
        _chunks(answer["Body"]),
        status_code=206 if "ContentRange" in answer else 200,
        media_type=answer.get("ContentType") or "application/octet-stream",
        headers=headers,
    )


@router.get(
    "/media/{key:path}",
    response_class=Response,
    responses=error_responses(404, 503, _206={"description": "Part of the object"}),
)
async def media(
    key: str, deps: Deps, settings: Settings, range: Annotated[str | None, Header()] = None
) -> Response:
    """A public media object (image or clip), with HTTP range support."""
    if not PUBLIC_KEY.match(key):
        raise NotFound("no such media")
    return await stream_object(
        deps, settings, key, range, not_found="no such media", cache_control=SHORT_CACHE
    )
