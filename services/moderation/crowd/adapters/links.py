"""``HttpLinkProbe``: the :class:`~services.moderation.reviews.ports.LinkProbe` adapter.

It loads the first byte of a link (``GET`` with ``Range: bytes=0-0``) the way a worker's
browser would load the image: a presigned S3 URL is signed for ``GET``, so a ``HEAD``
would be refused even when the object is there. 200 or 206 loads; any other answer, a
timeout or a transport error does not (never raised: a link that does not load is an
answer, not a failure).
"""

from __future__ import annotations

from http import HTTPStatus

import httpx

LOADED = frozenset({HTTPStatus.OK, HTTPStatus.PARTIAL_CONTENT})
# A store that does not give a link's first byte within this long is taken as down (the
# task waits for reconcile).
LINK_TIMEOUT_SECONDS = 5.0


class HttpLinkProbe:
    """Loads links over one httpx client (the caller owns and closes it)."""

    def __init__(
        self, http: httpx.AsyncClient, timeout_seconds: float = LINK_TIMEOUT_SECONDS
    ) -> None:
        self.http = http
        self.timeout_seconds = timeout_seconds

    async def loads(self, url: str) -> bool:
        """Does ``url`` load now?"""
        try:
            response = await self.http.get(
                url, headers={"Range": "bytes=0-0"}, timeout=self.timeout_seconds
            )
        except httpx.HTTPError:
            return False
        return response.status_code in LOADED
