"""Segment fan-out and the resolution ladder: planning, messages, the worker and farm rules."""

import asyncio
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from services.renderer.encoding.adapters.sqs import SqsSegmentFarm
from services.renderer.encoding.fanout import (
    EncodeJob,
    SegmentOrder,
    message_of,
    order_of,
    rung_plans,
)
from services.renderer.encoding.segments import bit_rates
from services.renderer.encoding.usecases import SegmentWorker
from services.renderer.publishing.hls import Variant, master_playlist
from services.renderer.renders.clips import BlobRef, ClipInputs, EncoderSettings
from services.renderer.renders.ladder import ladder_sizes
from shared.messages import MalformedMessage, SegmentRequested, parse_message
from shared.records import fragment_key
from tests.fakes.objects import MemoryObjectStore
from tests.fakes.queues import MemoryQueueSender

TOP = EncoderSettings(640, 360, Fraction(25), "veryfast", 23, 2)
LOW = EncoderSettings(320, 180, Fraction(25), "veryfast", 23, 2)
LATER = datetime.now(UTC) + timedelta(hours=1)


def inputs(frames=120, audio=True):
    refs = tuple(BlobRef(f"originals/v/{n:06d}.jpg", f"e{n}") for n in range(frames))
    sound = BlobRef("originals/v/audio.mka", "a") if audio else None
    return ClipInputs("v", TOP, 50, refs, sound, (LOW,))


def test_a_ladder_keeps_the_aspect_ratio_with_even_sizes_smallest_first():
    assert ladder_sizes(1920, 1080, (1080, 360, 720)) == [(640, 360), (1280, 720), (1920, 1080)]
    assert ladder_sizes(640, 360, (183,)) == [(328, 184)]


def test_a_ladder_drops_rungs_above_the_video_and_defaults_to_its_own_size():
    assert ladder_sizes(640, 360, (360, 720, 1080)) == [(640, 360)]
    assert ladder_sizes(640, 360, (1080,)) == [(640, 360)]
    assert ladder_sizes(640, 360, ()) == [(640, 360)]


def test_every_rung_is_planned_segment_by_segment_and_only_the_last_is_last():
    rungs = rung_plans(inputs(frames=120))
    assert [r.encoder for r in rungs] == [LOW, TOP]
    for rung in rungs:
        assert [o.plan.frame_count for o in rung.orders] == [50, 50, 20]
        assert [o.is_last for o in rung.orders] == [False, False, True]
        assert rung.orders[1].frames == inputs().frames[50:100]
    assert rungs[0].orders[0].segment_hash != rungs[1].orders[0].segment_hash
    assert rungs[0].init_name != rungs[1].init_name


def test_an_order_survives_the_queue_message_unchanged():
    for audio in (True, False):
        order = rung_plans(inputs(audio=audio))[1].orders[2]
        body = message_of(order, LATER).to_body()
        assert order_of(parse_message(body, SegmentRequested)) == order


def test_a_message_whose_hash_does_not_match_its_inputs_is_refused():
    order = rung_plans(inputs())[1].orders[0]
    message = message_of(order, LATER)
    forged = message.model_copy(update={"segment_hash": "0" * 32})
    with pytest.raises(MalformedMessage):
        order_of(forged)
    swapped = message.model_copy(update={"frames": list(reversed(message.frames))})
    with pytest.raises(MalformedMessage):
        order_of(swapped)


def test_the_master_playlist_names_every_rung_with_bandwidth_and_resolution():
    peak, average = bit_rates([250_000, 125_000], [2.0, 2.0])
    assert (peak, average) == (1_000_000, 750_000)
    text = master_playlist(
        [
            Variant("360p/index.m3u8", 400_000, 300_000, 640, 360, "avc1.64001e", 25.0),
            Variant("720p/index.m3u8", peak, average, 1280, 720, "avc1.64001f,mp4a.40.2", 25.0),
        ]
    )
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[-2:] == [
        "#EXT-X-STREAM-INF:BANDWIDTH=1000000,AVERAGE-BANDWIDTH=750000,RESOLUTION=1280x720,"
        'CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=25.000',
        "720p/index.m3u8",
    ]


class FakeEncoder:
    def __init__(self):
        self.encoded: list[SegmentOrder] = []

    async def encode(self, order):
        self.encoded.append(order)
        return f"media {order.segment_hash}".encode(), b"init"


