"""ingest's composition root: the clients it opens once, and their route aliases."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.ingest.pool import ImagePool
from services.ingest.settings import IngestSettings
from services.ingest.storage import S3SubmissionStore, SqsAnnouncer, SqsLeaseFinisher
from services.ingest.submissions import Ingestor
from shared.aws import AwsClients, open_aws_clients
from shared.service import app_state


@dataclass
class IngestDeps:
    """Everything ingest talks to. Tests build one with fakes."""

    aws: AwsClients
    ingestor: Ingestor


async def open_deps(settings: IngestSettings, stack: AsyncExitStack) -> IngestDeps:
    """Open the real clients and the image pool; they close with ``stack``."""
    if settings.lease_secret is None:
        raise RuntimeError("OFOF_LEASE_SECRET must be set (shared by gateway and ingest)")
    aws = await open_aws_clients(settings, stack)
    pool = ImagePool(settings.image_workers, settings.max_pixels)
    stack.callback(pool.close)
    ingestor = Ingestor(
        store=S3SubmissionStore(aws, settings.media_bucket, settings.rendition_cache_control),
        frames=SqsLeaseFinisher(aws, settings.frames_queue),
        announcer=SqsAnnouncer(aws, settings.moderation_queue),
        make_renditions=pool.make,
    )
    return IngestDeps(aws=aws, ingestor=ingestor)


Deps = Annotated[IngestDeps, Depends(app_state("deps"))]
Settings = Annotated[IngestSettings, Depends(app_state("settings"))]
