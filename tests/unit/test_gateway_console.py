"""Visitors' reports and the operators' console through the gateway app, over fakes:
the refusals (bad reason, duplicate, rate limit, another origin, no session) and the
session cookie, the audit log and the actions."""

from collections.abc import AsyncIterator

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from tests.fakes.gateway import (
    FakeClock,
    MemoryGatewayPorts,
    composed,
    memory_ports,
    store_video,
)
from tests.unit.test_gateway_usecases import review

TOKEN = "operator-secret-token"
SAME_ORIGIN = {"Origin": "http://gateway"}


@pytest.fixture
async def fakes() -> MemoryGatewayPorts:
    fakes = memory_ports()
    await store_video(fakes)
    fakes.reviews.add(review("photo-1"))
    fakes.reviews.add(review("photo-2", frame=2))
    return fakes


def app_over(fakes: MemoryGatewayPorts, clock: FakeClock, **overrides: object):
    fields: dict = {
        "operator_token": TOKEN,
        "report_rate_per_minute": 3,
        "queue_gauge_seconds": 0,
        **overrides,
    }
    settings = GatewaySettings(lease_secret="unit-test-secret", **fields)
    fakes.desk.client_of.update({"photo-1": "visitor-a", "photo-2": "visitor-b"})
    return create_app(settings, composed(fakes, settings, clock)), fakes


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def served(fakes, clock) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    app, ports = app_over(fakes, clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client, ports


async def report(client, sid="photo-1", reason="nudity", visitor=None, **headers):
    client.cookies.clear()
    if visitor:
        client.cookies.set("ofof_client", visitor)
    return await client.post(
        f"/api/photos/{sid}/reports",
        json={"reason": reason, "note": "see the background"},
        headers=headers,
    )


async def sign_in(client, token=TOKEN, headers=SAME_ORIGIN):
    return await client.post("/ops/session", json={"token": token}, headers=headers)


# Reports.


async def test_a_report_with_an_unknown_reason_is_422(served):
    client, _ = served
    assert (await report(client, reason="ugly")).status_code == 422


async def test_a_second_report_by_the_same_visitor_is_not_counted_again(served, fakes):
    client, _ = served
    visitor = "v" * 20
    first = await report(client, visitor=visitor)
    again = await report(client, visitor=visitor)
    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.json()["counted"], again.json()["counted"]) == (True, False)
    assert "photo-1" in fakes.reviews.reviews


async def test_enough_visitors_hide_the_photo_from_the_pages(served):
    client, _ = served
    await report(client, visitor="a" * 20)
    hidden = await report(client, visitor="b" * 20)
    assert hidden.json()["hidden"] is True
    shown = (await client.get("/api/frames/recent")).json()["frames"]
    assert [f["submission_id"] for f in shown] == ["photo-2"]


