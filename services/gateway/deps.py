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
from services.gateway.adapters.operator_api import (
    HttpModerationDesk,
    HttpRenderControl,
    OperatorCalls,
)
from services.gateway.adapters.s3_audit import S3AuditLog
from services.gateway.adapters.sqs import SqsFrameQueue
from services.gateway.adapters.sqs_depths import SqsQueueDepths
from services.gateway.console import Console, ReportIntake
from services.gateway.contributions import Contributions
from services.gateway.ports import ConsolePorts, GatewayPorts
from services.gateway.settings import GatewaySettings
from services.gateway.usecases import Gateway
from shared.aws import AwsClients, open_aws_clients
from shared.correlation import propagate_request_id
from shared.errors import Forbidden
from shared.metrics import Tally
from shared.objects import S3ObjectStore
from shared.service import app_state


@dataclass
class GatewayDeps:
    """What the app holds: the AWS clients (for readiness) and the use cases."""

    aws: AwsClients
    gateway: Gateway
    # The operators' console and visitors' reports; None in tests that need neither.
    console: Console | None = None
    reports: ReportIntake | None = None
    # Where the use cases report domain events; /metrics reads it.
    tally: Tally = field(default_factory=Tally)
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
    tally = Tally()
    gateway = Gateway(ports, settings, observer=tally)
    console_ports = ConsolePorts(
        desk=HttpModerationDesk(
            OperatorCalls(http, settings.moderation_url, settings.operator_token, "moderation")
        ),
        renders=HttpRenderControl(
            OperatorCalls(http, settings.renderer_url, settings.operator_token, "renderer")
        ),
        queues=SqsQueueDepths(aws),
        audit=S3AuditLog(ports.objects),
    )
    return GatewayDeps(
        aws=aws,
        gateway=gateway,
        console=Console(console_ports, gateway, settings, observer=tally),
        reports=ReportIntake(console_ports, settings, observer=tally),
        tally=tally,
    )


def gateway_of(request: Request) -> Gateway:
    """The use-case object of the running app."""
    deps: GatewayDeps = request.app.state.deps
    return deps.gateway


def contributions_of(request: Request) -> Contributions:
    """The contributor use cases of the running app."""
    deps: GatewayDeps = request.app.state.deps
    return deps.contributions


def console_of(request: Request) -> Console:
    """The console of the running app (403 when it has none)."""
    deps: GatewayDeps = request.app.state.deps
    if deps.console is None:
        raise Forbidden("the operators' console is disabled")
    return deps.console


def reports_of(request: Request) -> ReportIntake:
    """Where visitors' reports go (403 when the app has none)."""
    deps: GatewayDeps = request.app.state.deps
    if deps.reports is None:
        raise Forbidden("reports are disabled")
    return deps.reports


UseCases = Annotated[Gateway, Depends(gateway_of)]
ContributorCases = Annotated[Contributions, Depends(contributions_of)]
ConsoleCases = Annotated[Console, Depends(console_of)]
Reports = Annotated[ReportIntake, Depends(reports_of)]
Settings = Annotated[GatewaySettings, Depends(app_state("settings"))]