async def test_a_worker_stores_the_init_part_then_the_fragment_under_its_hash():
    store, encoder = MemoryObjectStore(), FakeEncoder()
    worker = SegmentWorker(store, encoder)
    order = rung_plans(inputs())[1].orders[0]
    assert await worker.encode(order, LATER) == "encoded"
    assert list(store.objects) == [
        fragment_key("v", order.init_name),
        fragment_key("v", f"{order.segment_hash}.m4s"),
    ]
    # A duplicate message: the fragment is there, nothing is encoded again.
    assert await worker.encode(order, LATER) == "stored already"
    assert len(encoder.encoded) == 1


async def test_a_worker_drops_an_expired_order_without_encoding_it():
    encoder = FakeEncoder()
    worker = SegmentWorker(MemoryObjectStore(), encoder)
    order = rung_plans(inputs())[1].orders[0]
    assert await worker.encode(order, datetime.now(UTC) - timedelta(seconds=1)) == "expired"
    assert encoder.encoded == []


def farm_jobs(tmp_path):
    rung = rung_plans(inputs())[1]
    return [
        EncodeJob(o, tmp_path / f"{o.segment_hash}.m4s", tmp_path / rung.init_name)
        for o in rung.orders
    ]


def farm(store, queues, stall_seconds=5.0):
    return SqsSegmentFarm(
        queues,
        store,
        "segments",
        stall_seconds=stall_seconds,
        poll_seconds=0.01,
        order_ttl_seconds=60,
    )


async def test_the_farm_sends_only_what_is_not_stored_and_collects_what_workers_store(tmp_path):
    store, queues, encoder = MemoryObjectStore(), MemoryQueueSender(), FakeEncoder()
    jobs = farm_jobs(tmp_path)
    worker = SegmentWorker(store, encoder)
    await worker.encode(jobs[0].order, LATER)  # stored by an earlier render's worker

    async def workers():
        while len(queues.sent["segments"]) < 2:
            await asyncio.sleep(0.01)
        for message in queues.sent["segments"]:
            await worker.encode(order_of(message), message.expires_at)

    helper = asyncio.create_task(workers())
    stragglers = await farm(store, queues).encode(jobs)
    await helper
    assert stragglers == []
    assert [m.segment_hash for m in queues.sent["segments"]] == [
        j.order.segment_hash for j in jobs[1:]
    ]
    for job in jobs:
        assert job.media_path.read_bytes() == f"media {job.order.segment_hash}".encode()
    assert jobs[0].init_path.read_bytes() == b"init"


async def test_the_farm_sends_a_late_tail_again_instead_of_waiting_for_its_stall(tmp_path):
    store, queues = MemoryObjectStore(), MemoryQueueSender()
    jobs = farm_jobs(tmp_path)
    worker = SegmentWorker(store, FakeEncoder())
    lost = jobs[-1].order.segment_hash

    async def workers():
        handled = 0
        while True:  # one order's first message is lost, as with a worker that died
            sent = queues.sent["segments"]
            for message in sent[handled:]:
                if message.segment_hash != lost or handled >= len(jobs):
                    await worker.encode(order_of(message), message.expires_at)
            handled = len(sent)
            await asyncio.sleep(0.01)

    helper = asyncio.create_task(workers())
    try:
        stragglers = await asyncio.wait_for(farm(store, queues, 60).encode(jobs), timeout=30)
    finally:
        helper.cancel()
    assert stragglers == []
    assert [m.segment_hash for m in queues.sent["segments"]].count(lost) == 2
    assert jobs[-1].media_path.exists()


async def test_the_farm_hands_back_what_no_worker_delivered_once_it_stalls(tmp_path):
    store, queues = MemoryObjectStore(), MemoryQueueSender()
    jobs = farm_jobs(tmp_path)
    stragglers = await asyncio.wait_for(farm(store, queues, 0.2).encode(jobs), timeout=30)
    assert stragglers == jobs
    assert len(queues.sent["segments"]) == len(jobs)
    assert not any(job.media_path.exists() for job in jobs)


async def test_pruning_keeps_only_the_fragments_the_current_clip_uses():
    store = MemoryObjectStore()
    for name in ("a.m4s", "b.m4s", "init-1.mp4", "init-2.mp4"):
        await store.create(fragment_key("v", name), b"x", "video/mp4")
    await farm(store, MemoryQueueSender()).prune("v", {"a.m4s", "init-1.mp4"})
    assert sorted(store.objects) == [fragment_key("v", "a.m4s"), fragment_key("v", "init-1.mp4")]
