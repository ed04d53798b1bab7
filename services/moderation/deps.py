"""moderation's composition root: the clients it opens once, every wing wired over them.

The only module (with :mod:`.app` and :mod:`.jobs`) that sees every wing. It picks the
crowd: Crowdflower always (reviews asked of it stay there), and Mechanical Turk for new
reviews when ``MODERATION_CROWD_PROVIDER=mturk`` (:class:`~.crowd.CrowdChoice`).
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import aioboto3
import httpx

from services.moderation.crowd import CrowdChoice
from services.moderation.crowd.adapters.dynamo_jobs import DynamoCrowdJobs, DynamoHealCounts
from services.moderation.crowd.adapters.links import LINK_TIMEOUT_SECONDS, HttpLinkProbe
from services.moderation.crowd.crowdflower.adapters.api import CrowdflowerClient, JobSpec
from services.moderation.crowd.crowdflower.crowd import CrowdflowerCrowd
from services.moderation.crowd.crowdflower.ports import CrowdClient
from services.moderation.crowd.crowdflower.second_look import SecondLook
from services.moderation.crowd.crowdflower.work import CrowdWork
from services.moderation.crowd.healing import Healings
from services.moderation.crowd.links import PhotoLinks
from services.moderation.crowd.mturk.adapters.api import HitTerms, MturkCrowd
from services.moderation.crowd.mturk.adapters.dynamo import DynamoSpendLedger, DynamoWorkerTrust
from services.moderation.crowd.mturk.hits import Fees, TopUpRules
from services.moderation.crowd.mturk.ports import HitCrowd
from services.moderation.crowd.mturk.work import HitPlan, HitWork
from services.moderation.reports.adapters.dynamo import DynamoReportStore
from services.moderation.reports.desk import ReportDesk
from services.moderation.reviews.adapters.dynamo import DynamoReviewStore
from services.moderation.reviews.adapters.sqs import SqsVerdictQueues
from services.moderation.reviews.contributors import Contributions
from services.moderation.reviews.moderator import ModerationPolicy, Moderator
from services.moderation.reviews.ports import Crowd, LinkProbe
from services.moderation.settings import ModerationSettings
from services.moderation.slots.adapters.dynamo import DynamoSlotRegistry
from services.moderation.slots.adapters.sqs import SqsFramesTransport
from services.moderation.slots.feeder import FeedPolicy, SlotFeeder
from services.moderation.slots.guard import QueueNames, TransportGuard
from shared.aws import AwsClients, client_kwargs, open_aws_clients
from shared.correlation import propagate_request_id
from shared.messages import utcnow
from shared.metrics import Tally
from shared.objects import S3ObjectStore
from shared.queues import SqsQueueSender

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
    # Mechanical Turk's work, when it takes new reviews (its notifications consumer).
    mturk: HitWork | None = None
    # Where the use cases report domain events; /metrics reads it.
    tally: Tally = field(default_factory=Tally)


@dataclass(frozen=True)
class Stores:
    """The adapters over moderation's table, bucket and queues, made once."""

    reviews: DynamoReviewStore
    slots: DynamoSlotRegistry
    photos: S3ObjectStore
    frames: SqsFramesTransport
    # How often forgotten crowd work was re-created (both platforms count here).
    heal_counts: DynamoHealCounts

    @classmethod
    def of(cls, settings: ModerationSettings, aws: AwsClients) -> Stores:
        """The adapters of ``settings``' resources over ``aws``."""
        return cls(
            reviews=DynamoReviewStore(aws.dynamodb, settings.reviews_table),
            slots=DynamoSlotRegistry(aws.dynamodb, settings.reviews_table),
            photos=S3ObjectStore(aws.s3, settings.media_bucket),
            frames=SqsFramesTransport(aws, SqsQueueSender(aws), settings.frames_queue),
            heal_counts=DynamoHealCounts(aws.dynamodb, settings.reviews_table),
        )


def build_deps(
    settings: ModerationSettings,
    aws: AwsClients,
    client: CrowdClient,
    requester: HitCrowd | None = None,
    probe: LinkProbe | None = None,
) -> ModerationDeps:
    """Everything moderation runs, over ``aws`` and the Crowdflower ``client`` (tests
    pass a fake); with ``requester``, new reviews go to Mechanical Turk; with ``probe``,
    photo links are loaded before a crowd task is ordered."""
    tally, stores = Tally(), Stores.of(settings, aws)
    links = None if probe is None else PhotoLinks(probe, tally)
    wiring = CrowdWiring(settings, aws, stores, Healings(stores.heal_counts, tally), tally, links)
    crowds: dict[str, Crowd] = {"crowdflower": build_crowdflower(wiring, client)}
    mturk = None if requester is None else build_mturk(wiring, requester)
    if mturk is not None:
        crowds["mturk"] = mturk
    crowd = CrowdChoice(crowds, "mturk" if mturk is not None else "crowdflower")
    moderator = Moderator(
        store=stores.reviews,
        slots=stores.slots,
        crowd=crowd,
        photos=stores.photos,
        queues=SqsVerdictQueues(SqsQueueSender(aws), settings.render_queue),
        policy=moderation_policy(settings),
        observer=tally,
    )
    return ModerationDeps(
        aws=aws,
        moderator=moderator,
        feeder=build_feeder(settings, stores, tally),
        guard=TransportGuard(
            moderator,
            stores.slots,
            stores.frames,
            stores.photos,
            QueueNames(moderation=settings.moderation_queue, render=settings.render_queue),
        ),
        contributions=Contributions(moderator),
        desk=ReportDesk(
            moderator,
            DynamoReportStore(aws.dynamodb, settings.reviews_table),
            settings.report_hide_after,
        ),
        mturk=mturk,
        tally=tally,
    )


