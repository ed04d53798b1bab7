"""CrowdflowerClient against the real local crowd process, photos served by moto S3."""

import asyncio

import httpx
import pytest
from pydantic import SecretStr

from services.moderation.crowd.crowdflower.adapters.api import CrowdflowerClient, JobSpec
from services.moderation.crowd.crowdflower.gold import gold_cases
from services.moderation.crowd.crowdflower.ports import GoldRequest, UnitRequest
from services.moderation.reviews.ports import CrowdUnavailable, CrowdUnfunded
from shared.aws import AwsClients
from shared.objects import S3ObjectStore
from tests.crowd_process import crowd_server
from tests.pictures import good_copy, jpeg, noise, original_frame

KEY = "crowd-test-key"
SPEC = JobSpec(title_prefix="Test", judgments_per_unit=3, webhook_uri="")


@pytest.fixture(scope="module")
def crowd_url(output_dir):
    # No gold in these jobs, so every worker counts: the pool has no sloppy ones.
    settings = {
        "judgment_delay_seconds": 0.2,
        "judgment_jitter_seconds": 0.1,
        "seed": 4,
        "untrusted_share": 0.0,
        "careless_share": 0.0,
        "funds_cents": 1000,
    }
    with crowd_server(KEY, output_dir / "crowd-adapter.log", **settings) as url:
        yield url


@pytest.fixture
async def http(crowd_url):
    async with httpx.AsyncClient(base_url=crowd_url, timeout=5.0) as client:
        yield client


async def upload(aws: AwsClients, bucket: str, photos: dict[str, bytes]) -> S3ObjectStore:
    for key, data in photos.items():
        await aws.s3.put_object(Bucket=bucket, Key=key, Body=data)
    return S3ObjectStore(aws.s3, bucket)


async def judged(client: CrowdflowerClient, job: str, unit: str, count: int) -> list:
    for _ in range(100):
        found = await client.judgments(job, unit)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"unit {unit} has {len(found)} judgments")


async def test_one_job_per_video_is_found_again_rather_than_created_twice(http):
    first = CrowdflowerClient(http, SecretStr(KEY), SPEC)
    second = CrowdflowerClient(http, SecretStr(KEY), SPEC, key_in_header=True)
    job = await first.ensure_job("video-a")
    assert await second.ensure_job("video-a") == job
    assert await first.ensure_job("video-b") != job


async def test_workers_rate_a_copy_high_and_noise_low(http, aws, aws_fields):
    media = await upload(
        aws,
        str(aws_fields["media_bucket"]),
        {"o.jpg": jpeg(original_frame(2)), "copy.jpg": good_copy(2), "noise.jpg": noise()},
    )
    client = CrowdflowerClient(http, SecretStr(KEY), SPEC)
    job = await client.ensure_job("video-c")
    units = {}
    for name in ("copy", "noise"):
        request = UnitRequest(
            name, await media.url(f"{name}.jpg", 600), await media.url("o.jpg", 600)
        )
        units[name] = await client.create_unit(job, request)
        await client.order(job, 1)
    assert await client.find_unit(job, "noise") == units["noise"]
    assert await client.find_unit(job, "nobody") is None
    copy = await judged(client, job, units["copy"], 3)
    rubbish = await judged(client, job, units["noise"], 3)
    assert min(j.mimic for j in copy if j.trust >= 0.7) >= 4
    assert max(j.mimic for j in rubbish if j.trust >= 0.7) <= 2
    assert len({j.judgment_id for j in copy + rubbish}) == len(copy) + len(rubbish)


async def test_a_wrong_key_is_a_crowd_failure_that_is_not_retried(http):
    client = CrowdflowerClient(http, SecretStr("wrong"), SPEC, retry_seconds=5)
    with pytest.raises(CrowdUnavailable) as caught:
        await client.ensure_job("video-d")
    assert not caught.value.transient
    assert "wrong" not in caught.value.detail


