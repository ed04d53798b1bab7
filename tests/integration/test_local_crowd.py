"""The local crowd's v1 API in process: keys, every request form v1 clients send, units,
orders and funds, paging and v1 error answers."""

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
    order = {"debit[units_count]": "1", "channels[]": "cf_internal"}
    assert (await crowd.post(f"/v1/jobs/{job['id']}/orders.json", data=order)).status_code == 200
    shown = await crowd.get(f"/v1/jobs/{job['id']}/units/{unit['id']}.json")
    assert shown.json()["state"] == "judgable"
    judgments = await crowd.get(f"/v1/jobs/{job['id']}/units/{unit['id']}/judgments.json")
    assert judgments.json() == []
    # Job-wide judgments are an object keyed by unit id (none judged yet).
    assert (await crowd.get(f"/v1/jobs/{job['id']}/judgments.json?page=1")).json() == {}


async def test_unknown_jobs_and_units_are_404(crowd):
    # v1's error shape: {"error": {"message": ...}}.
    assert "no job 99" in (await crowd.get("/v1/jobs/99.json")).json()["error"]["message"]
    job = (await crowd.post("/v1/jobs.json", data={"job[title]": "T"})).json()
    assert (await crowd.get(f"/v1/jobs/{job['id']}/units/5.json")).status_code == 404


async def new_job(crowd: httpx.AsyncClient, **fields: str) -> int:
    form = {"job[title]": "T"} | {f"job[{name}]": value for name, value in fields.items()}
    answer = await crowd.post("/v1/jobs.json", data=form)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["id"])


async def test_every_v1_request_form_creates_the_same_unit(crowd):
    job = await new_job(crowd)
    path = f"/v1/jobs/{job}/units"
    token = {"Authorization": f"Token token={KEY}"}
    bare = httpx.AsyncClient(transport=crowd._transport, base_url="http://crowd")
    async with bare:
        forms = [
            await crowd.post(f"{path}.json", data={"unit[data][a]": "1"}),
            await crowd.post(f"{path}.json", params={"unit[data][a]": "1"}),
            await crowd.post(f"{path}.json", data={"unit[data]": '{"a": "1"}'}),
            await crowd.post(f"{path}.json", json={"unit": {"data": {"a": 1}}}),
            await bare.post(f"{path}.json", data={"key": KEY, "unit[data][a]": "1"}),
            await bare.post(path, json={"unit": {"data": {"a": "1"}}}, headers=token | JSON),
        ]
    assert [(f.status_code, f.json()["data"], f.json()["state"]) for f in forms] == [
        (200, {"a": "1"}, "new")
    ] * len(forms)


JSON = {"Accept": "application/json"}


async def test_jobs_take_query_string_and_json_bodies_and_paths_without_suffix(crowd):
    by_query = await crowd.post("/v1/jobs.json", params={"job[title]": "Q"})
    by_json = await crowd.post("/v1/jobs", json={"job": {"title": "J"}}, headers=JSON)
    assert (by_query.json()["title"], by_json.json()["title"]) == ("Q", "J")
    assert (await crowd.get(f"/v1/jobs/{by_json.json()['id']}", headers=JSON)).status_code == 200
    assert (await crowd.get(f"/v1/jobs/{by_json.json()['id']}")).status_code == 406


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"unit[data]": "{not json"}, "form"),
        ({"unit[foo]": "x"}, "form"),
        ({"unit[data][a": "x"}, "form"),
        ({"unit": {"data": "[1]"}}, "json"),
        ({"unit": {"data": {}}}, "json"),
        ({"unit": "x"}, "json"),
    ],
)
async def test_a_unit_the_crowd_cannot_read_is_400_with_a_v1_message_never_a_silent_200(
    crowd, body, kind
):
    job = await new_job(crowd)
    path = f"/v1/jobs/{job}/units.json"
    answer = await (crowd.post(path, data=body) if kind == "form" else crowd.post(path, json=body))
    assert answer.status_code == 400
    assert answer.json()["error"]["message"]
    assert (await crowd.get(f"/v1/jobs/{job}/units.json")).json() == {}


