"""The importer's command line as an operator runs it: a real process against moto."""

import os
import subprocess

from shared.records import VideoRecord, audio_key, original_key, originals_prefix, video_record_key
from tests.media import short_video
from tests.peeks import keys
from tests.processes import PYTHON, ROOT
from tests.stack import aws_env


def importer(aws_fields, *args):
    return subprocess.run(
        [PYTHON, "-m", "importer", *args],
        cwd=ROOT,
        env={**os.environ, **aws_env(aws_fields)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_the_three_commands():
    answer = importer({}, "--help")
    assert answer.returncode == 0
    for command in ("video", "demo", "status"):
        assert command in answer.stdout


async def test_the_video_command_imports_a_clip_into_the_bucket(aws, aws_fields, tmp_path):
    clip = short_video(tmp_path / "clip.mp4", seconds=1.0)
    answer = importer(aws_fields, "video", str(clip), "--video", "clip")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == (
        "imported clip: 25 frames (25 uploaded); moderation hands its slots out from now on"
    )
    stored = await keys(aws, aws_fields["media_bucket"], originals_prefix("clip"))
    assert {original_key("clip", 0), original_key("clip", 24), audio_key("clip")} <= set(stored)


async def test_a_second_run_of_the_video_command_changes_nothing(aws, aws_fields, tmp_path):
    clip = short_video(tmp_path / "clip.mp4", seconds=1.0)
    assert importer(aws_fields, "video", str(clip), "--video", "clip").returncode == 0
    before = await keys(aws, aws_fields["media_bucket"], originals_prefix("clip"))
    again = importer(aws_fields, "video", str(clip), "--video", "clip")
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout
    assert await keys(aws, aws_fields["media_bucket"], originals_prefix("clip")) == before


async def test_a_file_that_is_not_a_video_is_refused_before_anything_is_stored(
    aws, aws_fields, tmp_path
):
    bad = tmp_path / "notes.mp4"
    bad.write_text("these are notes, not a video")
    answer = importer(aws_fields, "video", str(bad), "--video", "clip")
    assert answer.returncode != 0
    assert f"{bad} is not a readable video" in answer.stderr
    assert "Traceback" not in answer.stderr
    assert await keys(aws, aws_fields["media_bucket"], originals_prefix("clip")) == []


def test_a_missing_file_and_a_bad_video_name_are_refused(aws_fields, tmp_path):
    missing = importer(aws_fields, "video", str(tmp_path / "nope.mp4"), "--video", "clip")
    assert missing.returncode != 0
    assert "nope.mp4 is not a readable video" in missing.stderr
    clip = short_video(tmp_path / "clip.mp4", seconds=0.2)
    badly_named = importer(aws_fields, "video", str(clip), "--video", "My Clip")
    assert badly_named.returncode != 0
    assert "lowercase letters, digits and dashes" in badly_named.stderr


async def test_the_demo_command_generates_and_imports_the_demo_and_status_shows_it(aws, aws_fields):
    answer = importer(aws_fields, "demo", "--video", "demo", "--seconds", "0.4")
    assert answer.returncode == 0, answer.stderr
    stored = await aws.s3.get_object(
        Bucket=aws_fields["media_bucket"], Key=video_record_key("demo")
    )
    record = VideoRecord.model_validate_json(await stored["Body"].read())
    assert (record.frame_count, record.has_audio) == (10, True)
    status = importer(aws_fields, "status", "--video", "demo")
    assert status.returncode == 0, status.stderr
    assert "frames stored 10" in status.stdout
    assert "complete      yes" in status.stdout


async def test_an_unreachable_aws_is_one_clear_error_line(aws_fields, tmp_path):
    clip = short_video(tmp_path / "clip.mp4", seconds=0.2)
    offline = aws_fields | {"aws_endpoint_url": "http://127.0.0.1:9", "aws_max_attempts": 1}
    answer = importer(offline, "video", str(clip), "--video", "clip")
    assert answer.returncode == 1
    assert "error:" in answer.stderr
    assert "Traceback" not in answer.stderr
