"""The gateway's composition root, the only module that sees every wing: the clients it
opens once, the adapters over them, and each wing's use-case object over its ports.

Tests build :class:`GatewayPorts` of fakes and call :func:`compose` with them.
"""

from __future__ import annotations

import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from services.gateway.console.adapters.moderation_desk import HttpModerationDesk
from services.gateway.console.adapters.renderer_control import HttpRenderControl
from services.gateway.console.adapters.s3_audit import S3AuditLog
from services.gateway.console.adapters.sqs_depths import SqsQueueDepths
from services.gateway.console.ports import (
    AuditLog,
    ConsolePorts,
    ModerationDesk,
    QueueDepths,
    RenderControl,
)
from services.gateway.console.usecases import Console
from services.gateway.contributors.ports import ContributorPorts, ContributorReviews
from services.gateway.contributors.usecases import Contributors
from services.gateway.core.adapters.moderation_reviews import HttpModerationReviews
from services.gateway.core.adapters.service_client import ServiceClient
from services.gateway.core.ports import Clock, CorePorts, ReviewsReader
from services.gateway.core.usecases import Showcase
from services.gateway.settings import GatewaySettings
from services.gateway.visitors.adapters.ingest_api import HttpIngestClient
from services.gateway.visitors.adapters.moderation_reports import HttpReportDesk
from services.gateway.visitors.adapters.sqs_frames import SqsFrameQueue
from services.gateway.visitors.ports import FrameQueue, PhotoIntake, ReportDesk, VisitorPorts
from services.gateway.visitors.usecases import ReportIntake, Visitors
from shared.aws import AwsClients, open_aws_clients
from shared.correlation import propagate_request_id
from shared.metrics import Tally
from shared.objects import ObjectStore, S3ObjectStore


class ModerationReviews(ReviewsReader, ContributorReviews, Protocol):
    """Moderation's reviews API, as the showcase reads it and contributors use it."""


@dataclass(frozen=True)
class GatewayPorts:
    """Every port of every wing; :func:`open_deps` builds the real ones, tests fakes."""

    frames: FrameQueue
    ingest: PhotoIntake
    reviews: ModerationReviews
    objects: ObjectStore
    reports: ReportDesk
    desk: ModerationDesk
    renders: RenderControl
    queues: QueueDepths
    audit: AuditLog


@dataclass
class GatewayDeps:
    """What the app holds: the AWS clients (for readiness) and each wing's use cases."""

    aws: AwsClients | None
    showcase: Showcase
    visitors: Visitors
    reports: ReportIntake
    contributors: Contributors
    console: Console
    # Where the use cases report domain events; /metrics reads it.
    tally: Tally = field(default_factory=Tally)


def compose(
    ports: GatewayPorts,
    settings: GatewaySettings,
    *,
    aws: AwsClients | None = None,
    clock: Clock = time.time,
    monotonic: Clock = time.monotonic,
    tally: Tally | None = None,
) -> GatewayDeps:
    """Each wing's use cases over ``ports``. ``clock`` gives epoch seconds, ``monotonic``
    the ages of cached answers; tests pass one fake clock for both."""
    tally = tally or Tally()
    showcase = Showcase(CorePorts(ports.reviews, ports.objects), settings, monotonic)
    visitor_ports = VisitorPorts(ports.frames, ports.ingest, ports.objects)
    console_ports = ConsolePorts(ports.desk, ports.renders, ports.queues, ports.audit)
    return GatewayDeps(
        aws=aws,
        showcase=showcase,
        visitors=Visitors(visitor_ports, showcase, settings, clock, observer=tally),
        reports=ReportIntake(ports.reports, settings, clock, observer=tally),
        contributors=Contributors(
            ContributorPorts(ports.reviews, ports.objects), showcase, settings, clock, monotonic
        ),
        console=Console(console_ports, showcase, settings, clock, observer=tally),
        tally=tally,
    )


async def open_deps(settings: GatewaySettings, stack: AsyncExitStack) -> GatewayDeps:
    """Open the real clients; they close with ``stack``."""
    aws = await open_aws_clients(settings, stack)
    timeout = httpx.Timeout(
        settings.http_read_timeout_seconds, connect=settings.http_connect_timeout_seconds
    )
    http = await stack.enter_async_context(
        httpx.AsyncClient(timeout=timeout, event_hooks={"request": [propagate_request_id]})
    )
    token = settings.operator_token
    moderation = ServiceClient(http, settings.moderation_url, "moderation")
    operator = ServiceClient(http, settings.moderation_url, "moderation", token=token)
    renderer = ServiceClient(http, settings.renderer_url, "renderer", token=token)
    ingest = ServiceClient(
        http, settings.ingest_url, "ingest", retry_seconds=settings.ingest_retry_seconds
    )
    objects = S3ObjectStore(aws.s3, settings.media_bucket)
    ports = GatewayPorts(
        frames=SqsFrameQueue(aws, settings.frames_queue),
        ingest=HttpIngestClient(ingest),
        reviews=HttpModerationReviews(moderation),
        objects=objects,
        reports=HttpReportDesk(operator),
        desk=HttpModerationDesk(operator),
        renders=HttpRenderControl(renderer),
        queues=SqsQueueDepths(aws),
        audit=S3AuditLog(objects),
    )
    return compose(ports, settings, aws=aws)