async def test_broken_json_bodies_and_orders_without_channels_are_400(crowd):
    job = await new_job(crowd)
    raw = await crowd.post(
        "/v1/jobs.json", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert raw.status_code == 400
    order = await crowd.post(f"/v1/jobs/{job}/orders.json", data={"debit[units_count]": "1"})
    assert (order.status_code, "channels" in order.json()["error"]["message"]) == (400, True)


async def test_units_stay_new_until_ordered_and_an_order_takes_the_oldest_first(crowd):
    job = await new_job(crowd)
    ids = []
    for n in range(3):
        unit = await crowd.post(f"/v1/jobs/{job}/units.json", data={"unit[data][n]": str(n)})
        ids.append(unit.json()["id"])
    assert (await crowd.get(f"/v1/jobs/{job}.json")).json()["state"] == "unordered"
    order = {"debit[units_count]": "2", "channels[]": ["on_demand", "cf_internal"]}
    answer = await crowd.post(f"/v1/jobs/{job}/orders.json", data=order)
    assert answer.json()["nuggeted_units_count"] == 2
    states = [(await crowd.get(f"/v1/jobs/{job}/units/{uid}.json")).json()["state"] for uid in ids]
    assert states == ["judgable", "judgable", "new"]
    assert (await crowd.get(f"/v1/jobs/{job}.json")).json()["state"] == "running"


async def test_gold_units_are_golden_and_never_ordered(crowd):
    job = await new_job(crowd)
    form = {"unit[data][a]": "1", "unit[data][mimic_gold]": "5", "unit[golden]": "true"}
    gold = (await crowd.post(f"/v1/jobs/{job}/units.json", data=form)).json()
    assert gold["state"] == "golden"
    order = {"debit[units_count]": "1", "channels[]": "cf_internal"}
    answer = await crowd.post(f"/v1/jobs/{job}/orders.json", data=order)
    assert answer.json()["nuggeted_units_count"] == 0


async def test_an_order_past_the_funds_is_402_and_orders_nothing_until_funds_arrive():
    app = create_app(CrowdSettings(api_key=KEY, judgment_delay_seconds=3600, funds_cents=10))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://crowd", params={"key": KEY}
        ) as crowd:
            job = await new_job(crowd, payment_cents="5", judgments_per_unit="3")
            unit = await crowd.post(f"/v1/jobs/{job}/units.json", data={"unit[data][a]": "1"})
            order = {"debit[units_count]": "1", "channels[]": "on_demand"}
            refused = await crowd.post(f"/v1/jobs/{job}/orders.json", data=order)
            assert (refused.status_code, "funds" in refused.json()["error"]["message"]) == (
                402,
                True,
            )
            shown = await crowd.get(f"/v1/jobs/{job}/units/{unit.json()['id']}.json")
            assert shown.json()["state"] == "new"
            await crowd.post("/sim/funds", data={"cents": "5"})
            accepted = await crowd.post(f"/v1/jobs/{job}/orders.json", data=order)
            assert accepted.json()["nuggeted_units_count"] == 1


async def test_lists_honor_page_and_limit_and_end_with_a_short_page(crowd):
    for _ in range(12):
        await new_job(crowd)
    first, second = [(await crowd.get("/v1/jobs.json", params={"page": p})).json() for p in (1, 2)]
    assert (len(first), len(second)) == (10, 2)
    assert first[0]["id"] > first[-1]["id"] > second[0]["id"]  # newest first
    job = first[0]["id"]
    for n in range(5):
        await crowd.post(f"/v1/jobs/{job}/units.json", data={"unit[data][n]": str(n)})
    pages = [
        (await crowd.get(f"/v1/jobs/{job}/units.json", params={"page": p, "limit": 2})).json()
        for p in (1, 2, 3, 4)
    ]
    assert [len(page) for page in pages] == [2, 2, 1, 0]
    too_many = await crowd.get(f"/v1/jobs/{job}/units.json", params={"limit": 1001})
    assert too_many.status_code == 400


async def test_a_job_update_changes_that_job_and_creates_none(crowd):
    job = await new_job(crowd)
    answer = await crowd.put(f"/v1/jobs/{job}.json", json={"job": {"payment_cents": 7}})
    assert answer.json()["payment_cents"] == "7"
    assert [j["id"] for j in (await crowd.get("/v1/jobs.json")).json()] == [job]


async def test_the_ruby_gems_forms_work_all_fields_in_the_query_string_without_suffix(crowd):
    # CrowdFlower/ruby-crowdflower: Accept: application/json, no .json on units, every
    # field in the query string, unit[data] as one JSON string, channels[]=amt.
    job = await new_job(crowd)
    query = {"unit[data]": '{"photo_url": "http://p"}', "unit[golden]": "false"}
    unit = await crowd.post(f"/v1/jobs/{job}/units", params=query, headers=JSON)
    assert (unit.json()["data"], unit.json()["state"]) == ({"photo_url": "http://p"}, "new")
    order = {"debit[units_count]": "1", "channels[]": "amt"}
    ordered = await crowd.post(f"/v1/jobs/{job}/orders.json", params=order)
    assert ordered.json()["nuggeted_units_count"] == 1
    canceled = await crowd.post(f"/v1/jobs/{job}/units/{unit.json()['id']}/cancel.json")
    assert canceled.json()["state"] == "canceled"
