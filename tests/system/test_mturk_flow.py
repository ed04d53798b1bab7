"""Mechanical Turk as moderation's crowd, through real processes: moto, the local MTurk
(30 % of its notifications dropped, some delivered twice) and the four services with
``MODERATION_CROWD_PROVIDER=mturk``. A visitor's photo goes to approved and into the
clip; reconcile (every 3 s) heals the lost notifications; the HIT's cost is counted once
in the video's spend."""

import uuid
from decimal import Decimal

import httpx
import pytest

from shared.bootstrap import ensure_mturk_queue
from shared.settings import AwsSettings
from tests.contribution import contribute
from tests.media import short_video
from tests.mturk_process import mturk_server
from tests.stack import import_with_cli

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
            OFOF_MTURK_QUEUE=queue,
            GATEWAY_VIDEO=VIDEO,
            MODERATION_CROWD_PROVIDER="mturk",
            MODERATION_MTURK_ENDPOINT_URL=mturk_url,
            MODERATION_MTURK_SUBMIT_URL=f"{mturk_url}/mturk/externalSubmit",
            MODERATION_MTURK_QUALIFICATIONS="[]",
            MODERATION_RECONCILE_SECONDS="3",
            MODERATION_OUTBOX_GRACE_SECONDS="4",
            MODERATION_CONSUMER_WAIT_SECONDS="1",
            MODERATION_DISCOVER_SECONDS="1",
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
