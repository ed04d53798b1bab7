"""The renderer's composition root, the one module that sees every wing: the clients and
encoding processes it opens once, wired into the core's use cases through the encoding
and publishing wings' adapters."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx

from services.renderer.encoding.adapters.pyav import (
    FragmentEncoder,
    PoolSegmentEncoder,
    SegmentRenderer,
)
from services.renderer.encoding.adapters.sqs import SqsSegmentFarm
from services.renderer.encoding.ports import SegmentFarm
from services.renderer.encoding.usecases import SegmentWorker
from services.renderer.publishing.adapters.blip import BlipPublisher
from services.renderer.publishing.adapters.s3 import S3ClipPublisher
from services.renderer.publishing.adapters.vimeo import VimeoPublisher
from services.renderer.renders.adapters.diskcache import DiskBlobCache
from services.renderer.renders.adapters.dynamo import DynamoSlotStore
from services.renderer.renders.clips import EncodingPrefs
from services.renderer.renders.ports import ClipPublisher, Lock
from services.renderer.renders.scheduling import RenderPolicy
from services.renderer.renders.usecases import Renderer
from services.renderer.settings import RendererSettings
from shared.aws import AwsClients, open_aws_clients
from shared.locks import DynamoLock
from shared.metrics import Tally
from shared.objects import S3ObjectStore
from shared.queues import SqsQueueSender


@dataclass
class RendererDeps:
    """Everything renderer talks to, and its use cases. Tests build one with ``build_deps``."""

    aws: AwsClients
    store: S3ObjectStore
    slots: DynamoSlotStore
    cache: DiskBlobCache
    s3_publisher: S3ClipPublisher
    renderer: Renderer


def build_deps(
    settings: RendererSettings, aws: AwsClients, pool: Executor, http: httpx.AsyncClient | None
) -> RendererDeps:
    """Wire the renderer from opened clients (the real ones or a test's)."""
    store = S3ObjectStore(aws.s3, settings.media_bucket)
    slots = DynamoSlotStore(aws.dynamodb, settings.slots_table)
    cache = DiskBlobCache(store, settings.work_dir / "cache", settings.cache_max_bytes)
    s3_publisher = S3ClipPublisher(store, settings.retained_versions)
    publishers: list[ClipPublisher] = []
    if "s3" in settings.publishers:
        publishers.append(s3_publisher)
    if "blip" in settings.publishers and http is not None:
        publishers.append(BlipPublisher(http, settings, slots))
    if "vimeo" in settings.publishers:
        publishers.append(VimeoPublisher(store, settings))

    def lock_for(name: str) -> Lock:
        return DynamoLock(aws.dynamodb, settings.slots_table, name, settings.render_lock_seconds)

    renderer = Renderer(
        store,
        slots,
        cache,
        SegmentRenderer(
            settings.work_dir / "videos",
            pool,
            settings.encode_processes,
            segment_farm(settings, aws),
        ),
        publishers,
        lock_for,
        EncodingPrefs(
            settings.x264_preset,
            settings.x264_crf,
            settings.x264_threads,
            settings.segment_seconds,
            settings.ladder_heights,
        ),
        RenderPolicy(
            settings.render_mode,
            settings.min_interval_seconds,
            settings.max_delay_seconds,
            settings.schedule_interval_seconds,
            settings.publish_retry_seconds,
        ),
        observer=Tally(),
    )
    return RendererDeps(aws, store, slots, cache, s3_publisher, renderer)


def segment_farm(settings: RendererSettings, aws: AwsClients) -> SegmentFarm | None:
    """The encoder workers behind the segments queue when fan-out is on."""
    if not settings.fan_out:
        return None
    return SqsSegmentFarm(
        SqsQueueSender(aws),
        S3ObjectStore(aws.s3, settings.media_bucket),
        settings.segments_queue,
        stall_seconds=settings.fan_out_stall_seconds,
        poll_seconds=settings.fan_out_poll_seconds,
        order_ttl_seconds=settings.fan_out_order_ttl_seconds,
    )


@dataclass
class WorkerDeps:
    """An encoder worker's clients and its use case."""

    aws: AwsClients
    worker: SegmentWorker


def build_worker_deps(settings: RendererSettings, aws: AwsClients, pool: Executor) -> WorkerDeps:
    """Wire an encoder worker from opened clients; its files live under ``work_dir/worker``."""
    store = S3ObjectStore(aws.s3, settings.media_bucket)
    home = settings.work_dir / "worker"
    cache = DiskBlobCache(store, home / "cache", settings.cache_max_bytes)
    local = PoolSegmentEncoder(pool, settings.encode_processes)
    encoder = FragmentEncoder(local, home / "scratch", cache.fetch_all)
    return WorkerDeps(aws, SegmentWorker(store, encoder))


def open_pool(settings: RendererSettings, stack: AsyncExitStack) -> Executor:
    """The encoding processes; they stop with ``stack``."""
    # Spawned, not forked: the service process has threads (event loop, aiobotocore).
    pool = ProcessPoolExecutor(
        settings.encode_processes, mp_context=multiprocessing.get_context("spawn")
    )
    stack.callback(pool.shutdown, cancel_futures=True)
    return pool


async def open_worker_deps(settings: RendererSettings, stack: AsyncExitStack) -> WorkerDeps:
    """Open an encoder worker's clients and processes; they close with ``stack``."""
    aws = await open_aws_clients(settings, stack)
    return build_worker_deps(settings, aws, open_pool(settings, stack))


async def open_deps(settings: RendererSettings, stack: AsyncExitStack) -> RendererDeps:
    """Open the real clients and the encoding workers; they close with ``stack``."""
    aws = await open_aws_clients(settings, stack)
    pool = open_pool(settings, stack)
    http = await stack.enter_async_context(httpx.AsyncClient(timeout=settings.blip_timeout_seconds))
    return build_deps(settings, aws, pool, http)
