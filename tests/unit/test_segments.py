from fractions import Fraction

from services.renderer.encoding.segments import plan_segments, segment_hash
from services.renderer.renders.clips import BlobRef, EncoderSettings, frames_per_segment

ENCODER = EncoderSettings(640, 360, Fraction(25), "veryfast", 23, 1)


def refs(count, etag="e"):
    return [BlobRef(f"originals/v/{n:06d}.jpg", etag) for n in range(count)]


def test_two_second_segments_at_25_fps_hold_50_frames():
    assert frames_per_segment(Fraction(25), 2.0) == 50
    assert frames_per_segment(Fraction(30000, 1001), 2.0) == 59


def test_segments_cover_every_frame_once_with_a_short_last_one():
    plans = plan_segments(4500 + 7, 50)
    assert [f for p in plans for f in p.frames] == list(range(4507))
    assert plans[-1].frame_count == 7
    assert {p.frame_count for p in plans[:-1]} == {50}


def test_a_segment_hash_changes_when_one_input_etag_changes():
    plan = plan_segments(50, 50)[0]
    before = segment_hash(plan, refs(50), None, ENCODER.fingerprint())
    changed = refs(50)
    changed[17] = BlobRef("submissions/s1/large.jpg", "x")
    assert segment_hash(plan, changed, None, ENCODER.fingerprint()) != before
    assert segment_hash(plan, refs(50), None, ENCODER.fingerprint()) == before


def test_a_segment_hash_changes_with_the_encoder_settings_and_the_audio():
    plan = plan_segments(50, 50)[0]
    base = segment_hash(plan, refs(50), None, ENCODER.fingerprint())
    slower = EncoderSettings(640, 360, Fraction(25), "medium", 23, 1)
    assert segment_hash(plan, refs(50), None, slower.fingerprint()) != base
    assert segment_hash(plan, refs(50), BlobRef("a", "1"), ENCODER.fingerprint()) != base


def test_x264_params_make_one_closed_gop_per_segment_without_b_frames():
    params = ENCODER.x264_params(50)
    assert "keyint=50" in params
    assert "min-keyint=50" in params
    assert "scenecut=0" in params
    assert "bframes=0" in params
    assert "open-gop=0" in params
