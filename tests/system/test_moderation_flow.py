"""Moderation through real processes: moto server, the local crowd, moderation under uvicorn.

Twenty submissions (ten good copies, five noise photos, five blanks) go onto the
``moderation`` queue, three of them twice. The crowd drops 30 % of its webhooks,
duplicates 10 %, delays deliveries so they overtake each other and sends some payloads
as one-element lists; reconcile runs every 3 s. Every submission must reach exactly one
verdict, every rejected slot must be back in ``frames`` exactly once, and the renderer
must get exactly one ``SubmissionModerated`` per submission.
"""

import asyncio
import collections
import json
from datetime import UTC, datetime

import httpx
import pytest

from services.ingest.keys import renditions_of
from services.moderation.slots.adapters.dynamo import DynamoSlotRegistry
from shared.aws import AwsClients
from shared.messages import SubmissionIngested, SubmissionModerated
from shared.queues import SqsQueueSender
from shared.records import original_key
from shared.settings import AwsSettings
from tests.crowd_process import crowd_server
from tests.pictures import blank, good_copy, jpeg, noise, original_frame
from tests.processes import PYTHON, answers, free_port, running, wait_for
from tests.stack import seed_video

pytestmark = pytest.mark.system

KEY = "system-crowd-key"
RECONCILE_SECONDS = 3
GRACE_SECONDS = 4
DECIDE_TIMEOUT_SECONDS = 90
CROWD = {
    "judgment_delay_seconds": 1.0,
    "judgment_jitter_seconds": 1.5,
    "webhook_drop_share": 0.3,
    "webhook_duplicate_share": 0.1,
    "webhook_reorder_seconds": 1.5,
    "webhook_list_share": 0.3,
    "extra_judgment_share": 0.3,
    "careless_share": 0.0,
    "seed": 2010,
}


def photos() -> dict[str, tuple[int, bytes, str]]:
    """submission id -> (frame, photo, expected verdict)."""
    plan: dict[str, tuple[int, bytes, str]] = {}
    for frame in range(10):
        plan[f"good-{frame}"] = (frame, good_copy(frame, variant=frame % 3), "approved")
    for frame in range(10, 15):
        plan[f"noise-{frame}"] = (frame, noise(seed=frame), "rejected")
    for frame, level in zip(range(15, 20), (0, 5, 250, 255, 128), strict=True):
        plan[f"blank-{frame}"] = (frame, blank(level), "rejected")
    return plan


def moderation_env(fields: dict[str, object], port: int, crowd_url: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": str(fields["aws_endpoint_url"]),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "OFOF_MEDIA_BUCKET": str(fields["media_bucket"]),
        "OFOF_FRAMES_QUEUE": str(fields["frames_queue"]),
        "OFOF_MODERATION_QUEUE": str(fields["moderation_queue"]),
        "OFOF_RENDER_QUEUE": str(fields["render_queue"]),
        "OFOF_REVIEWS_TABLE": str(fields["reviews_table"]),
        "MODERATION_PORT": str(port),
        "MODERATION_CROWD_BASE_URL": crowd_url,
        "MODERATION_CROWD_API_KEY": KEY,
        "MODERATION_WEBHOOK_URL": f"http://127.0.0.1:{port}/crowd/webhook",
        "MODERATION_RECONCILE_SECONDS": str(RECONCILE_SECONDS),
        "MODERATION_RECONCILE_LOCK_SECONDS": "30",
        "MODERATION_OUTBOX_GRACE_SECONDS": str(GRACE_SECONDS),
        "MODERATION_CONSUMER_WAIT_SECONDS": "1",
        # The video is imported after moderation starts: its feeder finds it within 2 s.
        "MODERATION_DISCOVER_SECONDS": "2",
    }


async def feed(aws: AwsClients, fields: dict[str, object], plan: dict) -> None:
    bucket = str(fields["media_bucket"])
    for sid, (frame, photo, _) in plan.items():
        await aws.s3.put_object(
            Bucket=bucket, Key=original_key("demo", frame), Body=jpeg(original_frame(frame))
        )
        await aws.s3.put_object(Bucket=bucket, Key=renditions_of(sid).medium, Body=photo)
    messages = [
        SubmissionIngested(
            submission_id=sid,
            video="demo",
            frame=frame,
            client_id=f"client-{sid}",
            display_name=sid,
            renditions=renditions_of(sid),
            width=320,
            height=180,
            created_at=datetime.now(UTC),
        )
        for sid, (frame, _, _) in plan.items()
    ]
    for message in [*messages, *messages[:2], messages[12]]:  # three redeliveries
        await SqsQueueSender(aws).send(str(fields["moderation_queue"]), message)


