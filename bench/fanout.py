"""Fan-out bench: renders through the segments queue with 1 and 2 encoder worker processes.

``python bench/fanout.py [--frames 4500] [--workers 1,2]`` (``make bench`` runs it). A
moto server on loopback plays S3 and SQS; each worker is a real
``python -m services.renderer worker`` process (1 encoding process x 2 x264 threads);
the coordinator is this process with fan-out on (the production ``SegmentRenderer`` +
``SqsSegmentFarm``). The inputs are the 640x360 noisy JPEGs of ``bench/render.py``,
warm in every process's disk cache as after a first render (the coordinator's fetch
reads them in place; each worker's cache is seeded with hard links); the new photo of
the incremental render is stored in S3 and downloaded by the worker like a real one.

Printed: each full render's seconds, the incremental render after one approval with
the workers on (target <= 1/40 of the full render), the measured per-segment worker
cost and coordinator overhead, and a MODEL of N workers built from them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import statistics
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, ExitStack
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from render import CRF, FPS, PRESET, WORK, local_fetch, make_frames, photo_for  # noqa: E402

from services.renderer.encoding.adapters.pyav import SegmentRenderer  # noqa: E402
from services.renderer.encoding.adapters.sqs import SqsSegmentFarm  # noqa: E402
from services.renderer.renders.adapters.diskcache import DiskBlobCache  # noqa: E402
from services.renderer.renders.clips import (  # noqa: E402
    BlobRef,
    ClipInputs,
    EncoderSettings,
    RenderedClip,
    frames_per_segment,
)
from shared.aws import AwsClients, open_aws_clients  # noqa: E402
from shared.bootstrap import bootstrap  # noqa: E402
from shared.objects import S3ObjectStore  # noqa: E402
from shared.queues import SqsQueueSender  # noqa: E402
from shared.settings import AwsSettings  # noqa: E402
from tests.processes import PYTHON, answers, free_port, moto_server, running, wait_for  # noqa: E402
from tests.stack import aws_env  # noqa: E402

SIZE = (640, 360)
THREADS = 2
POLL_SECONDS = 0.1  # the default RENDERER_FAN_OUT_POLL_SECONDS
MODEL_WORKERS = (1, 2, 4, 8, 16, 45, 90)
BENCH = WORK / "fanout"


def aws_fields(endpoint: str) -> dict[str, object]:
    return {
        "aws_endpoint_url": endpoint,
        "aws_access_key_id": "bench",
        "aws_secret_access_key": "bench",
        "aws_region": "us-east-1",
        "media_bucket": "ofof-bench",
        "segments_queue": "ofof-bench-segments",
    }


def seed_cache(folder: Path, paths: dict[BlobRef, Path]) -> None:
    """A worker's disk cache holding every input already (hard links, no copies)."""
    cache = DiskBlobCache(None, folder, 1 << 40)  # type: ignore[arg-type]
    for ref, path in paths.items():
        target = cache.path_of(ref)
        if not target.exists():
            os.link(path, target)


def start_workers(count: int, fields: dict[str, object], paths: dict[BlobRef, Path], exits):
    """``count`` worker processes, ready; their log files."""
    logs = []
    for index in range(count):
        home = BENCH / f"worker-{count}-{index}"
        shutil.rmtree(home, ignore_errors=True)
        seed_cache(home / "worker" / "cache", paths)
        port = free_port()
        env = aws_env(fields) | {
            "RENDERER_WORK_DIR": str(home),
            "RENDERER_WORKER_PORT": str(port),
            "RENDERER_ENCODE_PROCESSES": "1",
            "RENDERER_X264_THREADS": str(THREADS),
        }
        log = BENCH / f"worker-{count}-{index}.log"
        exits.enter_context(
            running([PYTHON, "-m", "services.renderer", "worker"], env=env, log_path=log)
        )
        wait_for(lambda p=port: answers(f"http://127.0.0.1:{p}/readyz"), 60, "worker ready")
        logs.append(log)
    return logs


def worker_seconds(logs: list[Path]) -> list[float]:
    """Seconds each encoded segment took in a worker (fetch, encode, store), from its log."""
    seconds = []
    for log in logs:
        for line in log.read_text().splitlines():
            if '"segment encoded"' in line:
                seconds.append(json.loads(line)["seconds"])
    return seconds


async def render(
    aws: AwsClients, fields: dict[str, object], video: str, inputs: ClipInputs, fetch
) -> RenderedClip:
    store = S3ObjectStore(aws.s3, str(fields["media_bucket"]))
    farm = SqsSegmentFarm(
        SqsQueueSender(aws),
        store,
        str(fields["segments_queue"]),
        stall_seconds=30,  # the default RENDERER_FAN_OUT_STALL_SECONDS
        poll_seconds=POLL_SECONDS,
        order_ttl_seconds=900,
    )
    folder = BENCH / "coordinator"
    # Stragglers only (none expected): one thread of the coordinator's own.
    renderer = SegmentRenderer(folder, ThreadPoolExecutor(1), 1, farm)
    return await renderer.render(replace(inputs, video=video), fetch)


