"""The crowd's launch rules through real processes: moto server, the local crowd, moderation.

- A job whose CML lacks the photo tags is caught: its workers see no photo, so even
  near-copies are rejected, while the job moderation builds itself approves them.
- An order the crowd refuses for lack of funds (402) leaves submissions pending with a
  visible reason; once funds arrive, reconcile orders them and each gets exactly one
  verdict.
"""

import asyncio
import collections
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from services.ingest.keys import renditions_of
from services.moderation.crowd.adapters.dynamo_jobs import DynamoCrowdJobs
from services.moderation.crowd.crowdflower.adapters.api import CML, JobSpec
from services.moderation.crowd.jobs import CrowdJob
from shared.aws import AwsClients
from shared.messages import SubmissionIngested, SubmissionModerated
from shared.queues import SqsQueueSender
from shared.records import original_key
from tests.crowd_process import crowd_server
from tests.pictures import good_copy, jpeg, noise, original_frame
from tests.processes import PYTHON, answers, free_port, running, wait_for
from tests.system.test_moderation_flow import KEY, drain, moderation_env

pytestmark = pytest.mark.system

CROWD = {"judgment_delay_seconds": 0.5, "judgment_jitter_seconds": 0.5, "seed": 77}
DECIDE_TIMEOUT_SECONDS = 90


async def feed(aws: AwsClients, fields: dict, video: str, photos: dict[str, tuple[int, bytes]]):
    bucket = str(fields["media_bucket"])
    for sid, (frame, photo) in photos.items():
        original = jpeg(original_frame(frame))
        await aws.s3.put_object(Bucket=bucket, Key=original_key(video, frame), Body=original)
        await aws.s3.put_object(Bucket=bucket, Key=renditions_of(sid).medium, Body=photo)
        message = SubmissionIngested(
            submission_id=sid,
            video=video,
            frame=frame,
            client_id=f"client-{sid}",
            renditions=renditions_of(sid),
            width=320,
            height=180,
            created_at=datetime.now(UTC),
        )
        await SqsQueueSender(aws).send(str(fields["moderation_queue"]), message)


async def reviews_when(base_url: str, sids, done) -> dict[str, dict]:
    async with httpx.AsyncClient(base_url=base_url, timeout=5.0) as client:
        deadline = asyncio.get_running_loop().time() + DECIDE_TIMEOUT_SECONDS
        while True:
            found = {sid: await client.get(f"/reviews/{sid}") for sid in sids}
            reviews = {s: a.json() for s, a in found.items() if a.status_code == 200}
            if len(reviews) == len(sids) and all(done(r) for r in reviews.values()):
                return reviews
            assert asyncio.get_running_loop().time() < deadline, f"not there in time: {reviews}"
            await asyncio.sleep(0.5)


@contextmanager
def moderation(aws_fields: dict, crowd_url: str, log_path: Path) -> Iterator[str]:
    """Moderation under uvicorn against ``crowd_url``; yields its base URL once ready."""
    port = free_port()
    env = moderation_env(aws_fields, port, crowd_url)
    with running([PYTHON, "-m", "services.moderation"], env=env, log_path=log_path):
        base_url = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{base_url}/readyz"), 30, "moderation ready")
        yield base_url


def is_decided(review: dict) -> bool:
    return review["status"] != "pending"


async def seed_blind_job(crowd_url: str, aws: AwsClients, table: str, video: str) -> None:
    """A job made by a build whose CML lacked the photo tags, remembered for ``video``
    with its gold already in place (so moderation reuses it as it is)."""
    blind = CML.replace("{{photo_url}}", "").replace("{{original_url}}", "")
    form = JobSpec("Blind", 3, "").job_form(video) | {"job[cml]": blind}
    async with httpx.AsyncClient(base_url=crowd_url) as http:
        job = (await http.post("/v1/jobs.json", params={"key": KEY}, data=form)).json()
    jobs = DynamoCrowdJobs(aws.dynamodb, table)
    remembered = CrowdJob(video, str(job["id"]), {"none": "0"}, datetime.now(UTC))
    await jobs.remember(remembered)
    await jobs.update(remembered)


async def test_a_cml_without_photo_tags_is_caught_and_our_own_cml_approves_near_copies(
    aws, aws_fields, output_dir
):
    table = str(aws_fields["reviews_table"])
    good = {f"good-{f}": (f, good_copy(f, variant=f % 3)) for f in range(3)}
    rubbish = {f"noise-{f}": (f, noise(seed=f)) for f in range(3, 5)}
    blind = {f"blind-{f}": (f, good_copy(f, variant=f % 3)) for f in range(3)}
    with crowd_server(KEY, output_dir / "launch-crowd.log", **CROWD) as crowd_url:
        await seed_blind_job(crowd_url, aws, table, "blind")
        with moderation(aws_fields, crowd_url, output_dir / "launch-moderation.log") as base_url:
            await feed(aws, aws_fields, "demo", good | rubbish)
            await feed(aws, aws_fields, "blind", blind)
            reviews = await reviews_when(base_url, [*good, *rubbish, *blind], is_decided)
    assert {sid: reviews[sid]["status"] for sid in good} == dict.fromkeys(good, "approved")
    assert {sid: reviews[sid]["status"] for sid in rubbish} == dict.fromkeys(rubbish, "rejected")
    assert {sid: reviews[sid]["status"] for sid in blind} == dict.fromkeys(blind, "rejected")
    assert all("low_mimic" in reviews[sid]["reasons"] for sid in blind)


async def test_a_402_leaves_submissions_pending_until_funds_arrive_then_one_verdict_each(
    aws, aws_fields, output_dir
):
    photos = {f"funded-{f}": (f, good_copy(f)) for f in range(3)}
    crowd_log, moderation_log = output_dir / "funds-crowd.log", output_dir / "funds-moderation.log"
    with (
        crowd_server(KEY, crowd_log, funds_cents=0, **CROWD) as crowd_url,
        moderation(aws_fields, crowd_url, moderation_log) as base_url,
    ):
        await feed(aws, aws_fields, "funds", photos)
        waiting = await reviews_when(
            base_url, list(photos), lambda r: r["reasons"] == ["crowd_funds_short"]
        )
        assert {r["status"] for r in waiting.values()} == {"pending"}
        await asyncio.sleep(2)  # a few reconcile passes: still refused, still pending
        async with httpx.AsyncClient(base_url=crowd_url) as http:
            units = await http.get("/v1/jobs/1/judgments.json", params={"key": KEY})
            assert units.json() == {}  # nothing was judged without an order
            await http.post("/sim/funds", params={"key": KEY}, data={"cents": "100000"})
        reviews = await reviews_when(base_url, list(photos), is_decided)
        await asyncio.sleep(4)  # late reconcile passes change nothing
    assert {r["status"] for r in reviews.values()} == {"approved"}
    assert all(r["reasons"] == [] for r in reviews.values())
    verdicts = [
        SubmissionModerated.model_validate_json(b)
        for b in await drain(aws, str(aws_fields["render_queue"]))
    ]
    assert collections.Counter(v.submission_id for v in verdicts) == collections.Counter(
        list(photos)
    )
