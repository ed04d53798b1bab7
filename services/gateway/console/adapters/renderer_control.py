"""The renderer's operator routes, called with the operator token over the one
:class:`~services.gateway.core.adapters.service_client.ServiceClient`."""

from __future__ import annotations

from pydantic import BaseModel

from services.gateway.core.adapters.service_client import ServiceClient
from shared.records import RenderHistory


class RenderRequest(BaseModel):
    """The renderer's ``POST /renders`` body."""

    video: str


class HttpRenderControl:
    """:class:`~services.gateway.console.ports.RenderControl` over the renderer's HTTP API."""

    def __init__(self, calls: ServiceClient) -> None:
        self.calls = calls

    async def history(self, video: str) -> RenderHistory:
        return await self.calls.get("/renders", RenderHistory, {"video": video})

    async def render_now(self, video: str) -> None:
        await self.calls.send("POST", "/renders", body=RenderRequest(video=video))
