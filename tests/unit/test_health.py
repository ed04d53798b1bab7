import asyncio

from fastapi.testclient import TestClient

from shared.service import create_service_app
from shared.settings import ServiceSettings


async def ok() -> None:
    return None


async def broken() -> None:
    raise ConnectionError("connection refused")


async def hangs() -> None:
    await asyncio.sleep(60)


def app_with(checks) -> TestClient:
    async def open_deps(settings, stack):
        raise AssertionError("given deps must be used, not opened")

    app = create_service_app(
        title="t",
        settings=ServiceSettings(readiness_timeout_seconds=0.2),
        deps=object(),
        open_deps=open_deps,
        checks=lambda deps, settings: checks,
    )

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"thing": thing_id}

    client = TestClient(app)
    client.__enter__()  # run the lifespan
    return client


def test_healthz_checks_nothing():
    assert app_with({"s3": broken}).get("/healthz").json() == {"status": "ok"}


def test_readyz_is_200_when_every_dependency_answers():
    answer = app_with({"s3": ok, "sqs_frames": ok}).get("/readyz")
    assert answer.status_code == 200
    assert answer.json()["checks"] == {"s3": "ok", "sqs_frames": "ok"}


def test_readyz_is_503_and_names_failing_and_slow_dependencies():
    answer = app_with({"s3": ok, "sqs_frames": broken, "dynamodb": hangs}).get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["error"] == "not_ready"
    assert "sqs_frames" in body["detail"]
    assert "dynamodb" in body["detail"]
    assert "s3" not in body["detail"]
    assert "timed out" in body["checks"]["dynamodb"]


def test_metrics_are_labelled_by_route_template_not_raw_path():
    client = app_with({})
    for thing in ("a", "b", "c"):
        client.get(f"/things/{thing}")
    client.get("/nowhere")
    text = client.get("/metrics").text
    assert 'http_requests_total{method="GET",route="/things/{thing_id}",status="200"} 3.0' in text
    assert "/things/a" not in text
    assert 'route="<unmatched>",status="404"' in text
    assert (
        'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/things/{thing_id}"}'
        in text
    )
