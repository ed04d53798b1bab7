"""gateway's composition root: the clients it opens once, the adapters over them, the
use-case object, and the route aliases."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends, Request

from services.gateway.adapters.ingest_api import HttpIngestClient
from services.gateway.adapters.moderation_api import HttpReviewsClient
from services.gateway.adapters.sqs import SqsFrameQueue
from services.gateway.contributions import Contributions
from services.gateway.ports import GatewayPorts
from services.gateway.settings import GatewaySettings
from services.gateway.usecases import Gateway
from shared.aws import AwsClients, open_aws_clients
from shared.correlation import propagate_request_id
from shared.objects import S3ObjectStore
from shared.service import app_state


@dataclass
class GatewayDeps:
    """What the app holds: the AWS clients (for readiness) and the use cases."""

    aws: AwsClients
    gateway: Gateway
    # Built over ``gateway``, whose cached reads it shares.
    contributions: Contributions = field(init=False)

    def __post_init__(self) -> None:
        self.contributions = Contributions(self.gateway)


async def open_deps(settings: GatewaySettings, stack: AsyncExitStack) -> GatewayDeps:
    """Open the real clients; they close with ``stack``."""
    aws = await open_aws_clients(settings, stack)
    timeout = httpx.Timeout(
        settings.http_read_timeout_seconds, connect=settings.http_connect_timeout_seconds
    )
    http = await stack.enter_async_context(
        httpx.AsyncClient(timeout=timeout, event_hooks={"request": [propagate_request_id]})
    )
    ports = GatewayPorts(
        frames=SqsFrameQueue(aws, settings.frames_queue),
        ingest=HttpIngestClient(http, settings.ingest_url, settings.ingest_retry_seconds),
        reviews=HttpReviewsClient(http, settings.moderation_url),
        objects=S3ObjectStore(aws.s3, settings.media_bucket),
    )
    return GatewayDeps(aws=aws, gateway=Gateway(ports, settings))


def gateway_of(request: Request) -> Gateway:
    """The use-case object of the running app."""
    deps: GatewayDeps = request.app.state.deps
    return deps.gateway


def contributions_of(request: Request) -> Contributions:
    """The contributor use cases of the running app."""
    deps: GatewayDeps = request.app.state.deps
    return deps.contributions


UseCases = Annotated[Gateway, Depends(gateway_of)]
ContributorCases = Annotated[Contributions, Depends(contributions_of)]
Settings = Annotated[GatewaySettings, Depends(app_state("settings"))]
