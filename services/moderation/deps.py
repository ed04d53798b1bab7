"""moderation's composition root: the clients it opens once, and their route aliases."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends

from services.moderation.adapters.crowdflower import CrowdflowerClient, JobSpec
from services.moderation.adapters.dynamo import DynamoReviewStore
from services.moderation.adapters.dynamo_complaints import DynamoComplaintStore
from services.moderation.adapters.dynamo_jobs import DynamoCrowdJobs
from services.moderation.adapters.dynamo_slots import DynamoSlotRegistry
from services.moderation.adapters.sqs import SqsFramesTransport, SqsVerdictQueues
from services.moderation.feeder import FeedPolicy, QueueNames, SlotFeeder, TransportGuard
from services.moderation.ports import CrowdClient
from services.moderation.reporting import ReportDesk
from services.moderation.settings import ModerationSettings
from services.moderation.usecases import ModerationPolicy, Moderator
from shared.aws import AwsClients, open_aws_clients
from shared.correlation import propagate_request_id
from shared.metrics import Tally
from shared.objects import S3ObjectStore
from shared.queues import SqsQueueSender
from shared.service import app_state


@dataclass
class ModerationDeps:
    """Everything moderation talks to. Tests build one with fakes."""

    aws: AwsClients
    moderator: Moderator
    feeder: SlotFeeder
    guard: TransportGuard
    desk: ReportDesk
    # Where the use cases report domain events; /metrics reads it.
    tally: Tally = field(default_factory=Tally)


def build_moderator(
    settings: ModerationSettings, aws: AwsClients, crowd: CrowdClient, tally: Tally | None = None
) -> Moderator:
    """Wire the moderator to AWS and ``crowd``, reporting to ``tally``."""
    return Moderator(
        store=DynamoReviewStore(aws.dynamodb, settings.reviews_table),
        slots=DynamoSlotRegistry(aws.dynamodb, settings.reviews_table),
        crowd=crowd,
        photos=S3ObjectStore(aws.s3, settings.media_bucket),
        queues=SqsVerdictQueues(SqsQueueSender(aws), settings.render_queue),
        policy=ModerationPolicy(
            verdict_rules=settings.verdict_rules(),
            screening_rules=settings.screening_rules(),
            prescreen_enabled=settings.prescreen_enabled,
            outbox_grace_seconds=settings.outbox_grace_seconds,
            reconcile_concurrency=settings.reconcile_concurrency,
            photo_url_seconds=settings.photo_url_seconds,
            units_per_assignment=settings.crowd_units_per_assignment,
            cents_per_judgment=settings.crowd_payment_cents / settings.crowd_units_per_assignment,
        ),
        crowd_jobs=DynamoCrowdJobs(aws.dynamodb, settings.reviews_table),
        observer=tally,
    )


def build_feeder(
    settings: ModerationSettings, aws: AwsClients, tally: Tally | None = None
) -> SlotFeeder:
    """Wire the feeder to the slot records, the frames queues and the imported videos."""
    return SlotFeeder(
        registry=DynamoSlotRegistry(aws.dynamodb, settings.reviews_table),
        transport=SqsFramesTransport(aws, SqsQueueSender(aws), settings.frames_queue),
        videos=S3ObjectStore(aws.s3, settings.media_bucket),
        policy=FeedPolicy(
            window=settings.feed_window, unsent_grace_seconds=settings.unsent_grace_seconds
        ),
        observer=tally,
    )


async def open_crowd(settings: ModerationSettings, stack: AsyncExitStack) -> CrowdflowerClient:
    """The Crowdflower client, over an httpx client that closes with ``stack``."""
    http = await stack.enter_async_context(
        httpx.AsyncClient(
            base_url=settings.crowd_base_url,
            timeout=httpx.Timeout(settings.crowd_timeout_seconds),
            event_hooks={"request": [propagate_request_id]},
        )
    )
    spec = JobSpec(
        title_prefix=settings.crowd_job_title,
        judgments_per_unit=settings.judgments_per_unit,
        webhook_uri=settings.webhook_url,
        channels=tuple(settings.crowd_channels),
        payment_cents=settings.crowd_payment_cents,
        units_per_assignment=settings.crowd_units_per_assignment,
        max_judgments_per_worker=settings.crowd_max_judgments_per_worker,
    )
    return CrowdflowerClient(
        http,
        settings.crowd_api_key,
        spec,
        key_in_header=settings.crowd_key_in_header,
        retry_seconds=settings.crowd_retry_seconds,
    )


async def open_deps(settings: ModerationSettings, stack: AsyncExitStack) -> ModerationDeps:
    """Open the real clients; they close with ``stack``."""
    aws = await open_aws_clients(settings, stack)
    crowd = await open_crowd(settings, stack)
    return build_deps(settings, aws, crowd)


def build_deps(settings: ModerationSettings, aws: AwsClients, crowd: CrowdClient) -> ModerationDeps:
    """Everything moderation runs, over ``aws`` and ``crowd`` (tests pass a fake crowd)."""
    tally = Tally()
    moderator = build_moderator(settings, aws, crowd, tally)
    return ModerationDeps(
        aws=aws,
        moderator=moderator,
        feeder=build_feeder(settings, aws, tally),
        guard=build_guard(settings, aws, moderator),
        desk=build_desk(settings, aws, moderator),
        tally=tally,
    )


def build_desk(settings: ModerationSettings, aws: AwsClients, moderator: Moderator) -> ReportDesk:
    """Wire the report desk: visitors' reports and the operators' decisions."""
    complaints = DynamoComplaintStore(aws.dynamodb, settings.reviews_table)
    return ReportDesk(moderator, complaints, settings.report_hide_after)


def build_guard(
    settings: ModerationSettings, aws: AwsClients, moderator: Moderator
) -> TransportGuard:
    """Wire the guard that repairs a lost moderation or render queue."""
    return TransportGuard(
        moderator,
        DynamoSlotRegistry(aws.dynamodb, settings.reviews_table),
        SqsFramesTransport(aws, SqsQueueSender(aws), settings.frames_queue),
        S3ObjectStore(aws.s3, settings.media_bucket),
        QueueNames(moderation=settings.moderation_queue, render=settings.render_queue),
    )


Deps = Annotated[ModerationDeps, Depends(app_state("deps"))]
Settings = Annotated[ModerationSettings, Depends(app_state("settings"))]
