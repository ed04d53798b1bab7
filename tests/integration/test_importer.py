import json

from shared.messages import FrameSlot
from shared.records import VideoRecord, audio_key, original_key, slots_sent_key, video_record_key
from tests.integration.importer_fixtures import import_short_video, importer_settings


async def drain(aws, queue):
    url = await aws.queue_url(queue)
    bodies = []
    while True:
        answer = await aws.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        )
        messages = answer.get("Messages", [])
        if not messages:
            return bodies
        for m in messages:
            bodies.append(FrameSlot.model_validate_json(m["Body"]))
            await aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


async def keys(aws, settings, prefix):
    answer = await aws.s3.list_objects_v2(Bucket=settings.media_bucket, Prefix=prefix)
    return {o["Key"]: o["ETag"] for o in answer.get("Contents", [])}


async def test_import_stores_frames_audio_record_and_one_slot_message_per_frame(
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
    slots = await drain(aws, settings.frames_queue)
    assert sorted(s.frame for s in slots) == list(range(25))


async def test_running_the_import_again_changes_nothing_and_sends_nothing(
    aws, aws_fields, tmp_path
):
    settings = importer_settings(aws_fields)
    await import_short_video(aws, settings, tmp_path, seconds=1.0)
    before = await keys(aws, settings, "originals/clip/")
    await drain(aws, settings.frames_queue)
    again = await import_short_video(aws, settings, tmp_path, seconds=1.0)
    assert (again.frames_uploaded, again.slots_sent) == (0, 0)
    assert await keys(aws, settings, "originals/clip/") == before
    assert await drain(aws, settings.frames_queue) == []


async def test_an_import_that_crashed_before_its_record_is_finished_by_a_rerun(
    aws, aws_fields, tmp_path
):
    settings = importer_settings(aws_fields)
    await import_short_video(aws, settings, tmp_path, seconds=1.0)
    await drain(aws, settings.frames_queue)
    # As if the first run died after some uploads: no record, no marker, frames 10.. missing.
    doomed = [video_record_key("clip"), slots_sent_key("clip")] + [
        original_key("clip", n) for n in range(10, 25)
    ]
    await aws.s3.delete_objects(
        Bucket=settings.media_bucket, Delete={"Objects": [{"Key": k} for k in doomed]}
    )
    again = await import_short_video(aws, settings, tmp_path, seconds=1.0)
    assert again.frames_uploaded == 15
    assert sorted(s.frame for s in await drain(aws, settings.frames_queue)) == list(range(25))


async def test_a_crash_while_sending_slots_resumes_after_the_last_recorded_batch(
    aws, aws_fields, tmp_path
):
    settings = importer_settings(aws_fields)
    await import_short_video(aws, settings, tmp_path, seconds=1.0)
    await drain(aws, settings.frames_queue)
    # As if the run died after two batches had been sent and recorded.
    await aws.s3.put_object(
        Bucket=settings.media_bucket,
        Key=slots_sent_key("clip"),
        Body=json.dumps({"sent": 20}).encode(),
    )
    again = await import_short_video(aws, settings, tmp_path, seconds=1.0)
    assert again.slots_sent == 5
    assert sorted(s.frame for s in await drain(aws, settings.frames_queue)) == list(range(20, 25))


async def test_the_video_record_is_readable_by_other_services(aws, aws_fields, tmp_path):
    settings = importer_settings(aws_fields)
    await import_short_video(aws, settings, tmp_path, seconds=1.0)
    answer = await aws.s3.get_object(Bucket=settings.media_bucket, Key=video_record_key("clip"))
    record = VideoRecord.model_validate_json(await answer["Body"].read())
    assert record.video == "clip"
    assert record.frame_count == 25
