"""gateway's composition root: the clients it opens once, and their route aliases."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from fastapi import Depends

from services.gateway.caching import LastGoodCache
from services.gateway.clips import S3ClipReader
from services.gateway.framequeue import FrameQueue, SqsFrameQueue
from services.gateway.ingestclient import HttpIngestClient, IngestClient
from services.gateway.ratelimits import SlidingWindowLimiter
from services.gateway.reviews import HttpReviewsClient, ReviewsClient
from services.gateway.settings import GatewaySettings
from shared.aws import AwsClients, open_aws_clients
from shared.correlation import propagate_request_id
from shared.service import app_state


@dataclass
class GatewayDeps:
    """Everything gateway talks to. Tests build one with fakes."""

    aws: AwsClients
    frames: FrameQueue
    ingest: IngestClient
    lease_limiter: SlidingWindowLimiter
    reviews: ReviewsClient
    clips: S3ClipReader
    review_cache: LastGoodCache[Any]
    clip_cache: LastGoodCache[Any]
    clock: Callable[[], float] = field(default=time.time)


async def open_deps(settings: GatewaySettings, stack: AsyncExitStack) -> GatewayDeps:
    """Open the real clients; they close with ``stack``."""
    if settings.lease_secret is None:
        raise RuntimeError("OFOF_LEASE_SECRET must be set (shared by gateway and ingest)")
    aws = await open_aws_clients(settings, stack)
    timeout = httpx.Timeout(
        settings.http_read_timeout_seconds, connect=settings.http_connect_timeout_seconds
    )
    http = await stack.enter_async_context(
        httpx.AsyncClient(timeout=timeout, event_hooks={"request": [propagate_request_id]})
    )
    return GatewayDeps(
        aws=aws,
        frames=SqsFrameQueue(aws, settings.frames_queue),
        ingest=HttpIngestClient(http, settings.ingest_url, settings.ingest_retry_seconds),
        lease_limiter=SlidingWindowLimiter(settings.lease_rate_per_minute, 60.0),
        reviews=HttpReviewsClient(http, settings.moderation_url),
        clips=S3ClipReader(aws, settings.media_bucket),
        review_cache=LastGoodCache(
            settings.reviews_cache_seconds, settings.max_stale_seconds, time.monotonic
        ),
        clip_cache=LastGoodCache(
            settings.clip_cache_seconds, settings.max_stale_seconds, time.monotonic
        ),
    )


Deps = Annotated[GatewayDeps, Depends(app_state("deps"))]
Settings = Annotated[GatewaySettings, Depends(app_state("settings"))]