def moderation_policy(settings: ModerationSettings) -> ModerationPolicy:
    """The rules the moderator applies."""
    return ModerationPolicy(
        verdict_rules=settings.verdict_rules(),
        screening_rules=settings.screening_rules(),
        prescreen_enabled=settings.prescreen_enabled,
        outbox_grace_seconds=settings.outbox_grace_seconds,
        reconcile_concurrency=settings.reconcile_concurrency,
        cents_per_judgment=settings.crowd_payment_cents / settings.crowd_units_per_assignment,
    )


@dataclass(frozen=True)
class CrowdWiring:
    """What either crowd adapter is built over, besides its platform's client."""

    settings: ModerationSettings
    aws: AwsClients
    stores: Stores
    healings: Healings
    tally: Tally
    # None: photo links are not loaded before a crowd task is ordered (tests).
    links: PhotoLinks | None = None

    def jobs(self, prefix: str) -> DynamoCrowdJobs:
        """Each video's crowd job (or HIT type) under ``prefix`` in the reviews table."""
        return DynamoCrowdJobs(self.aws.dynamodb, self.settings.reviews_table, prefix=prefix)


def build_crowdflower(wiring: CrowdWiring, client: CrowdClient) -> CrowdflowerCrowd:
    """Crowdflower's review work over its client and moderation's table."""
    settings, reviews = wiring.settings, wiring.stores.reviews
    work = CrowdWork(
        client,
        wiring.jobs("crowdjob"),
        wiring.stores.photos,
        units_per_assignment=settings.crowd_units_per_assignment,
        photo_url_seconds=settings.photo_url_seconds,
        clock=utcnow,
        healings=wiring.healings,
        links=wiring.links,
    )
    again = SecondLook(
        client, work, reviews, settings.verdict_rules(), links=wiring.links, observer=wiring.tally
    )
    return CrowdflowerCrowd(
        client,
        work,
        reviews,
        grace_seconds=settings.outbox_grace_seconds,
        clock=utcnow,
        observer=wiring.tally,
        second_look=again,
    )


def build_mturk(wiring: CrowdWiring, requester: HitCrowd) -> HitWork:
    """Mechanical Turk's review work over its client and moderation's table."""
    settings = wiring.settings
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
        ),
    )
    dynamodb, table = wiring.aws.dynamodb, settings.reviews_table
    return HitWork(
        requester,
        wiring.jobs("hittype"),
        wiring.stores.photos,
        DynamoWorkerTrust(dynamodb, table),
        DynamoSpendLedger(dynamodb, table),
        wiring.stores.reviews,
        plan,
        clock=utcnow,
        healings=wiring.healings,
        links=wiring.links,
    )


def build_feeder(settings: ModerationSettings, stores: Stores, tally: Tally) -> SlotFeeder:
    """The feeder over the slot records, the frames queues and the imported videos."""
    return SlotFeeder(
        registry=stores.slots,
        transport=stores.frames,
        videos=stores.photos,
        policy=FeedPolicy(
            window=settings.feed_window,
            unsent_grace_seconds=settings.unsent_grace_seconds,
            max_lease_seconds=settings.max_lease_seconds,
        ),
        observer=tally,
    )


async def open_crowdflower(
    settings: ModerationSettings, stack: AsyncExitStack
) -> CrowdflowerClient:
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


async def open_deps(settings: ModerationSettings, stack: AsyncExitStack) -> ModerationDeps:
    """Open the real clients; they close with ``stack``."""
    aws = await open_aws_clients(settings, stack)
    client = await open_crowdflower(settings, stack)
    requester = None
    if settings.crowd_provider == "mturk":
        requester = await open_mturk(settings, aws, stack)
    return build_deps(settings, aws, client, requester, await open_link_probe(stack))


async def open_link_probe(stack: AsyncExitStack) -> HttpLinkProbe:
    """The photo-link probe, over an httpx client that closes with ``stack``."""
    http = await stack.enter_async_context(httpx.AsyncClient(timeout=LINK_TIMEOUT_SECONDS))
    return HttpLinkProbe(http)
