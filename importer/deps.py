"""The importer's composition root: AWS clients opened once, adapters, the use case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from importer.ports import ProgressFactory
from importer.usecases import UPLOADS_IN_FLIGHT, VideoImporter, quiet
from shared.aws import AwsClients, open_aws_clients
from shared.objects import S3ObjectStore
from shared.settings import AwsSettings


def build_importer(
    aws: AwsClients,
    settings: AwsSettings,
    progress: ProgressFactory = quiet,
    uploads_in_flight: int = UPLOADS_IN_FLIGHT,
) -> VideoImporter:
    """The importer over the media bucket of ``settings``."""
    return VideoImporter(S3ObjectStore(aws.s3, settings.media_bucket), progress, uploads_in_flight)


@asynccontextmanager
async def open_importer(
    settings: AwsSettings, progress: ProgressFactory, uploads_in_flight: int
) -> AsyncIterator[VideoImporter]:
    """Open the AWS clients and build the importer; the clients close on exit."""
    async with AsyncExitStack() as stack:
        aws = await open_aws_clients(settings, stack)
        yield build_importer(aws, settings, progress, uploads_in_flight)
