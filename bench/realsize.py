"""``make bench`` — a real-length music video on the embedded stack (issue 12's figures).

Real processes on loopback, on the local AWS of ``make run`` (ministack + dynalite):

1. **import**: a 180 s, 640×360, 25 fps video (4,500 frames, generated first, not timed)
   imported with ``python -m importer video`` — target ≤ 60 s — twice, as two videos;
2. **leases**: with both videos' slots registered by moderation's feeder and their first
   clips published (the steady state of a campaign), 20 visitors
   (distinct client ids and forwarded addresses, the per-address limit raised) lease and
   release frames of the two videos for 60 s, paced to 100 leases/s in all (an open loop:
   the latency at the target rate) — targets p50 ≤ 20 ms, p95 ≤ 100 ms; then the same
   visitors back to back for 60 s (the most they get) — target ≥ 100 leases/s sustained;
3. **approval → clip**: the renderer with its default debounce publishes the first video
   once (not timed), then approvals arrive at random moments; for each, the time until
   the published clip shows it — target p95 ≤ 45 s.

Every figure is printed with its target; the script fails if any is missed.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.latency import approve, shows  # noqa: E402
from importer.demo import write_demo_video  # noqa: E402
from services.moderation.slots.adapters.dynamo import DynamoSlotRegistry  # noqa: E402
from shared.aws import AwsClients, open_aws_clients  # noqa: E402
from shared.bootstrap import bootstrap  # noqa: E402
from shared.objects import S3ObjectStore  # noqa: E402
from shared.records import current_clip_key  # noqa: E402
from shared.settings import AwsSettings  # noqa: E402
from tests.conftest import local_aws_settings_for  # noqa: E402
from tests.processes import PYTHON, local_aws_servers  # noqa: E402
from tests.stack import aws_env, service_stack  # noqa: E402

VIDEO_SECONDS = float(os.environ.get("REALSIZE_VIDEO_SECONDS", "180"))
VIDEOS = ("song-a", "song-b")
VISITORS = 20
LEASE_SECONDS = float(os.environ.get("REALSIZE_LEASE_SECONDS", "60"))
APPROVALS = int(os.environ.get("REALSIZE_APPROVALS", "8"))
GAP_SECONDS = (2.0, 40.0)
TARGETS = {
    "import_seconds": 60.0,
    "lease_p50_ms": 20.0,
    "lease_p95_ms": 100.0,
    "leases_per_second": 100.0,
    "approval_p95_seconds": 45.0,
}
SEED = 12


def import_video(fields: dict[str, object], source: Path, video: str) -> float:
    """Seconds the importer's command takes to import ``source`` as ``video``."""
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "importer", "video", str(source), "--video", video],
        cwd=ROOT,
        env={**os.environ, **aws_env(fields)},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


async def registered(aws: AwsClients, settings: AwsSettings, video: str) -> bool:
    feed = await DynamoSlotRegistry(aws.dynamodb, settings.reviews_table).feed_of(video)
    return feed is not None and feed.is_registered and feed.queue_created is not None


async def published(aws: AwsClients, settings: AwsSettings, video: str) -> bool:
    """Has the renderer published a first clip of ``video``?"""
    return await S3ObjectStore(aws.s3, settings.media_bucket).exists(current_clip_key(video))


async def until(probe, timeout_seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_seconds
    while not await probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not within {timeout_seconds:g} s")
        await asyncio.sleep(0.5)


async def visitor(
    gateway: str, number: int, stop_at: float, latencies: list[float], every_seconds: float
) -> None:
    """Lease a frame (alternating videos) and give it back, until ``stop_at``: one lease
    every ``every_seconds`` (paced, an open loop), or back to back when it is 0."""
    headers = {"X-Forwarded-For": f"10.0.{number // 250}.{number % 250 + 1}"}
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=10.0) as client:
        turn, next_at = number, time.monotonic() + every_seconds * number / VISITORS
        while (now := time.monotonic()) < stop_at:
            if next_at > now:
                await asyncio.sleep(next_at - now)
            next_at += every_seconds
            video = VIDEOS[turn % len(VIDEOS)]
            turn += 1
            started = time.perf_counter()
            answer = await client.post("/api/leases", params={"video": video})
            if answer.status_code != 201:
                raise RuntimeError(f"lease answered {answer.status_code}: {answer.text}")
            latencies.append(time.perf_counter() - started)
            lease = answer.json()
            await client.delete(
                f"/api/leases/{lease['lease_id']}", headers={"X-Lease-Token": lease["token"]}
            )


