"""Handing a verified photo to ingest over its HTTP API."""

from __future__ import annotations

from services.gateway.core.adapters.service_client import ServiceClient
from services.gateway.visitors.ports import PhotoUpload


class HttpIngestClient:
    """:class:`~services.gateway.visitors.ports.PhotoIntake` over ingest's HTTP API.

    ``calls`` retries transient failures (ingest is idempotent per lease); ingest's
    refusals of the lease (401, 403, 409, 410, 413, 415, 422, ...) are relayed as they came.
    """

    def __init__(self, calls: ServiceClient) -> None:
        self.calls = calls

    async def submit(self, upload: PhotoUpload) -> None:
        params = {"display_name": upload.display_name} if upload.display_name else None
        await self.calls.send(
            "PUT",
            f"/submissions/{upload.lease_id}",
            content=upload.body,
            params=params,
            headers={"Content-Type": upload.content_type, "X-Lease-Token": upload.token},
        )
