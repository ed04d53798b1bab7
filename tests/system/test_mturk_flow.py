"""Mechanical Turk as moderation's crowd, through real processes: moto, the local MTurk
(30 % of its notifications dropped, some delivered twice) and the four services with
``MODERATION_CROWD_PROVIDER=mturk``. A visitor's photo goes to approved and into the
clip; reconcile (every 3 s) heals the lost notifications; the HIT's cost is counted once
in the video's spend."""

import asyncio
import uuid
from decimal import Decimal

import httpx
import pytest

from shared.bootstrap import ensure_mturk_queue
from shared.messages import SubmissionModerated
from shared.settings import AwsSettings
from tests.contribution import contribute, poll
from tests.media import short_video
from tests.mturk_process import mturk_server
from tests.outages import submit_for_review
from tests.pictures import good_copy, noise
from tests.stack import import_with_cli, seed_video

pytestmark = pytest.mark.system
VIDEO = "turk"
MTURK = {
    "judgment_delay_seconds": 0.5,
    "judgment_jitter_seconds": 0.5,
    "assignment_gap_seconds": 0.2,
    "untrusted_share": 0.0,
    "careless_share": 0.0,
    "drop_notifications": 0.3,
    "duplicate_notifications": 0.3,
    "seed": 2017,
}


def moderation_on_mturk(queue: str, mturk_url: str) -> dict[str, str]:
    """Settings of a moderation process whose crowd is the local MTurk."""
    return {
        "OFOF_MTURK_QUEUE": queue,
        "MODERATION_CROWD_PROVIDER": "mturk",
        "MODERATION_MTURK_ENDPOINT_URL": mturk_url,
        "MODERATION_MTURK_SUBMIT_URL": f"{mturk_url}/mturk/externalSubmit",
        "MODERATION_MTURK_QUALIFICATIONS": "[]",
        "MODERATION_RECONCILE_SECONDS": "3",
        "MODERATION_OUTBOX_GRACE_SECONDS": "4",
        "MODERATION_CONSUMER_WAIT_SECONDS": "1",
        "MODERATION_DISCOVER_SECONDS": "1",
    }


async def test_an_uploaded_photo_is_approved_on_mturk_and_reaches_the_clip(
    aws, aws_fields, stack_factory, output_dir, tmp_path
):
    queue = f"ofof-mturk-{uuid.uuid4().hex[:8]}"
    await ensure_mturk_queue(aws, AwsSettings(**aws_fields, mturk_queue=queue))
    import_with_cli(aws_fields, short_video(tmp_path / "source.mp4", seconds=1.0), VIDEO)
    # Moderation signs its MTurk calls with the AWS keys it has (moto's "testing").
    keys = {"access_key_id": "testing", "secret_access_key": "testing"}
    sqs = str(aws_fields["aws_endpoint_url"])
    with mturk_server(
        output_dir / "mturk-flow.log", sqs_endpoint_url=sqs, **keys, **MTURK
    ) as mturk_url:
        stack = stack_factory(
            ["ingest", "moderation", "renderer", "gateway"],
            **moderation_on_mturk(queue, mturk_url),
            GATEWAY_VIDEO=VIDEO,
            RENDERER_WORK_DIR=str(tmp_path / "work"),
            RENDERER_DEFAULT_VIDEO=VIDEO,
            RENDERER_MIN_INTERVAL_SECONDS="1",
            RENDERER_MAX_DELAY_SECONDS="3",
        )
        await contribute(stack.urls["gateway"])
        spend = httpx.get(f"{stack.urls['moderation']}/videos/{VIDEO}/spend").json()
    assert spend["hits"] == 1
    # 3 assignments of $0.05 plus MTurk's 20 % (at least a cent each).
    assert Decimal(spend["total"]) == Decimal("0.18")


async def test_with_every_notification_lost_reconcile_alone_decides_each_photo_once(
    aws, aws_fields, stack_factory, output_dir
):
    queue = f"ofof-mturk-{uuid.uuid4().hex[:8]}"
    await ensure_mturk_queue(aws, AwsSettings(**aws_fields, mturk_queue=queue))
    await seed_video(aws, AwsSettings(**aws_fields), video="demo", frames=4, offer=False)
    keys = {"access_key_id": "testing", "secret_access_key": "testing"}
    lossy = {**MTURK, "drop_notifications": 1.0}
    sqs = str(aws_fields["aws_endpoint_url"])
    plan = {"good-1": (1, good_copy(1)), "noise-2": (2, noise(seed=2))}
    with mturk_server(output_dir / "mturk-lost.log", sqs_endpoint_url=sqs, **keys, **lossy) as url:
        stack = stack_factory(["moderation"], **moderation_on_mturk(queue, url))
        for sid, (frame, photo) in plan.items():
            await submit_for_review(aws, AwsSettings(**aws_fields), sid, frame, photo)
        async with httpx.AsyncClient(base_url=stack.urls["moderation"], timeout=10) as http:
            for sid, expected in (("good-1", "approved"), ("noise-2", "rejected")):
                answer = await poll(
                    lambda s=sid: http.get(f"/reviews/{s}"),
                    lambda r: r.status_code == 200 and r.json()["status"] != "pending",
                    90,
                    f"the verdict of {sid}",
                )
                assert answer.json()["status"] == expected
            await asyncio.sleep(4)  # a reconcile pass more: nothing is decided twice
            spend = (await http.get("/videos/demo/spend")).json()
        verdicts = await render_messages(aws, str(aws_fields["render_queue"]))
    assert spend["hits"] == 2
    assert sorted(v.submission_id for v in verdicts) == sorted(plan)
    assert "notification dropped" in (output_dir / "mturk-lost.log").read_text()


async def render_messages(aws, queue: str) -> list[SubmissionModerated]:
    """Every verdict sent to the renderer (received until the queue is empty)."""
    url = await aws.queue_url(queue)
    found: list[SubmissionModerated] = []
    while got := (await aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)).get(
        "Messages"
    ):
        found += [SubmissionModerated.model_validate_json(m["Body"]) for m in got]
    return found