async def lease_load(gateway: str, every_seconds: float) -> tuple[list[float], float]:
    """Every lease latency of 20 visitors over ``LEASE_SECONDS``, and leases per second."""
    latencies: list[float] = []
    started = time.monotonic()
    stop_at = started + LEASE_SECONDS
    await asyncio.gather(
        *(visitor(gateway, n, stop_at, latencies, every_seconds) for n in range(VISITORS))
    )
    return latencies, len(latencies) / (time.monotonic() - started)


async def lease_figures(gateway: str) -> dict[str, float]:
    """Latency at the target rate (20 visitors paced to 100 leases/s in all), and the
    most leases per second the same 20 visitors get back to back."""
    paced, rate = await lease_load(gateway, VISITORS / TARGETS["leases_per_second"])
    cuts = statistics.quantiles(paced, n=100)
    _, most = await lease_load(gateway, 0.0)
    # The paced figures hold at the target rate only if the visitors kept to it.
    print(f"  paced: {rate:.1f} leases/s; back to back: {most:.1f} leases/s", flush=True)
    return {
        "lease_p50_ms": cuts[49] * 1000,
        "lease_p95_ms": cuts[94] * 1000,
        "leases_per_second": min(rate, most)
        if rate < 0.98 * TARGETS["leases_per_second"]
        else most,
    }


async def approval_latency(aws: AwsClients, settings: AwsSettings, frame_count: int) -> float:
    """p95 seconds from approval to a published clip that shows it (after a first clip)."""
    rng = random.Random(SEED)
    frames = rng.sample(range(frame_count), APPROVALS + 1)
    await approve(aws, settings, 0, frames[0], video=VIDEOS[0])
    await until(lambda: shows(aws, settings, frames[0], video=VIDEOS[0]), 600, "the first clip")
    seconds = []
    for index, frame in enumerate(frames[1:], start=1):
        await asyncio.sleep(rng.uniform(*GAP_SECONDS))
        started = time.monotonic()
        await approve(aws, settings, index, frame, video=VIDEOS[0])
        await until(lambda f=frame: shows(aws, settings, f, video=VIDEOS[0]), 300, "a clip")
        seconds.append(time.monotonic() - started)
        print(f"  approval {index}: {seconds[-1]:.1f} s", flush=True)
    return statistics.quantiles(seconds, n=20)[18] if len(seconds) > 1 else seconds[0]


async def run(scratch: Path) -> dict[str, float]:
    source = await asyncio.to_thread(write_demo_video, scratch / "song.mp4", VIDEO_SECONDS)
    with local_aws_servers(scratch / "localaws", scratch) as servers:
        fields = local_aws_settings_for(servers.local)
        settings = AwsSettings(**fields)  # type: ignore[arg-type]
        async with AsyncExitStack() as stack:
            aws = await open_aws_clients(settings, stack)
            await bootstrap(aws, settings)
            figures = {"import_seconds": max(import_video(fields, source, v) for v in VIDEOS)}
            print(f"  import: {figures['import_seconds']:.1f} s (slowest of two)", flush=True)
            env = {
                "GATEWAY_LEASE_RATE_PER_MINUTE": "1000000",
                "MODERATION_CROWD_BASE_URL": "http://127.0.0.1:9",
                "RENDERER_WORK_DIR": str(scratch / "work"),
            }
            names = ["gateway", "moderation", "renderer"]
            with service_stack(names, fields, scratch, **env) as services:
                for video in VIDEOS:
                    await until(lambda v=video: registered(aws, settings, v), 300, video)
                # Leases in the steady state: the renderer's first full render of each
                # new video (4,500 originals read from the one local AWS process that also
                # answers the leases) is over. Leases during it: docs/benchmarks.md.
                started = time.monotonic()
                for video in VIDEOS:
                    await until(lambda v=video: published(aws, settings, v), 900, video)
                print(f"  first clips: {time.monotonic() - started:.1f} s", flush=True)
                figures |= await lease_figures(services.urls["gateway"])
                frame_count = int(VIDEO_SECONDS * 25)
                figures["approval_p95_seconds"] = await approval_latency(aws, settings, frame_count)
    return figures


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        figures = asyncio.run(run(Path(scratch)))
    failed = False
    for name, value in figures.items():
        target = TARGETS[name]
        ok = value >= target if name == "leases_per_second" else value <= target
        failed |= not ok
        sign = "≥" if name == "leases_per_second" else "≤"
        print(f"{name:24} {value:10.1f}   target {sign} {target:g}   {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
