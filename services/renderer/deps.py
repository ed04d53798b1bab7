"""renderer's composition root: the clients and workers it opens once, and route aliases."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends

from services.renderer.blip import BlipPublisher
from services.renderer.blobstore import S3BlobStore
from services.renderer.cache import DiskBlobCache
from services.renderer.publishing import ClipPublisher, S3ClipPublisher
from services.renderer.rendering import SegmentRenderer
from services.renderer.renders import RenderService
from services.renderer.scheduler import RenderScheduler
from services.renderer.scheduling import RenderPolicy
from services.renderer.settings import RendererSettings
from services.renderer.slotstore import DynamoSlotStore
from shared.aws import AwsClients, open_aws_clients
from shared.locks import DynamoLock
from shared.service import app_state


@dataclass
class RendererDeps:
    """Everything renderer talks to. Tests build one with ``build_deps``."""

    aws: AwsClients
    store: S3BlobStore
    slots: DynamoSlotStore
    cache: DiskBlobCache
    s3_publisher: S3ClipPublisher
    service: RenderService
    scheduler: RenderScheduler


def build_deps(
    settings: RendererSettings, aws: AwsClients, pool: Executor, http: httpx.AsyncClient | None
) -> RendererDeps:
    """Wire the renderer from opened clients (the real ones or a test's)."""
    store = S3BlobStore(aws.s3, settings.media_bucket)
    slots = DynamoSlotStore(aws.dynamodb, settings.slots_table)
    cache = DiskBlobCache(store, settings.work_dir / "cache", settings.cache_max_bytes)
    s3_publisher = S3ClipPublisher(store, settings.retained_versions)
    publishers: list[ClipPublisher] = []
    if "s3" in settings.publishers:
        publishers.append(s3_publisher)
    if "blip" in settings.publishers and http is not None:
        publishers.append(BlipPublisher(http, settings, slots))
    renderer = SegmentRenderer(settings.work_dir / "videos", pool, settings.encode_processes)
    service = RenderService(
        settings,
        store,
        slots,
        cache,
        renderer,
        publishers,
        lambda name: DynamoLock(
            aws.dynamodb, settings.slots_table, name, settings.render_lock_seconds
        ),
    )
    policy = RenderPolicy(
        settings.render_mode,
        settings.min_interval_seconds,
        settings.max_delay_seconds,
        settings.schedule_interval_seconds,
    )
    scheduler = RenderScheduler(service, policy, settings.publish_retry_seconds)
    return RendererDeps(aws, store, slots, cache, s3_publisher, service, scheduler)


async def open_deps(settings: RendererSettings, stack: AsyncExitStack) -> RendererDeps:
    """Open the real clients and the encoding workers; they close with ``stack``."""
    aws = await open_aws_clients(settings, stack)
    # Spawned, not forked: the service process has threads (event loop, aiobotocore).
    pool = ProcessPoolExecutor(
        settings.encode_processes, mp_context=multiprocessing.get_context("spawn")
    )
    stack.callback(pool.shutdown, cancel_futures=True)
    http = await stack.enter_async_context(httpx.AsyncClient(timeout=settings.blip_timeout_seconds))
    return build_deps(settings, aws, pool, http)


Deps = Annotated[RendererDeps, Depends(app_state("deps"))]
Settings = Annotated[RendererSettings, Depends(app_state("settings"))]
