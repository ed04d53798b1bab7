"""Segment fan-out and the resolution ladder against the moto server.

A real encoder worker process (``python -m services.renderer worker``) encodes the
segments an in-process coordinator sends; duplicates are harmless; with the worker dead
the coordinator encodes the stragglers itself once its stall deadline passes. The
ladder's master playlist is opened by FFmpeg's HLS demuxer (through PyAV).
"""

import asyncio
import os
import signal
import time
from datetime import UTC, datetime, timedelta

import av
import pytest

from services.renderer.encoding.fanout import message_of, rung_plans
from shared.queues import SqsQueueSender, dead_letter_queue
from shared.records import (
    CLIP_PLAYLIST,
    VideoRecord,
    clip_version_prefix,
    fragments_prefix,
    video_record_key,
)
from tests.integration.renderer_fixtures import import_short_video, renderer_deps, renderer_settings
from tests.media import audio_seconds, decoded_frames
from tests.processes import PYTHON, answers, free_port, running, wait_for
from tests.stack import aws_env

SEGMENTS = 5  # a 2 s clip in 0.4 s segments


@pytest.fixture
async def video(aws, aws_fields, tmp_path):
    settings = renderer_settings(aws_fields, tmp_path / "work", segment_seconds=0.4)
    await import_short_video(aws, settings, tmp_path, seconds=2.0)


def coordinator(aws, aws_fields, tmp_path, **extra):
    settings = renderer_settings(
        aws_fields, tmp_path / "coordinator", segment_seconds=0.4, fan_out=True, **extra
    )
    return renderer_deps(settings, aws)


def worker_process(aws_fields, tmp_path, output_dir):
    port = free_port()
    env = aws_env(aws_fields) | {
        "RENDERER_WORKER_PORT": str(port),
        "RENDERER_WORK_DIR": str(tmp_path / "worker"),
        "RENDERER_ENCODE_PROCESSES": "1",
        "RENDERER_X264_THREADS": "1",
    }
    args = [PYTHON, "-m", "services.renderer", "worker"]
    log = output_dir / f"renderer-worker-{port}.log"
    return running(args, env=env, log_path=log), f"http://127.0.0.1:{port}"


async def fragment_names(deps, video="clip"):
    stored = await deps.store.etags(fragments_prefix(video))
    return {key.rsplit("/", 1)[-1]: etag for key, etag in stored.items()}


async def queue_depth(aws, queue):
    url = await aws.queue_url(queue)
    answer = await aws.sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )
    return sum(int(v) for v in answer["Attributes"].values())


async def published_mp4(deps, tmp_path):
    current, _ = await deps.s3_publisher.current("clip")
    mp4 = tmp_path / "published.mp4"
    await deps.store.download(current.mp4_key, mp4)
    return current, mp4


async def test_a_worker_process_encodes_the_segments_a_coordinator_sends(
    aws, aws_fields, tmp_path, output_dir, video
):
    deps = coordinator(aws, aws_fields, tmp_path, fan_out_stall_seconds=120)
    process, url = worker_process(aws_fields, tmp_path, output_dir)
    with process:
        await asyncio.to_thread(wait_for, lambda: answers(f"{url}/readyz"), 60, "worker ready")
        report = await deps.renderer.render("clip")
        assert report.encoded_segments == SEGMENTS
        stored = await fragment_names(deps)
        # The worker stored every segment (and the init part): nothing was encoded here.
        assert len([n for n in stored if n.endswith(".m4s")]) == SEGMENTS
        assert len([n for n in stored if n.startswith("init-")]) == 1
        _, mp4 = await published_mp4(deps, tmp_path)
        assert len(decoded_frames(mp4)) == 50
        assert abs(audio_seconds(mp4) - 2.0) < 0.1

        # Every order sent again: the worker finds each fragment stored and writes nothing.
        first = deps.renderer.latest["clip"]
        await send_orders_again(deps, aws_fields)
        queue = aws_fields["segments_queue"]
        await wait_async(lambda: queue_depth(aws, queue), 0, 60, "duplicates consumed")
        assert await fragment_names(deps) == stored
        assert await queue_depth(aws, dead_letter_queue(queue)) == 0
        assert first.clip_hash == (await deps.renderer.render("clip")).clip_hash