async def slots_registered(aws: AwsClients, fields: dict[str, object], frames: int) -> None:
    """Import the video by hand and wait until moderation's feeder has its slots."""
    await seed_video(aws, AwsSettings(**fields), video="demo", frames=frames, offer=False)  # type: ignore[arg-type]
    registry = DynamoSlotRegistry(aws.dynamodb, str(fields["reviews_table"]))

    async def registered() -> bool:
        feed = await registry.feed_of("demo")
        return feed is not None and feed.is_registered

    deadline = asyncio.get_running_loop().time() + 30
    while not await registered():
        assert asyncio.get_running_loop().time() < deadline, "slots never registered"
        await asyncio.sleep(0.2)


async def statuses(base_url: str, plan: dict) -> dict[str, dict]:
    async with httpx.AsyncClient(base_url=base_url, timeout=5.0) as client:
        deadline = asyncio.get_running_loop().time() + DECIDE_TIMEOUT_SECONDS
        while True:
            found = {sid: (await client.get(f"/reviews/{sid}")) for sid in plan}
            reviews = {sid: a.json() for sid, a in found.items() if a.status_code == 200}
            if len(reviews) == len(plan) and all(
                r["status"] != "pending" for r in reviews.values()
            ):
                return reviews
            if asyncio.get_running_loop().time() > deadline:
                undecided = sorted(
                    set(plan) - {s for s, r in reviews.items() if r["status"] != "pending"}
                )
                raise AssertionError(f"undecided after {DECIDE_TIMEOUT_SECONDS} s: {undecided}")
            await asyncio.sleep(0.5)


async def drain(aws: AwsClients, queue: str) -> list[str]:
    url = await aws.queue_url(queue)
    bodies: list[str] = []
    empty_polls = 0
    while empty_polls < 2:
        got = await aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        empty_polls = 0 if got.get("Messages") else empty_polls + 1
        for message in got.get("Messages", []):
            bodies.append(message["Body"])
            await aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


async def test_every_submission_gets_exactly_one_verdict_despite_a_lossy_crowd(
    aws, aws_fields, output_dir
):
    plan = photos()
    port = free_port()
    with crowd_server(KEY, output_dir / "system-crowd.log", **CROWD) as crowd_url:
        env = moderation_env(aws_fields, port, crowd_url)
        log_path = output_dir / "system-moderation.log"
        with running([PYTHON, "-m", "services.moderation"], env=env, log_path=log_path):
            base_url = f"http://127.0.0.1:{port}"
            wait_for(lambda: answers(f"{base_url}/readyz"), 30, "moderation ready")
            await slots_registered(aws, aws_fields, frames=len(plan))
            await feed(aws, aws_fields, plan)
            reviews = await statuses(base_url, plan)
            # Let late duplicate webhooks and a few reconcile passes (past the grace) happen.
            await asyncio.sleep(RECONCILE_SECONDS + GRACE_SECONDS + 2)
            async with httpx.AsyncClient(base_url=base_url) as client:
                recent = (await client.get("/reviews/recent", params={"limit": 10})).json()
        crowd_log = (output_dir / "system-crowd.log").read_text()
    moderation_log = (output_dir / "system-moderation.log").read_text()

    assert {sid: r["status"] for sid, r in reviews.items()} == {
        sid: p[2] for sid, p in plan.items()
    }
    for sid in plan:
        if sid.startswith("noise"):
            assert (
                reviews[sid]["reasons"] == ["low_mimic"] or "low_mimic" in reviews[sid]["reasons"]
            )
        if sid.startswith("blank"):
            assert reviews[sid]["reasons"][0].startswith("blank_")
            assert reviews[sid]["judgments"] == 0

    verdicts = [
        SubmissionModerated.model_validate_json(b)
        for b in await drain(aws, str(aws_fields["render_queue"]))
    ]
    assert collections.Counter(v.submission_id for v in verdicts) == collections.Counter(set(plan))
    assert {v.submission_id: v.verdict for v in verdicts} == {sid: p[2] for sid, p in plan.items()}

    registry = DynamoSlotRegistry(aws.dynamodb, str(aws_fields["reviews_table"]))
    for sid, (frame, _, verdict) in plan.items():
        slot = await registry.get("demo", frame)
        assert slot is not None and not slot.reviewing
        if verdict == "rejected":  # handed out again, exactly once despite redeliveries
            assert (slot.attempts, slot.approved) == (1, set()), sid
        else:
            assert (slot.attempts, slot.approved) == (0, {sid}), sid

    approved = [r["submission_id"] for r in recent["reviews"]]
    assert sorted(approved) == sorted(sid for sid, p in plan.items() if p[2] == "approved")
    decided_at = [r["decided_at"] for r in recent["reviews"]]
    assert decided_at == sorted(decided_at, reverse=True)

    summary = {
        "webhooks_dropped": crowd_log.count('"msg": "webhook dropped"'),
        "webhooks_sent": crowd_log.count('"msg": "webhook sent"'),
        "decided_via_webhook": moderation_log.count('"via": "webhook"'),
        "decided_via_reconcile": moderation_log.count('"via": "reconcile"'),
        "verdicts": len(verdicts),
    }
    (output_dir / "system-moderation-summary.json").write_text(json.dumps(summary))
    assert summary["decided_via_webhook"] + summary["decided_via_reconcile"] == 15