async def test_an_unreachable_crowd_is_retried_for_a_bounded_time_then_unavailable():
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9", timeout=0.5) as dead:
        client = CrowdflowerClient(dead, SecretStr(KEY), SPEC, retry_seconds=1.0)
        started = asyncio.get_running_loop().time()
        with pytest.raises(CrowdUnavailable) as caught:
            await client.ensure_job("video-e")
    assert caught.value.transient
    assert KEY not in caught.value.detail
    assert asyncio.get_running_loop().time() - started < 5


async def test_units_wait_unjudged_until_ordered_and_a_402_is_unfunded_not_lost(http):
    client = CrowdflowerClient(http, SecretStr(KEY), SPEC)
    job = await client.ensure_job("video-f")
    unit = await client.create_unit(
        job, UnitRequest("s-f", "http://127.0.0.1:9/p", "http://127.0.0.1:9/o")
    )
    await asyncio.sleep(0.6)  # past the judging delay: an unordered unit is never judged
    assert await client.judgments(job, unit) == []
    assert await client.unit_state(job, unit) == "new"
    await client.refresh_unit(job, unit, UnitRequest("s-f", "http://x/p2", "http://x/o2"))
    shown = await http.get(f"/v1/jobs/{job}/units/{unit}.json", params={"key": KEY})
    assert (shown.json()["state"], shown.json()["data"]["photo_url"]) == ("new", "http://x/p2")
    spent = (await http.post("/sim/funds", params={"key": KEY}, data={"cents": "0"})).json()
    expensive = CrowdflowerClient(
        http, SecretStr(KEY), JobSpec("Dear", 3, "", payment_cents=spent["funds_cents"] + 1)
    )
    dear_job = await expensive.ensure_job("video-g")
    await expensive.create_unit(dear_job, UnitRequest("s-g", "http://x/p", "http://x/o"))
    with pytest.raises(CrowdUnfunded):
        await expensive.order(dear_job, 1)
    await client.order(job, 1)
    assert await client.unit_state(job, unit) in {"judgable", "finalized"}


async def test_gold_units_are_created_golden_listed_by_name_and_refreshed(http):
    client = CrowdflowerClient(http, SecretStr(KEY), SPEC)
    job = await client.ensure_job("video-h")
    cases = gold_cases(1)
    made = {}
    for case in cases:
        gold = GoldRequest(case.name, "http://x/p", "http://x/o", case.answers())
        made[case.name] = await client.create_gold(job, gold)
    assert await client.gold_units(job) == made
    unit = made[cases[0].name]
    fresh = GoldRequest(cases[0].name, "http://x/p2", "http://x/o2", cases[0].answers())
    await client.refresh_gold(job, unit, fresh)
    shown = (await http.get(f"/v1/jobs/{job}/units/{unit}.json", params={"key": KEY})).json()
    assert (shown["state"], shown["data"]["photo_url"]) == ("golden", "http://x/p2")
    assert shown["data"]["mimic_gold"] == "4\n5"


async def test_lookups_page_past_a_full_page_of_units_and_of_jobs(http):
    client = CrowdflowerClient(http, SecretStr(KEY), SPEC)
    job = await client.ensure_job("video-paged")
    rows = "\n".join(f'{{"submission_id": "bulk-{n}"}}' for n in range(1001))
    uploaded = await http.put(
        f"/v1/jobs/{job}/upload.json",
        params={"key": KEY},
        content=rows,
        headers={"Content-Type": "application/json"},
    )
    assert uploaded.status_code == 200
    assert await client.find_unit(job, "bulk-1000") is not None
    assert await client.find_unit(job, "bulk-none") is None
    for n in range(11):
        await CrowdflowerClient(http, SecretStr(KEY), JobSpec(f"Filler{n}", 3, "")).ensure_job("v")
    again = CrowdflowerClient(http, SecretStr(KEY), SPEC)
    assert await again.ensure_job("video-paged") == job
