"""The PyAV traps the issue lists, each caught by looking at real encoder output."""

from fractions import Fraction

import av
import pytest

from services.renderer.adapters.pyav import assemble
from services.renderer.encoding import SegmentJob, encode_segment, x264_settings
from services.renderer.segments import EncoderSettings, plan_segments
from tests.media import decoded_frames, jpeg, mean_rgb, write_frames

SIZE = (64, 48)
ENCODER = EncoderSettings(SIZE[0], SIZE[1], Fraction(25), "veryfast", 18, 2)
PER_SEGMENT = 10


def encode_all(tmp_path, frame_paths):
    plans = plan_segments(len(frame_paths), PER_SEGMENT)
    init = tmp_path / "init.mp4"
    media = []
    for plan in plans:
        job = SegmentJob(
            plan=plan,
            frame_paths=tuple(str(p) for p in frame_paths[plan.first_frame :][: plan.frame_count]),
            audio_path=None,
            encoder=ENCODER,
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