async def test_reports_from_one_address_are_rate_limited(served):
    client, _ = served
    answers = [await report(client, visitor=f"{n}" * 20) for n in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1


async def test_a_report_from_another_site_is_refused(served):
    client, _ = served
    answer = await report(client, Origin="https://evil.example")
    assert answer.status_code == 403
    assert answer.json()["error"] == "cross_site_request"


async def test_a_report_about_an_unknown_photo_is_404(served):
    client, _ = served
    assert (await report(client, sid="nobody")).status_code == 404


# The console.


async def test_the_console_is_off_without_a_token_or_when_disabled(fakes, clock):
    for overrides in ({"operator_token": ""}, {"ops_enabled": False}):
        app, _ = app_over(fakes, clock, **overrides)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
                assert (await c.get("/ops")).status_code == 403
                assert (await sign_in(c)).status_code == 403


async def test_signing_in_sets_a_strict_httponly_expiring_cookie_and_is_audited(served, clock):
    client, _ = served
    wrong = await sign_in(client, token="nope")
    assert wrong.status_code == 401
    clock.advance(1)
    answer = await sign_in(client)
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    for part in ("ofof_ops=", "HttpOnly", "SameSite=Strict", "Path=/ops", "Max-Age=3600"):
        assert part in cookie
    assert "Secure" not in cookie
    entries = (await client.get("/ops/api/audit")).json()["entries"]
    assert [(e["action"], e["outcome"]) for e in entries] == [
        ("sign_in", "ok"),
        ("sign_in", "unauthorized"),
    ]
    assert entries[0]["who"] == answer.json()["session"]


async def test_the_cookie_is_secure_when_the_console_is_served_over_https(fakes, clock):
    app, _ = app_over(fakes, clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://gateway") as c:
            answer = await sign_in(c, headers={"Origin": "https://gateway"})
            assert "Secure" in answer.headers["set-cookie"]


async def test_console_posts_must_come_from_this_origin(served):
    client, _ = served
    assert (await sign_in(client, headers={})).status_code == 403
    assert (await sign_in(client, headers={"Origin": "https://evil.example"})).status_code == 403
    await sign_in(client)
    for headers in ({}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://other"}):
        answer = await client.post("/ops/api/photos/photo-1/takedown", headers=headers)
        assert answer.status_code == 403


async def test_without_a_genuine_live_session_the_console_api_is_401(served, clock):
    client, _ = served
    assert (await client.get("/ops/api/queues")).status_code == 401
    await sign_in(client)
    value = client.cookies["ofof_ops"]
    client.cookies.set("ofof_ops", value[:-2] + "xx", path="/ops")
    assert (await client.get("/ops/api/me")).status_code == 401
    client.cookies.set("ofof_ops", value, path="/ops")
    assert (await client.get("/ops/api/me")).status_code == 200
    clock.advance(3601)
    assert (await client.get("/ops/api/me")).status_code == 401


async def test_takedown_restore_and_bulk_revert_change_the_pages_and_are_audited(
    served, fakes, clock
):
    client, ports = served
    session = (await sign_in(client)).json()["session"]

    async def post(path: str) -> httpx.Response:
        clock.advance(1)  # one audit entry per second, so their order is certain
        return await client.post(path, headers=SAME_ORIGIN)

    down = await post("/ops/api/photos/photo-1/takedown")
    assert down.json()["reviews"][0]["status"] == "rejected"
    back = await post("/ops/api/photos/photo-1/restore")
    assert back.json()["reviews"][0]["status"] == "approved"
    reverted = await post("/ops/api/contributors/visitor-b/revert")
    assert [r["submission_id"] for r in reverted.json()["reviews"]] == ["photo-2"]
    missing = await post("/ops/api/photos/nobody/takedown")
    assert missing.status_code == 404
    await post("/ops/api/videos/demo/render")
    assert ports.renders.forced == ["demo"]
    shown = (await client.get("/api/frames/recent")).json()["frames"]
    assert [f["submission_id"] for f in shown] == ["photo-1"]
    entries = (await client.get("/ops/api/audit")).json()["entries"]
    assert [(e["who"], e["action"], e["target"], e["outcome"]) for e in entries[:5]] == [
        (session, "render_now", "demo", "ok"),
        (session, "takedown", "nobody", "not_found"),
        (session, "revert_contributor", "visitor-b", "ok"),
        (session, "restore", "photo-1", "ok"),
        (session, "takedown", "photo-1", "ok"),
    ]


async def test_the_console_lists_queues_progress_and_the_page(served):
    client, ports = served
    from services.gateway.console.ports import QueueDepth

    ports.queues.depths["ofof-moderation"] = QueueDepth("ofof-moderation", 2, 1, 0)
    ports.queues.depths["ofof-frames-demo"] = QueueDepth("ofof-frames-demo", 5, 0, 1)
    await sign_in(client)
    queues = (await client.get("/ops/api/queues")).json()["queues"]
    assert [(q["queue"], q["dead_letters"]) for q in queues] == [
        ("ofof-moderation", 0),
        ("ofof-frames-demo", 1),
    ]
    progress = (await client.get("/ops/api/progress")).json()["videos"]
    assert [(v["video"], v["frame_count"]) for v in progress] == [("demo", 3)]
    page = await client.get("/ops")
    assert page.status_code == 200 and "Operators' console" in page.text


async def test_domain_metrics_count_reports_and_gauge_queue_depths_on_metrics(fakes, clock):
    from services.gateway.console.ports import QueueDepth

    app, ports = app_over(fakes, clock)
    ports.queues.depths["ofof-render"] = QueueDepth("ofof-render", 1, 0, 4)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            await report(client, visitor="m" * 20, reason="hate")
            await sign_in(client)
            await client.get("/ops/api/queues")
            text = (await client.get("/metrics")).text
    assert 'ofof_reports_total{reason="hate"} 1.0' in text
    assert 'ofof_queue_messages{queue="ofof-render",state="dead_letters"} 4.0' in text


async def test_sign_in_attempts_from_one_address_are_rate_limited(served):
    client, _ = served
    answers = [(await sign_in(client, token=f"guess-{n}")).status_code for n in range(11)]
    assert answers == [401] * 10 + [429]


async def test_a_body_that_is_not_json_is_a_declared_400(served):
    client, _ = served
    for path in ("/ops/session", "/api/photos/photo-1/reports"):
        answer = await client.post(
            path, content=b"\xff{", headers={**SAME_ORIGIN, "Content-Type": "application/json"}
        )
        assert answer.status_code == 400
        spec = (await client.get("/openapi.json")).json()
        assert (
            "400" in spec["paths"][path.replace("photo-1", "{submission_id}")]["post"]["responses"]
        )
