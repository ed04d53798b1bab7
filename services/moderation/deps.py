"""moderation's composition root: the clients it opens once, and their route aliases."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Annotated

import aioboto3
import httpx
from fastapi import Depends

from services.moderation.adapters.crowdflower import CrowdflowerClient, JobSpec
from services.moderation.adapters.dynamo import DynamoReviewStore
from services.moderation.adapters.dynamo_complaints import DynamoComplaintStore
from services.moderation.adapters.dynamo_jobs import DynamoCrowdJobs
from services.moderation.adapters.dynamo_slots import DynamoSlotRegistry
from services.moderation.adapters.dynamo_workers import DynamoCrowdSpend, DynamoWorkerTrust
from services.moderation.adapters.mturk import HitTerms, MturkCrowd
from services.moderation.adapters.sqs import SqsFramesTransport, SqsVerdictQueues
from services.moderation.contributors import Contributions
from services.moderation.feeder import FeedPolicy, QueueNames, SlotFeeder, TransportGuard
from services.moderation.hits import Fees, TopUpRules
from services.moderation.hitwork import HitPlan, HitWork
from services.moderation.ports import CrowdClient, HitCrowd
from services.moderation.reporting import ReportDesk
from services.moderation.settings import ModerationSettings
from services.moderation.usecases import ModerationPolicy, Moderator
from shared.aws import AwsClients, client_kwargs, open_aws_clients
from shared.correlation import propagate_request_id
from shared.messages import utcnow
from shared.metrics import Tally
from shared.objects import S3ObjectStore
from shared.queues import SqsQueueSender
from shared.service import app_state

# Mechanical Turk's requester API exists in this region only.
MTURK_REGION = "us-east-1"


@dataclass
class ModerationDeps:
    """Everything moderation talks to. Tests build one with fakes."""

    aws: AwsClients
    moderator: Moderator
    feeder: SlotFeeder
    guard: TransportGuard
    contributions: Contributions
    desk: ReportDesk
    # Where the use cases report domain events; /metrics reads it.
    tally: Tally = field(default_factory=Tally)


def build_moderator(
    settings: ModerationSettings,
    aws: AwsClients,
    crowd: CrowdClient,
    hit_crowd: HitCrowd | None = None,
    tally: Tally | None = None,
) -> Moderator:
    """Wire the moderator to AWS and ``crowd`` (and Mechanical Turk, when it is given),
    reporting to ``tally``."""
    hits = None if hit_crowd is None else build_hitwork(settings, aws, hit_crowd)
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
        hits=hits,
        observer=tally,
    )


def build_hitwork(settings: ModerationSettings, aws: AwsClients, crowd: HitCrowd) -> HitWork:
    """Wire Mechanical Turk's work to its client and moderation's table."""
    plan = HitPlan(
        assignments=settings.judgments_per_unit,
        reward=settings.mturk_reward_usd,
        fees=Fees(
            rate=settings.mturk_fee_rate,
            big_hit_extra_rate=settings.mturk_big_hit_fee_rate,
            big_hit_assignments=settings.mturk_big_hit_assignments,
            minimum=settings.mturk_min_fee_usd,
        ),
        submit_url=settings.mturk_form_target(),
        photo_url_seconds=settings.photo_url_seconds,
        verdict_rules=settings.verdict_rules(),
        approve_all=settings.mturk_approve_all,
        top_up=TopUpRules(
            max_assignments=settings.mturk_max_assignments,
            big_hit_assignments=settings.mturk_big_hit_assignments,
            lifetime_seconds=settings.mturk_lifetime_seconds,
            photo_url_seconds=settings.photo_url_seconds,
        ),
    )
    table = settings.reviews_table
    return HitWork(
        crowd,
        DynamoCrowdJobs(aws.dynamodb, table, prefix="hittype"),
        S3ObjectStore(aws.s3, settings.media_bucket),
        DynamoWorkerTrust(aws.dynamodb, table),
        DynamoCrowdSpend(aws.dynamodb, table),
        plan,
        clock=utcnow,
    )


async def open_mturk(
    settings: ModerationSettings, aws: AwsClients, stack: AsyncExitStack
) -> MturkCrowd:
    """The Mechanical Turk client (aioboto3's ``mturk``), closing with ``stack``."""
    kwargs = client_kwargs(settings, "sqs")
    # MTurk lives in us-east-1 only, at its own endpoint (never the local AWS's).
    kwargs.update(region_name=MTURK_REGION, endpoint_url=settings.mturk_url())
    client = await stack.enter_async_context(aioboto3.Session().client("mturk", **kwargs))
    terms = HitTerms(
        title=settings.mturk_title,
        description=settings.mturk_description,
        keywords=settings.mturk_keywords,
        reward=settings.mturk_reward_usd,
        assignment_seconds=settings.mturk_assignment_seconds,
        auto_approval_seconds=settings.mturk_auto_approval_seconds,
        lifetime_seconds=settings.mturk_lifetime_seconds,
        assignments=settings.judgments_per_unit,
        notify_queue=settings.mturk_queue,
        qualifications=tuple(q.requirement() for q in settings.mturk_qualifications),
    )
    return MturkCrowd(client, terms, aws.queue_url)


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
    hit_crowd = None
    if settings.crowd_provider == "mturk":
        hit_crowd = await open_mturk(settings, aws, stack)
    return build_deps(settings, aws, crowd, hit_crowd)


def build_deps(
    settings: ModerationSettings,
    aws: AwsClients,
    crowd: CrowdClient,
    hit_crowd: HitCrowd | None = None,
) -> ModerationDeps:
    """Everything moderation runs, over ``aws`` and ``crowd`` (tests pass a fake crowd);
    with ``hit_crowd``, new reviews go to Mechanical Turk (Crowdflower's finish)."""
    tally = Tally()
    moderator = build_moderator(settings, aws, crowd, hit_crowd, tally)
    return ModerationDeps(
        aws=aws,
        moderator=moderator,
        feeder=build_feeder(settings, aws, tally),
        guard=build_guard(settings, aws, moderator),
        contributions=Contributions(moderator),
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
