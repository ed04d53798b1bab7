from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.errors import DependencyUnavailable, Gone, RateLimited, install_error_handlers


def client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/gone")
    async def gone() -> None:
        raise Gone("the lease is past its maximum", code="lease_expired")

    @app.get("/limited")
    async def limited() -> None:
        raise RateLimited("slow down", retry_after_seconds=7)

    @app.get("/down")
    async def down() -> None:
        raise DependencyUnavailable("ingest", "ingest did not answer")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    return TestClient(app, raise_server_exceptions=False)


def test_project_errors_become_their_status_and_json_body():
    answer = client().get("/gone")
    assert answer.status_code == 410
    assert answer.json() == {"error": "lease_expired", "detail": "the lease is past its maximum"}


def test_retry_after_is_sent_when_the_error_has_one():
    answer = client().get("/limited")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"
    assert client().get("/down").headers["Retry-After"] == "5"


def test_unknown_route_answers_404_in_the_same_shape():
    answer = client().get("/nope")
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"
    assert set(answer.json()) == {"error", "detail"}


def test_validation_errors_name_the_bad_field():
    answer = client().get("/items/abc")
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_request"
    assert "item_id" in answer.json()["detail"]


def test_unexpected_errors_answer_500_without_leaking_internals():
    answer = client().get("/boom")
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal", "detail": "internal server error"}
