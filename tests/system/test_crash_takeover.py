"""A service ``kill -9``ed while it holds a lock: its restart takes over within seconds.

Real processes on loopback: the moto server, the local crowd, moderation or the
renderer. Each victim is frozen and killed at a moment its lock item is valid, so the
dead process never releases it; the restarted process must not wait for a long expiry.
"""

import asyncio
import time

import httpx
import pytest

from tests.crashes import kill_while_holding
from tests.crowd_process import crowd_server
from tests.media import short_video
from tests.processes import PYTHON, answers, free_port, running, wait_for
from tests.stack import import_with_cli, renderer_env
from tests.system.test_moderation_flow import KEY, feed, moderation_env, photos, statuses
from tests.system.test_renderer_pipeline import clip_if, poll

pytestmark = pytest.mark.system

# A restart takes over a dead holder's lock (15 s) and finishes its work within this.
TAKEOVER_SECONDS = 45
# The crowd answers this long after a unit is created: after moderation was killed.
JUDGING_SECONDS = 8.0
CROWD = {
    "judgment_delay_seconds": JUDGING_SECONDS,
    "judgment_jitter_seconds": 1.0,
    "careless_share": 0.0,
    "seed": 13,
}


async def every_review_stored(aws, fields, base_url: str, plan: dict) -> None:
    """Wait until each submission has its review and the moderation queue is empty."""
    url = await aws.queue_url(str(fields["moderation_queue"]))
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]

    async def stored() -> bool:
        async with httpx.AsyncClient(base_url=base_url, timeout=5.0) as client:
            found = [(await client.get(f"/reviews/{sid}")).status_code for sid in plan]
        left = await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)
        return found == [200] * len(plan) and set(left["Attributes"].values()) == {"0"}

    await poll(stored, 30, "every review stored")


async def test_moderation_killed_while_reconciling_collects_lost_verdicts_on_restart(
    aws, aws_fields, output_dir
):
    plan = photos()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    crowd_log = output_dir / "crash-crowd.log"
    with crowd_server(KEY, crowd_log, **CROWD) as crowd_url:
        env = moderation_env(aws_fields, port, crowd_url)
        del env["MODERATION_RECONCILE_LOCK_SECONDS"]  # the default lock is under test
        busy = env | {"MODERATION_RECONCILE_SECONDS": "0.2"}
        with running(
            [PYTHON, "-m", "services.moderation"], env=busy, log_path=output_dir / "crash-m1.log"
        ) as first:
            wait_for(lambda: answers(f"{base_url}/readyz"), 30, "moderation ready")
            fed_at = time.monotonic()
            await feed(aws, aws_fields, plan)
            await every_review_stored(aws, aws_fields, base_url, plan)
            table = str(aws_fields["reviews_table"])
            await kill_while_holding(first, aws, table, "reconcile", 30)
        # The crowd judges while moderation is down: those webhooks fail, for good.
        await asyncio.sleep(max(0.0, fed_at + JUDGING_SECONDS + 3 - time.monotonic()))
        quiet = env | {"MODERATION_RECONCILE_SECONDS": "3600"}  # only the start's pass helps
        with running(
            [PYTHON, "-m", "services.moderation"], env=quiet, log_path=output_dir / "crash-m2.log"
        ):
            wait_for(lambda: answers(f"{base_url}/readyz"), 30, "moderation ready again")
            restarted_at = time.monotonic()
            reviews = await statuses(base_url, plan)
            took = time.monotonic() - restarted_at
    (output_dir / "crash-moderation-takeover.txt").write_text(f"{took:.1f} s\n")
    assert {sid: r["status"] for sid, r in reviews.items()} == {
        sid: p[2] for sid, p in plan.items()
    }
    assert '"msg": "webhook failed"' in crowd_log.read_text()
    assert took <= TAKEOVER_SECONDS


async def test_a_renderer_killed_mid_render_publishes_soon_after_its_restart(
    aws, aws_fields, tmp_path, output_dir
):
    env = import_with_cli(aws_fields, short_video(tmp_path / "source.mp4", seconds=2.0), "sys")
    port = free_port()
    service_env = renderer_env(env, port, tmp_path / "work", "sys")
    renderer = [PYTHON, "-m", "services.renderer"]
    table = str(aws_fields["slots_table"])
    with running(renderer, env=service_env, log_path=output_dir / "crash-r1.log") as first:
        await kill_while_holding(first, aws, table, "render#sys", 60)  # its first render
    killed_at = time.monotonic()
    with running(renderer, env=service_env, log_path=output_dir / "crash-r2.log"):
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{base}/readyz"), 60, "the renderer again")
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            clip = await poll(lambda: clip_if(http, lambda c: True), 90, "a clip after restart")
        took = time.monotonic() - killed_at
    (output_dir / "crash-renderer-takeover.txt").write_text(f"{took:.1f} s\n")
    assert clip["frame_count"] == 50
    assert took <= TAKEOVER_SECONDS