async def one_setup(count, fields, paths, inputs):
    """A full render with ``count`` workers, then (with them still on) an incremental one."""
    with ExitStack() as exits:
        logs = start_workers(count, fields, paths, exits)
        async with AsyncExitStack() as stack:
            aws = await open_aws_clients(AwsSettings(**fields), stack)  # type: ignore[arg-type]
            shutil.rmtree(BENCH / "coordinator", ignore_errors=True)
            full = await render(aws, fields, f"bench{count}", inputs, local_fetch(paths))
            per_segment = worker_seconds(logs)
            incremental = await changed_render(aws, fields, count, inputs, paths)
    return full, per_segment, incremental


async def changed_render(aws, fields, count, inputs, paths):
    """One slot gets a new photo, stored in S3: only its worker downloads it."""
    slot = 2345 % len(inputs.frames)
    photo = photo_for(slot)
    key = f"submissions/bench-{count}/large.jpg"
    await aws.s3.put_object(Bucket=str(fields["media_bucket"]), Key=key, Body=photo.read_bytes())
    head = await aws.s3.head_object(Bucket=str(fields["media_bucket"]), Key=key)
    ref = BlobRef(key, head["ETag"].strip('"'))
    frames = list(inputs.frames)
    frames[slot] = ref
    changed = replace(inputs, frames=tuple(frames))
    again = await render(aws, fields, f"bench{count}", changed, local_fetch(paths | {ref: photo}))
    assert again.encoded_segments == 1, again
    return again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=4500)
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, e.g. 1,2")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    frames_dir = make_frames(args.frames)
    BENCH.mkdir(parents=True, exist_ok=True)
    refs = tuple(BlobRef(f"originals/bench/{n:06d}.jpg", "e") for n in range(args.frames))
    paths = {ref: frames_dir / f"{n:06d}.jpg" for n, ref in enumerate(refs)}
    encoder = EncoderSettings(*SIZE, Fraction(FPS), PRESET, CRF, THREADS)
    inputs = ClipInputs("bench", encoder, frames_per_segment(Fraction(FPS), 2.0), refs, None)
    results = {}
    with moto_server(BENCH / "moto.log") as endpoint:
        fields = aws_fields(endpoint)
        asyncio.run(prepare(fields))
        for count in counts:
            print(f"== {count} worker process(es): `python -m services.renderer worker` x {count}")
            results[count] = asyncio.run(one_setup(count, fields, paths, inputs))
    sys.exit(report(args, inputs, results))


async def prepare(fields: dict[str, object]) -> None:
    async with AsyncExitStack() as stack:
        settings = AwsSettings(**fields)  # type: ignore[arg-type]
        await bootstrap(await open_aws_clients(settings, stack), settings)


def report(args, inputs: ClipInputs, results) -> int:
    segments = math.ceil(len(inputs.frames) / inputs.frames_per_segment)
    print(
        f"\nFan-out bench: {args.frames} frames {SIZE[0]}x{SIZE[1]} ({segments} segments of 2 s), "
        f"x264 {PRESET} crf {CRF}; each worker = 1 encoding process x {THREADS} x264 threads; "
        f"coordinator polls S3 every {POLL_SECONDS} s; moto server for S3 and SQS; 2 cores"
    )
    print(f"{'':44}{'seconds':>10}{'fps':>10}")
    for count, (full, _, _) in results.items():
        print(f"{f'full render, {count} worker process(es)':44}{full.render_seconds:>10.3f}"
              f"{args.frames / full.render_seconds:>10.1f}")  # fmt: skip
    top = max(results)
    full, _, incremental = results[top]
    share = incremental.render_seconds / full.render_seconds
    print(f"{f'after one approval, {top} workers on':44}{incremental.render_seconds:>10.3f}"
          f"{'':>10}   {share:.4f} of full (target <= {1 / 40:.4f})")  # fmt: skip
    ok = share <= 1 / 40
    if 1 in results:
        model(segments, results[1])
    print("target met" if ok else "TARGET MISSED: incremental render > 1/40 of the full render")
    return 0 if ok else 1


def model(segments: int, one) -> None:
    full, per_segment, _ = one
    cost = statistics.median(per_segment)
    overhead = max(full.render_seconds - sum(per_segment), 0.0)
    print(
        f"\nmeasured with 1 worker: {len(per_segment)} segments, median {cost:.3f} s per segment "
        f"in the worker (fetch, encode, store), coordinator overhead {overhead:.3f} s per render "
        "(send, poll, download, assemble)"
    )
    print("MODEL (not measured): T(N) = overhead + ceil(segments / N) x per-segment cost,")
    print("assuming each worker has its own 2 cores (one Fargate task each) and S3/SQS keep up")
    for n in MODEL_WORKERS:
        seconds = overhead + math.ceil(segments / n) * cost
        print(f"  MODEL {n:>3} workers: {seconds:8.2f} s")


if __name__ == "__main__":
    main()
