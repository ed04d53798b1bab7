"""Conformance of the local crowd, driven by an independent published v1 client.

Appen's own ``adapapi`` (PyPI, 0.1.1, Python 3) runs in its own virtualenv
(``tests/.venv-adapapi``, made on first use) against the local crowd as a real process:
it creates a job from a JSON body, uploads rows as newline-delimited JSON, pages the job
list with a GET carrying a JSON body until an empty page, reads the job's counts, orders
units on ``cf_internal`` with a JSON order, reads units with their results and changes a
unit's state. Our own adapter then reads the same units and judgments.
"""

import asyncio
import json
import subprocess
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bench.venvs import side_venv
from services.moderation.crowd.crowdflower.adapters.api import CML, CrowdflowerClient, JobSpec
from tests.crowd_process import crowd_server
from tests.pictures import good_copy, jpeg, original_frame

KEY = "conformance-key"
ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "tests" / ".venv-adapapi"
DRIVER = ROOT / "tests" / "adapapi_driver.py"
PACKAGES = ["adapapi==0.1.1", "pandas", "glog", "requests"]


@pytest.fixture(scope="module")
def adapapi_python() -> Path:
    try:
        return side_venv(VENV, PACKAGES)
    except (subprocess.CalledProcessError, OSError) as exc:
        pytest.fail(f"cannot install adapapi's virtualenv: {exc}")


def drive(python: Path, base_url: str, *args: str) -> dict:
    done = subprocess.run(
        [str(python), str(DRIVER), base_url, KEY, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


async def test_appens_own_client_creates_uploads_pages_orders_and_reads(
    adapapi_python, aws, aws_fields, output_dir
):
    bucket = str(aws_fields["media_bucket"])
    for name, data in {"o.jpg": jpeg(original_frame(4)), "c.jpg": good_copy(4)}.items():
        await aws.s3.put_object(Bucket=bucket, Key=name, Body=data)
    urls = {
        key: await aws.s3.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600
        )
        for key in ("o.jpg", "c.jpg")
    }
    rows = [
        {"submission_id": f"a{n}", "photo_url": urls["c.jpg"], "original_url": urls["o.jpg"]}
        for n in range(3)
    ]
    # No gold in this job: every worker counts, so the pool has no sloppy or careless ones.
    settings = {
        "judgment_delay_seconds": 0.2,
        "judgment_jitter_seconds": 0.1,
        "seed": 9,
        "untrusted_share": 0.0,
        "careless_share": 0.0,
    }
    with crowd_server(KEY, output_dir / "crowd-conformance.log", **settings) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
            ours = CrowdflowerClient(http, SecretStr(KEY), JobSpec("Ours", 1, ""))
            for n in range(11):  # more than one page of jobs for adapapi to walk
                await ours.ensure_job(f"filler-{n}")
            launched = drive(adapapi_python, base_url, "launch", CML, json.dumps(rows))
            job = str(launched["job_id"])
            assert int(job) in launched["jobs"] and len(launched["jobs"]) == 12
            assert launched["summary"]["all_units"] == 3
            assert launched["launched"] == 2
            unit_ids = [await ours.find_unit(job, f"a{n}") for n in range(3)]
            assert None not in unit_ids
            judged = [await until_judged(ours, job, uid) for uid in unit_ids[:2]]
            assert all(j.mimic >= 4 for found in judged for j in found)
            assert await ours.judgments(job, unit_ids[2]) == []  # never ordered
            read = drive(adapapi_python, base_url, "inspect", job, ",".join(unit_ids))
    units, states = read["units"], read["states"]
    assert [states[uid] for uid in unit_ids] == ["finalized", "finalized", "canceled"]
    first = units[unit_ids[0]]
    assert first["results"]["mimic"]["agg"] in {"4", "5"}
    assert first["results"]["judgments"][0]["unit_data"]["submission_id"] == "a0"


async def until_judged(client: CrowdflowerClient, job: str, unit: str) -> list:
    for _ in range(200):
        found = await client.judgments(job, unit)
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"unit {unit} was never judged")
