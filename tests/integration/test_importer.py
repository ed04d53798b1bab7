"""The importer against the moto server: frames, audio and record; no messages."""

from shared.records import VideoRecord, audio_key, original_key, video_record_key
from tests.integration.importer_fixtures import import_short_video, importer_settings


async def keys(aws, settings, prefix):
    answer = await aws.s3.list_objects_v2(Bucket=settings.media_bucket, Prefix=prefix)
    return {o["Key"]: o["ETag"] for o in answer.get("Contents", [])}


async def test_import_stores_frames_audio_and_record_and_sends_no_message(
    aws, aws_fields, tmp_path
):
    settings = importer_settings(aws_fields)
    result = await import_short_video(aws, settings, tmp_path, seconds=1.0)
    assert result.record.frame_count == 25
    assert result.record.has_audio
    assert (result.record.width, result.record.height, result.record.fps) == (640, 360, 25)
    stored = await keys(aws, settings, "originals/clip/")
    assert original_key("clip", 0) in stored
    assert original_key("clip", 24) in stored
    assert audio_key("clip") in stored
    assert video_record_key("clip") in stored
    queues = await aws.sqs.list_queues(QueueNamePrefix=settings.frames_queue)
    assert queues.get("QueueUrls", []) == [], "moderation's feeder hands the slots out"


async def test_running_the_import_again_changes_nothing(aws, aws_fields, tmp_path):
    settings = importer_settings(aws_fields)
    await import_short_video(aws, settings, tmp_path, seconds=1.0)
    before = await keys(aws, settings, "originals/clip/")
    again = await import_short_video(aws, settings, tmp_path, seconds=1.0)
    assert again.frames_uploaded == 0
    assert await keys(aws, settings, "originals/clip/") == before


async def test_an_import_that_crashed_before_its_record_is_finished_by_a_rerun(
    aws, aws_fields, tmp_path
):
    settings = importer_settings(aws_fields)
    await import_short_video(aws, settings, tmp_path, seconds=1.0)
    # As if the first run died after some uploads: no record, frames 10.. missing.
    doomed = [video_record_key("clip")] + [original_key("clip", n) for n in range(10, 25)]
    await aws.s3.delete_objects(
        Bucket=settings.media_bucket, Delete={"Objects": [{"Key": k} for k in doomed]}
    )
    again = await import_short_video(aws, settings, tmp_path, seconds=1.0)
    assert again.frames_uploaded == 15
    assert len(await keys(aws, settings, "originals/clip/")) == 25 + 2


async def test_the_video_record_is_readable_by_other_services(aws, aws_fields, tmp_path):
    settings = importer_settings(aws_fields)
    await import_short_video(aws, settings, tmp_path, seconds=1.0)
    answer = await aws.s3.get_object(Bucket=settings.media_bucket, Key=video_record_key("clip"))
    record = VideoRecord.model_validate_json(await answer["Body"].read())
    assert record.video == "clip"
    assert record.frame_count == 25
