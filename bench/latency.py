"""``make bench`` — approval → new clip version published, with the default debounce.

Real processes on loopback: a moto server, the import command (the 10 s demo video,
250 frames), and the renderer with its default settings (at most one render per 30 s,
at most 300 s after the first pending change). Approvals arrive at random moments, as
they would from the crowd; for each, the time until ``current.json`` names a clip that
shows it is measured. The target is a p95 of at most 45 s.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from importer.demo import write_demo_video  # noqa: E402
from shared.aws import AwsClients, open_aws_clients  # noqa: E402
from shared.bootstrap import bootstrap  # noqa: E402
from shared.messages import SubmissionModerated  # noqa: E402
from shared.queues import SqsQueueSender  # noqa: E402
from shared.records import current_clip_key, rendition_key  # noqa: E402
from shared.settings import AwsSettings  # noqa: E402
from tests.processes import PYTHON, answers, free_port, moto_server, running, wait_for  # noqa: E402
from tests.stack import aws_env  # noqa: E402

APPROVALS = 12
GAP_SECONDS = (2.0, 40.0)
TARGET_P95_SECONDS = 45.0
SEED = 7


def photo(index: int) -> bytes:
    image = Image.new("RGB", (640, 360), ((index * 67) % 256, 120, 200))
    ImageDraw.Draw(image).ellipse([220, 80, 420, 280], fill=(250, 250, 250))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


async def approve(
    aws: AwsClients, settings: AwsSettings, index: int, frame: int, video: str = "demo"
) -> None:
    sid = f"latency-{video}-{index}"
    await aws.s3.put_object(
        Bucket=settings.media_bucket,
        Key=rendition_key(sid, "large"),
        Body=photo(index),
        ContentType="image/jpeg",
    )
    message = SubmissionModerated(
        submission_id=sid,
        video=video,
        frame=frame,
        verdict="approved",
        score=0.8,
        reasons=[],
        judgments=3,
        decided_at=datetime.now(UTC),
    )
    await SqsQueueSender(aws).send(settings.render_queue, message)


async def shows(aws: AwsClients, settings: AwsSettings, frame: int, video: str = "demo") -> bool:
    try:
        answer = await aws.s3.get_object(Bucket=settings.media_bucket, Key=current_clip_key(video))
    except aws.s3.exceptions.NoSuchKey:
        return False
    pointer = json.loads(await answer["Body"].read())
    return frame in pointer.get("filled_frames", [])


async def watch(aws: AwsClients, settings: AwsSettings, frame: int, sent: float) -> float:
    while not await shows(aws, settings, frame):
        await asyncio.sleep(0.2)
    return time.monotonic() - sent


async def measure(endpoint: str, work: Path) -> list[float]:
    fields = {
        "aws_endpoint_url": endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    settings = AwsSettings(**fields)  # type: ignore[arg-type]
    env = {**os.environ, **aws_env(fields)}
    async with AsyncExitStack() as stack:
        aws = await open_aws_clients(settings, stack)
        await bootstrap(aws, settings)
        video = write_demo_video(work / "demo.mp4")
        await asyncio.to_thread(
            subprocess.run,
            [PYTHON, "-m", "importer", "video", str(video), "--video", "demo"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        with running(
            [PYTHON, "-m", "services.renderer"],
            log_path=work / "renderer.log",
            env={**env, "RENDERER_PORT": str(port), "RENDERER_WORK_DIR": str(work / "renderer")},
        ):
            wait_for(lambda: answers(f"http://127.0.0.1:{port}/readyz"), 60, "the renderer")
            return await approvals(aws, settings)


async def approvals(aws: AwsClients, settings: AwsSettings) -> list[float]:
    draw = random.Random(SEED)
    frames = draw.sample(range(250), APPROVALS)
    watchers = []
    for index, frame in enumerate(frames):
        await asyncio.sleep(draw.uniform(*GAP_SECONDS))
        sent = time.monotonic()
        await approve(aws, settings, index, frame)
        watchers.append(asyncio.create_task(watch(aws, settings, frame, sent)))
        print(f"  approval {index + 1}/{APPROVALS} sent (frame {frame})", flush=True)
    return list(await asyncio.wait_for(asyncio.gather(*watchers), 400))


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp, moto_server() as endpoint:
        latencies = sorted(asyncio.run(measure(endpoint, Path(tmp))))
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    print("\napproval -> published, renderer defaults (min interval 30 s, max delay 300 s)")
    print(f"  {len(latencies)} approvals, gaps {GAP_SECONDS[0]:g}-{GAP_SECONDS[1]:g} s apart")
    print(
        f"  median {statistics.median(latencies):.1f} s   p95 {p95:.1f} s   "
        f"max {latencies[-1]:.1f} s"
    )
    ok = p95 <= TARGET_P95_SECONDS
    print(f"  {'PASS' if ok else 'MISS'}  p95 <= {TARGET_P95_SECONDS:g} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
