"""The local crowd's v1 API in process: keys, Rails-style forms, units and paging."""

from collections.abc import AsyncIterator

import httpx
import pytest

from sims.crowd.app import create_app
from sims.crowd.settings import CrowdSettings

KEY = "local-key"


@pytest.fixture
async def crowd() -> AsyncIterator[httpx.AsyncClient]:
    # Judging waits an hour: these tests look at the API, not at the workers.
    app = create_app(CrowdSettings(api_key=KEY, judgment_delay_seconds=3600))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://crowd", params={"key": KEY}
        ) as client:
            yield client


async def test_every_v1_call_needs_the_key_in_the_query_or_the_token_header(crowd):
    assert (await crowd.get("/v1/jobs.json", params={"key": "nope"})).status_code == 401
    bare = httpx.AsyncClient(transport=crowd._transport, base_url="http://crowd")
    async with bare:
        assert (await bare.get("/v1/jobs.json")).status_code == 401
        header = {"Authorization": f"Token token={KEY}"}
        assert (await bare.get("/v1/jobs.json", headers=header)).status_code == 200
        assert (await bare.get("/healthz")).status_code == 200


async def test_jobs_and_units_take_rails_style_form_fields(crowd):
    job = (await crowd.post("/v1/jobs.json", data={"job[title]": "T", "job[bogus]": "x"})).json()
    assert (job["title"], "bogus" in job) == ("T", False)
    form = {"unit[data][submission_id]": "s1", "unit[data][photo_url]": "http://p"}
    unit = (await crowd.post(f"/v1/jobs/{job['id']}/units.json", data=form)).json()
    assert unit["data"] == {"submission_id": "s1", "photo_url": "http://p"}
    assert unit["results"] == {"judgments": []}
    units = (await crowd.get(f"/v1/jobs/{job['id']}/units.json")).json()
    assert units == {str(unit["id"]): unit["data"]}
    shown = await crowd.get(f"/v1/jobs/{job['id']}/units/{unit['id']}.json")
    assert shown.json()["state"] == "judgable"
    judgments = await crowd.get(f"/v1/jobs/{job['id']}/units/{unit['id']}/judgments.json")
    assert judgments.json() == []
    assert (await crowd.get(f"/v1/jobs/{job['id']}/judgments.json?page=1")).json() == []


async def test_unknown_jobs_and_units_are_404(crowd):
    assert (await crowd.get("/v1/jobs/99.json")).json()["error"] == "not_found"
    job = (await crowd.post("/v1/jobs.json", data={"job[title]": "T"})).json()
    assert (await crowd.get(f"/v1/jobs/{job['id']}/units/5.json")).status_code == 404
