"""A render against moto: import, slots, incremental segments, S3 publishing."""

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import av
import pytest

from services.renderer.renders.consumers import VerdictConsumer
from shared.messages import SubmissionModerated
from shared.records import ClipPointer, current_clip_key, rendition_key
from tests.integration.renderer_fixtures import import_short_video, renderer_deps, renderer_settings
from tests.media import audio_seconds, decoded_frames, jpeg, mean_rgb

RED = (220, 30, 30)


@pytest.fixture
async def deps(aws, aws_fields, tmp_path):
    # 0.4 s segments: the 2 s clip is 5 segments of 10 frames.
    settings = renderer_settings(
        aws_fields, tmp_path / "work", segment_seconds=0.4, retained_versions=2
    )
    await import_short_video(aws, settings, tmp_path, seconds=2.0)
    return renderer_deps(settings, aws)


async def approve(deps, submission, frame, score=0.8, colour=RED):
    await deps.aws.s3.put_object(
        Bucket=deps.store.bucket,
        Key=rendition_key(submission, "large"),
        Body=jpeg(colour, (640, 360)),
    )
    verdict = SubmissionModerated(
        submission_id=submission,
        video="clip",
        frame=frame,
        verdict="approved",
        score=score,
        judgments=3,
        decided_at=datetime.now(UTC),
    )
    deps.renderer.agenda.pending.clear()
    await VerdictConsumer(deps.renderer)(verdict.to_body())
    return sorted(deps.renderer.agenda.pending)  # the videos noted for a render


def audio_packet_times(mp4):
    with av.open(str(mp4)) as container:
        packets = [p for p in container.demux(audio=0) if p.size]
    return [p.pts for p in packets], [p.duration for p in packets]


async def download(deps, key, path):
    await deps.store.download(key, path)
    return path


async def test_a_first_render_publishes_a_clip_with_every_frame_and_the_audio(deps, tmp_path):
    report = await deps.renderer.render("clip")
    assert report.published == {"s3": "published"}
    assert (report.encoded_segments, report.reused_segments, report.frame_count) == (5, 0, 50)
    current, _ = await deps.s3_publisher.current("clip")
    assert current.version == report.version
    assert current.filled_slots == 0
    mp4 = await download(deps, current.mp4_key, tmp_path / "clip.mp4")
    assert len(decoded_frames(mp4)) == 50
    assert abs(audio_seconds(mp4) - 2.0) < 0.1
    starts, durations = audio_packet_times(mp4)
    assert all(b - a == 1024 for a, b in itertools.pairwise(starts))  # no gaps
    assert set(durations) == {1024}
    playlist = (await deps.store.get(current.hls_key)).data.decode()
    assert playlist.count("#EXTINF:0.400000,") == 5
    assert (await deps.store.get(current.poster_key)).data[:2] == b"\xff\xd8"


async def test_a_render_with_nothing_new_encodes_and_publishes_nothing(deps):
    first = await deps.renderer.render("clip")
    again = await deps.renderer.render("clip")
    assert again.published == {"s3": "unchanged"}
    assert (again.encoded_segments, again.clip_hash) == (0, first.clip_hash)


async def test_one_approved_photo_re_encodes_only_its_segment_and_shows_at_its_slot(deps, tmp_path):
    await deps.renderer.render("clip")
    assert await approve(deps, "sub-1", frame=23) == ["clip"]
    report = await deps.renderer.render("clip")
    assert (report.encoded_segments, report.reused_segments, report.filled_slots) == (1, 4, 1)
    current, _ = await deps.s3_publisher.current("clip")
    assert (current.filled_slots, current.filled_frames) == (1, [23])
    frames = decoded_frames(await download(deps, current.mp4_key, tmp_path / "clip.mp4"))
    assert len(frames) == 50
    box = (200, 120, 440, 240)
    assert all(abs(g - c) <= 12 for g, c in zip(mean_rgb(frames[23], box), RED, strict=True))
    assert mean_rgb(frames[22], box) != mean_rgb(frames[23], box)


async def test_only_the_latest_versions_are_kept(deps):
    for n in range(4):
        await approve(deps, f"sub-{n}", frame=n * 10, score=0.5)
        await deps.renderer.render("clip")
    versions = await deps.store.prefixes("clips/clip/")
    current, _ = await deps.s3_publisher.current("clip")
    assert len(versions) == 2
    assert f"clips/clip/{current.version}/" in versions


def pointer(version, built_at):
    return ClipPointer(
        video="clip",
        version=version,
        clip_hash=version,
        mp4_key=f"clips/clip/{version}/clip.mp4",
        poster_key="p",
        hls_key="h",
        frame_count=1,
        filled_slots=0,
        duration_seconds=1.0,
        built_at=built_at,
        render_seconds=1.0,
        published_at=built_at,
    )


async def test_an_older_clip_never_replaces_a_newer_pointer(deps):
    now = datetime.now(UTC)
    assert await deps.s3_publisher.swap(pointer("new", now))
    assert not await deps.s3_publisher.swap(pointer("old", now - timedelta(seconds=5)))
    assert (await deps.s3_publisher.current("clip"))[0].version == "new"


async def test_concurrent_publishers_do_not_interleave_and_the_newest_clip_wins(deps):
    now = datetime.now(UTC)
    pointers = [pointer(f"v{n}", now + timedelta(seconds=n)) for n in (3, 0, 5, 1, 4, 2)]
    await asyncio.gather(*(deps.s3_publisher.swap(p) for p in pointers))
    data = (await deps.store.get(current_clip_key("clip"))).data
    assert ClipPointer.model_validate_json(data).version == "v5"
