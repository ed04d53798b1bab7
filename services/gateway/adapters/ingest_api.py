"""Handing a verified photo to ingest over its HTTP API."""

from __future__ import annotations

import httpx

from services.gateway.ports import PhotoUpload
from shared.errors import DependencyUnavailable, error_for_status
from shared.retry import is_transient_http_error, transient_retry


class HttpIngestClient:
    """:class:`~services.gateway.ports.PhotoIntake` over HTTP.

    Transient failures are retried for ``retry_seconds`` (ingest is idempotent per lease).
    """

    def __init__(self, http: httpx.AsyncClient, base_url: str, retry_seconds: float) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.retry_seconds = retry_seconds

    async def submit(self, upload: PhotoUpload) -> None:
        try:
            async for attempt in transient_retry(
                is_transient_http_error, max_elapsed_seconds=self.retry_seconds
            ):
                with attempt:
                    answer = await self._put(upload)
                    if answer.status_code in (502, 503, 504):
                        answer.raise_for_status()
        except httpx.HTTPError as exc:
            raise DependencyUnavailable(
                "ingest", "the photo store is unavailable; try again"
            ) from exc
        if answer.status_code >= 400:
            raise _relayed(answer)

    async def _put(self, upload: PhotoUpload) -> httpx.Response:
        params = {"display_name": upload.display_name} if upload.display_name else {}
        return await self.http.put(
            f"{self.base_url}/submissions/{upload.lease_id}",
            content=upload.body,
            params=params,
            headers={"Content-Type": upload.content_type, "X-Lease-Token": upload.token},
        )


def _relayed(answer: httpx.Response) -> Exception:
    try:
        body = answer.json()
        code, detail = str(body["error"]), str(body["detail"])
    except (ValueError, KeyError, TypeError):
        code, detail = "ingest_error", f"ingest answered {answer.status_code}"
    if answer.status_code >= 500:
        return DependencyUnavailable("ingest", detail)
    return error_for_status(answer.status_code, code, detail)
