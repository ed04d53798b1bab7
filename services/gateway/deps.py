"""gateway's composition root: the clients it opens once, and their route aliases."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends

from services.gateway.settings import GatewaySettings
from shared.aws import AwsClients, open_aws_clients
from shared.correlation import propagate_request_id
from shared.service import app_state


@dataclass
class GatewayDeps:
    """Everything gateway talks to. Tests build one with fakes."""

    aws: AwsClients
    http: httpx.AsyncClient


async def open_deps(settings: GatewaySettings, stack: AsyncExitStack) -> GatewayDeps:
    """Open the real clients; they close with ``stack``."""
    aws = await open_aws_clients(settings, stack)
    timeout = httpx.Timeout(
        settings.http_read_timeout_seconds, connect=settings.http_connect_timeout_seconds
    )
    http = await stack.enter_async_context(
        httpx.AsyncClient(timeout=timeout, event_hooks={"request": [propagate_request_id]})
    )
    return GatewayDeps(aws=aws, http=http)


Deps = Annotated[GatewayDeps, Depends(app_state("deps"))]
Settings = Annotated[GatewaySettings, Depends(app_state("settings"))]
