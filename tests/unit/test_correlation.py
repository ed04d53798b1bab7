import json
import logging

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.correlation import (
    REQUEST_ID_HEADER,
    RequestIdMiddleware,
    current_request_id,
    message_attributes,
    propagate_request_id,
    request_id_from_message,
    request_id_var,
)
from shared.logs import JsonLinesFormatter


def app_seeing_ids() -> TestClient:
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)

    @app.get("/seen")
    async def seen() -> dict[str, str | None]:
        return {"request_id": current_request_id()}

    return TestClient(app)


def test_a_given_request_id_is_used_and_echoed():
    answer = app_seeing_ids().get("/seen", headers={REQUEST_ID_HEADER: "abc-123"})
    assert answer.json() == {"request_id": "abc-123"}
    assert answer.headers[REQUEST_ID_HEADER] == "abc-123"


def test_a_missing_request_id_is_minted_and_echoed():
    answer = app_seeing_ids().get("/seen")
    minted = answer.json()["request_id"]
    assert len(minted) == 32
    assert answer.headers[REQUEST_ID_HEADER] == minted


def test_a_malformed_request_id_is_replaced():
    answer = app_seeing_ids().get("/seen", headers={REQUEST_ID_HEADER: "x" * 500})
    assert answer.json()["request_id"] != "x" * 500


async def test_outgoing_http_calls_carry_the_current_request_id():
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get(REQUEST_ID_HEADER))
        return httpx.Response(200)

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(
        transport=transport, event_hooks={"request": [propagate_request_id]}
    ) as client:
        token = request_id_var.set("req-42")
        try:
            await client.get("http://ingest.test/")
        finally:
            request_id_var.reset(token)
    assert seen == ["req-42"]


def test_sqs_attributes_carry_the_request_id_and_consumers_restore_it():
    token = request_id_var.set("req-7")
    try:
        attributes = message_attributes()
    finally:
        request_id_var.reset(token)
    assert request_id_from_message({"MessageAttributes": attributes}) == "req-7"
    assert len(request_id_from_message({})) == 32


def test_log_lines_are_json_with_the_request_id_and_extra_fields():
    record = logging.LogRecord("ofof", logging.INFO, __file__, 1, "leased %s", ("frame",), None)
    record.frame = 12
    token = request_id_var.set("req-9")
    try:
        line = JsonLinesFormatter("gateway").format(record)
    finally:
        request_id_var.reset(token)
    entry = json.loads(line)
    assert entry["msg"] == "leased frame"
    assert entry["request_id"] == "req-9"
    assert entry["service"] == "gateway"
    assert entry["frame"] == 12