async def send_orders_again(deps, aws_fields):
    record_inputs = await deps.renderer.inputs(
        await deps.store.get_record(video_record_key("clip"), VideoRecord),
        await deps.slots.filled_slots("clip"),
    )
    expires = datetime.now(UTC) + timedelta(minutes=5)
    orders = [message_of(o, expires) for r in rung_plans(record_inputs) for o in r.orders]
    await SqsQueueSender(deps.aws).send_batch(aws_fields["segments_queue"], orders)


async def wait_async(read, expected, timeout_seconds, what):
    deadline = time.monotonic() + timeout_seconds
    while (value := await read()) != expected:
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {value}"
        await asyncio.sleep(0.2)


async def test_with_its_worker_dead_the_coordinator_encodes_the_stragglers_itself(
    aws, aws_fields, tmp_path, output_dir, video
):
    deps = coordinator(aws, aws_fields, tmp_path, fan_out_stall_seconds=3)
    process, url = worker_process(aws_fields, tmp_path, output_dir)
    with process as proc:
        await asyncio.to_thread(wait_for, lambda: answers(f"{url}/readyz"), 60, "worker ready")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        started = time.monotonic()
        report = await asyncio.wait_for(deps.renderer.render("clip"), timeout=120)
    assert time.monotonic() - started >= 3  # it waited for its workers first
    assert report.encoded_segments == SEGMENTS
    assert report.published == {"s3": "published"}
    assert await fragment_names(deps) == {}  # no worker stored anything
    _, mp4 = await published_mp4(deps, tmp_path)
    assert len(decoded_frames(mp4)) == 50


async def test_without_a_segments_queue_the_coordinator_renders_alone(
    aws, aws_fields, tmp_path, video
):
    fields = aws_fields | {"segments_queue": "ofof-segments-never-made"}
    deps = coordinator(aws, fields, tmp_path)
    report = await asyncio.wait_for(deps.renderer.render("clip"), timeout=120)
    assert report.encoded_segments == SEGMENTS
    assert report.published == {"s3": "published"}
    _, mp4 = await published_mp4(deps, tmp_path)
    assert len(decoded_frames(mp4)) == 50


async def test_a_ladder_publishes_a_master_playlist_ffmpeg_plays_and_the_top_rung_mp4(
    aws, aws_fields, tmp_path, video
):
    settings = renderer_settings(
        aws_fields, tmp_path / "work", segment_seconds=0.4, ladder_heights=(180, 360, 720)
    )
    deps = renderer_deps(settings, aws)
    report = await deps.renderer.render("clip")
    assert report.encoded_segments == 2 * SEGMENTS  # 720 is above the video: dropped
    current, mp4 = await published_mp4(deps, tmp_path)
    assert {(f.width, f.height) for f in decoded_frames(mp4)[:1]} == {(640, 360)}
    folder = tmp_path / "published"
    prefix = clip_version_prefix("clip", current.version)
    for key in await deps.store.etags(prefix):
        path = folder / key.removeprefix(prefix)
        path.parent.mkdir(parents=True, exist_ok=True)
        await deps.store.download(key, path)
    master = (folder / CLIP_PLAYLIST).read_text()
    assert current.hls_key == prefix + CLIP_PLAYLIST
    assert "RESOLUTION=320x180" in master and "RESOLUTION=640x360" in master
    assert 'CODECS="avc1.' in master and 'mp4a.40.2"' in master
    with av.open(str(folder / CLIP_PLAYLIST)) as container:
        sizes = sorted({(s.codec_context.width, s.codec_context.height)
                        for s in container.streams.video})  # fmt: skip
        bitrates = sorted(
            int(s.metadata.get("variant_bitrate", 0)) for s in container.streams.video
        )
    assert sizes == [(320, 180), (640, 360)]
    assert 0 < bitrates[0] < bitrates[1]
    for rung in ("180p", "360p"):
        with av.open(str(folder / rung / CLIP_PLAYLIST)) as container:
            frames = list(container.decode(video=0))
        assert len(frames) == 50
