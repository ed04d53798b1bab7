"""ingest's composition root: the clients it opens once, wired into its use case."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field

from services.ingest.adapters.pool import ProcessPoolPhotoProcessor
from services.ingest.adapters.s3 import S3SubmissionStore
from services.ingest.adapters.sqs import SqsAnnouncer, SqsLeaseFinisher
from services.ingest.claims import SubmissionLocks
from services.ingest.ports import PhotoProcessor
from services.ingest.settings import IngestSettings
from services.ingest.usecases import Ingestor
from shared.aws import AwsClients, open_aws_clients
from shared.metrics import Tally
from shared.objects import S3ObjectStore
from shared.queues import SqsQueueSender


@dataclass
class IngestDeps:
    """Everything ingest talks to. Tests build one with fakes."""

    aws: AwsClients
    ingestor: Ingestor
    # Where the use case reports uploads; /metrics reads it.
    tally: Tally = field(default_factory=Tally)


async def open_deps(settings: IngestSettings, stack: AsyncExitStack) -> IngestDeps:
    """Open the real clients and the photo processes; they close with ``stack``."""
    if settings.lease_secret is None:
        raise RuntimeError("OFOF_LEASE_SECRET must be set (shared by gateway and ingest)")
    aws = await open_aws_clients(settings, stack)
    photos = ProcessPoolPhotoProcessor(settings.image_workers, settings.max_pixels)
    stack.callback(photos.close)
    await photos.warm_up()
    tally = Tally()
    return IngestDeps(aws=aws, ingestor=build_ingestor(settings, aws, photos, tally), tally=tally)


def build_ingestor(
    settings: IngestSettings, aws: AwsClients, photos: PhotoProcessor, tally: Tally | None = None
) -> Ingestor:
    """The use case over the real adapters (reporting to ``tally``)."""
    objects = S3ObjectStore(aws.s3, settings.media_bucket)
    return Ingestor(
        store=S3SubmissionStore(objects, settings.rendition_cache_control),
        frames=SqsLeaseFinisher(aws, settings.frames_queue),
        announcer=SqsAnnouncer(SqsQueueSender(aws), settings.moderation_queue),
        photos=photos,
        locks=SubmissionLocks(settings.submission_wait_seconds),
        announce_grace_seconds=settings.announce_grace_seconds,
        observer=tally or Tally(),
    )
