"""Real service processes (uvicorn via ``python -m services.<name>``) for tests."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import secrets
import signal
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw
from pydantic import AliasChoices

from shared.aws import AwsClients
from shared.bootstrap import ensure_work_queue
from shared.messages import FrameSlot, SubmissionModerated
from shared.queues import SqsQueueSender, frames_queue_of
from shared.records import VideoRecord, original_key, rendition_key, video_record_key
from shared.settings import AwsSettings
from tests.processes import PYTHON, ROOT, answers, free_port, running, wait_for

SERVICE_PREFIX = {
    "gateway": "GATEWAY",
    "ingest": "INGEST",
    "moderation": "MODERATION",
    "renderer": "RENDERER",
}


def aws_env(fields: dict[str, object]) -> dict[str, str]:
    """Environment variables that give a process the same AWS settings as ``fields``."""
    env: dict[str, str] = {}
    for name, value in fields.items():
        alias = (
            AwsSettings.model_fields[name].validation_alias
            if name in AwsSettings.model_fields
            else None
        )
        if isinstance(alias, AliasChoices):
            env[str(alias.choices[0])] = str(value)
    return env


@dataclass
class Stack:
    """A set of running services and how to reach them."""

    urls: dict[str, str]
    env: dict[str, str]
    log_dir: Path
    _exits: ExitStack = field(default_factory=ExitStack)
    _stops: dict[str, ExitStack] = field(default_factory=dict)
    _processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def process(self, name: str) -> subprocess.Popen[bytes]:
        """The running process of service ``name``."""
        return self._processes[name]

    def start(self, name: str) -> None:
        """Start (or restart) service ``name`` and wait until it is ready."""
        stop = ExitStack()
        log_path = self.log_dir / f"{name}-{secrets.token_hex(3)}.log"
        self._processes[name] = stop.enter_context(
            running([PYTHON, "-m", f"services.{name}"], env=self.env, log_path=log_path)
        )
        self._stops[name] = stop
        wait_for(lambda: answers(f"{self.urls[name]}/readyz"), 30, f"{name} to be ready")

    def stop(self, name: str) -> None:
        """Stop service ``name`` (SIGTERM, then wait)."""
        self._stops.pop(name).close()

    def kill(self, name: str) -> None:
        """``kill -9`` service ``name`` and its children, as a crash would; reap it."""
        proc = self._processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self.stop(name)  # nothing left to stop: this closes its log

    def close(self) -> None:
        for stop in self._stops.values():
            stop.close()


@contextmanager
def service_stack(
    names: list[str], aws_fields: dict[str, object], log_dir: Path, **settings: str
) -> Iterator[Stack]:
    """Start ``names`` as real processes on free loopback ports; ``settings`` are env vars."""
    ports = {name: free_port() for name in SERVICE_PREFIX}
    env = {
        **aws_env(aws_fields),
        "OFOF_LEASE_SECRET": secrets.token_urlsafe(32),
        **{f"{SERVICE_PREFIX[n]}_PORT": str(p) for n, p in ports.items()},
        "GATEWAY_INGEST_URL": f"http://127.0.0.1:{ports['ingest']}",
        "GATEWAY_MODERATION_URL": f"http://127.0.0.1:{ports['moderation']}",
        "GATEWAY_RENDERER_URL": f"http://127.0.0.1:{ports['renderer']}",
        "MODERATION_WEBHOOK_URL": f"http://127.0.0.1:{ports['moderation']}/crowd/webhook",
        "INGEST_IMAGE_WORKERS": "2",
        **settings,
    }
    stack = Stack(
        urls={n: f"http://127.0.0.1:{p}" for n, p in ports.items()}, env=env, log_dir=log_dir
    )
    try:
        for name in names:
            stack.start(name)
        yield stack
    finally:
        stack.close()


def original_frame(frame: int, size: tuple[int, int] = (640, 360)) -> bytes:
    """A recognisable original frame: a frame-dependent colour and a white square."""
    image = Image.new("RGB", size, ((frame * 40) % 256, 90, 160))
    draw = ImageDraw.Draw(image)
    x = (frame * 23) % (size[0] - 60)
    draw.rectangle((x, 100, x + 60, 160), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


async def seed_video(
    aws: AwsClients,
    settings: AwsSettings,
    video: str = "demo",
    frames: int = 4,
    size: tuple[int, int] = (640, 360),
    offer: bool = True,
) -> VideoRecord:
    """Import a small video by hand: originals and its record; with ``offer``, also its
    frames queue with one message a slot, as moderation's feeder would (tests without a
    moderation process). With a moderation process running, pass ``offer=False``: its
    feeder finds the video and offers the slots itself."""
    bucket = settings.media_bucket
    await asyncio.gather(
        *(
            aws.s3.put_object(
                Bucket=bucket,
                Key=original_key(video, n),
                Body=original_frame(n, size),
                ContentType="image/jpeg",
            )
            for n in range(frames)
        )
    )
    record = VideoRecord(
        video=video,
        fps_num=25,
        fps_den=1,
        frame_count=frames,
        width=size[0],
        height=size[1],
        has_audio=False,
        imported_at=datetime.now(UTC),
    )
    await aws.s3.put_object(
        Bucket=bucket, Key=video_record_key(video), Body=record.model_dump_json().encode()
    )
    if offer:
        queue = frames_queue_of(settings.frames_queue, video)
        await ensure_work_queue(aws, queue, None)
        await SqsQueueSender(aws).send_batch(
            queue, [FrameSlot(video=video, frame=n) for n in range(frames)]
        )
    return record


def import_with_cli(fields: dict[str, object], source: Path, video: str) -> dict[str, str]:
    """Import ``source`` as ``video`` with the importer's command; return its AWS env."""
    env = aws_env(fields)
    subprocess.run(
        [PYTHON, "-m", "importer", "video", str(source), "--video", video],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    return env


def renderer_env(env: dict[str, str], port: int, work_dir: Path, video: str) -> dict[str, str]:
    """``env`` plus what a renderer process needs: its port, work dir and default video."""
    return env | {
        "RENDERER_PORT": str(port),
        "RENDERER_WORK_DIR": str(work_dir),
        "RENDERER_DEFAULT_VIDEO": video,
    }


async def approve_photo(
    aws: AwsClients, bucket: str, render_queue: str, video: str, submission: str, frame: int,
    large: bytes,
) -> None:  # fmt: skip
    """Store ``submission``'s large rendition and send its approval to the renderer, as
    ingest and moderation would."""
    await aws.s3.put_object(Bucket=bucket, Key=rendition_key(submission, "large"), Body=large)
    verdict = SubmissionModerated(
        submission_id=submission,
        video=video,
        frame=frame,
        verdict="approved",
        score=0.9,
        judgments=3,
        decided_at=datetime.now(UTC),
    )
    await SqsQueueSender(aws).send(render_queue, verdict)


async def slots_offered(aws: AwsClients, fields: dict[str, object], video: str = "demo") -> None:
    """Wait (at most 60 s) until moderation's feeder has offered ``video``'s first slots."""
    queue = frames_queue_of(str(fields["frames_queue"]), video)
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        with contextlib.suppress(aws.sqs.exceptions.QueueDoesNotExist):
            url = (await aws.sqs.get_queue_url(QueueName=queue))["QueueUrl"]
            answer = await aws.sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
            )
            if int(answer["Attributes"]["ApproximateNumberOfMessages"]) > 0:
                return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"no slot of {video} offered within 60 s")
        await asyncio.sleep(0.2)
