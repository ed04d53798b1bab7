"""The PyAV traps the issue lists, each caught by looking at real encoder output."""

import errno
import os
from concurrent.futures import Executor, Future
from dataclasses import replace
from fractions import Fraction

import av
import pytest

from services.renderer.encoding.adapters.pyav import PoolSegmentEncoder, assemble
from services.renderer.encoding.encoder import SegmentJob, encode_segment, x264_settings
from services.renderer.encoding.fanout import EncodeJob, SegmentOrder
from services.renderer.encoding.segments import plan_segments
from services.renderer.renders.clips import BlobRef, EncoderSettings
from tests.media import decoded_frames, jpeg, mean_rgb, write_frames

SIZE = (64, 48)
ENCODER = EncoderSettings(SIZE[0], SIZE[1], Fraction(25), "veryfast", 18, 2)
PER_SEGMENT = 10


def encode_all(tmp_path, frame_paths, encoder=ENCODER):
    plans = plan_segments(len(frame_paths), PER_SEGMENT)
    init = tmp_path / "init.mp4"
    media = []
    for plan in plans:
        job = SegmentJob(
            plan=plan,
            frame_paths=tuple(str(p) for p in frame_paths[plan.first_frame :][: plan.frame_count]),
            audio_path=None,
            encoder=encoder,
            frames_per_segment=PER_SEGMENT,
            media_path=str(tmp_path / f"{plan.index}.m4s"),
            init_path=str(init),
            is_last=plan is plans[-1],
        )
        media.append(tmp_path / f"{plan.index}.m4s")
        encode_segment(job)
    return assemble(init, tuple(media), tmp_path / "clip.mp4")


@pytest.fixture
def clip(tmp_path):
    return encode_all(tmp_path, write_frames(tmp_path / "frames", 25, SIZE))


def test_each_segment_has_exactly_one_keyframe_despite_jpeg_i_pictures(clip):
    with av.open(str(clip)) as container:
        flags = [p.is_keyframe for p in container.demux(video=0) if p.size]
    assert len(flags) == 25
    assert [i for i, key in enumerate(flags) if key] == [0, 10, 20]


def test_the_joined_clip_has_every_frame_in_order(clip):
    frames = decoded_frames(clip)
    assert len(frames) == 25
    assert [f.pts for f in frames] == sorted(f.pts for f in frames)
    assert len({f.pts for f in frames}) == 25


def test_a_known_colour_survives_the_jpeg_to_mpeg_range_conversion(tmp_path):
    colour = (200, 40, 40)
    folder = tmp_path / "frames"
    folder.mkdir()
    paths = []
    for n in range(PER_SEGMENT):
        paths.append(folder / f"{n}.jpg")
        paths[-1].write_bytes(jpeg(colour, SIZE, label=0))
    frame = decoded_frames(encode_all(tmp_path, paths))[5]
    assert frame.color_range in (0, 1)  # tagged limited (MPEG) range, as players expect
    got = mean_rgb(frame, (16, 20, 48, 44))
    assert all(abs(g - c) <= 8 for g, c in zip(got, colour, strict=True)), got


def test_the_x264_settings_say_frame_threads_limited_range_gop_and_no_b_frames(clip):
    settings = x264_settings(clip.read_bytes())
    assert "sliced_threads=0" in settings
    assert "threads=2" in settings
    assert f"keyint={PER_SEGMENT}" in settings
    assert "bframes=0" in settings
    assert "crf=18.0" in settings


def test_the_thread_count_changes_neither_the_init_part_nor_the_pictures(tmp_path):
    """Why ``threads`` is no part of a segment's key: a segment encoded with more threads
    joins a clip whose init part came from a one-thread encode."""
    frames = write_frames(tmp_path / "frames", 20, SIZE)
    (tmp_path / "one").mkdir()
    (tmp_path / "three").mkdir()
    one = encode_all(tmp_path / "one", frames, replace(ENCODER, threads=1))
    three = encode_all(tmp_path / "three", frames, replace(ENCODER, threads=3))
    assert (tmp_path / "one" / "init.mp4").read_bytes() == (
        tmp_path / "three" / "init.mp4"
    ).read_bytes()
    assert "threads=3" in x264_settings(three.read_bytes())
    assert len(decoded_frames(one)) == len(decoded_frames(three)) == 20


class Recorder(Executor):
    """Runs nothing; records each job handed to the pool."""

    def __init__(self):
        self.jobs = []

    def submit(self, fn, /, *args, **kwargs):
        self.jobs.append(args[0])
        done = Future()
        done.set_result(args[0].media_path)
        return done


def order(index, threads=1):
    encoder = replace(ENCODER, threads=threads)
    plan = plan_segments(10 * (index + 1), PER_SEGMENT)[index]
    frames = tuple(BlobRef(f"o/{n}.jpg", "e") for n in plan.frames)
    return SegmentOrder("v", encoder, plan, PER_SEGMENT, frames, None, False)


async def no_fetch(refs):
    return [f"/nowhere/{ref.key}" for ref in refs]


@pytest.mark.parametrize(
    ("count", "parallel", "own", "expected"),
    [(1, 2, 1, 2), (2, 2, 1, 1), (3, 2, 1, 1), (1, 4, 2, 8), (3, 4, 1, 1), (1, 1, 2, 2)],
)
async def test_fewer_segments_than_processes_get_the_idle_processes_threads(
    tmp_path, count, parallel, own, expected
):
    pool = Recorder()
    jobs = [
        EncodeJob(order(i, own), tmp_path / f"{i}.m4s", tmp_path / "init.mp4") for i in range(count)
    ]
    await PoolSegmentEncoder(pool, parallel).encode_all(jobs, no_fetch)
    assert [job.encoder.threads for job in pool.jobs] == [expected] * count


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_assembly_joins_the_parts_byte_for_byte_with_or_without_kernel_copies(
    tmp_path, monkeypatch, kernel_copy
):
    if not kernel_copy:

        def unsupported(*args):
            raise OSError(errno.EXDEV, "cross-device")

        monkeypatch.setattr(os, "copy_file_range", unsupported)
    parts = []
    for n, size in enumerate((5, 3 << 20, 0, 70_001)):
        parts.append(tmp_path / f"{n}.part")
        parts[-1].write_bytes(os.urandom(size))
    joined = assemble(parts[0], tuple(parts[1:]), tmp_path / "out" / "clip.mp4")
    assert joined.read_bytes() == b"".join(p.read_bytes() for p in parts)
