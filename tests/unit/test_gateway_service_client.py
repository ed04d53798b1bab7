"""The gateway's one status → error map for calls to the other services, and its client
over a mock transport: relayed refusals, the operator token's refusals, outages."""

import httpx
import pytest
from pydantic import SecretStr

from services.gateway.core.adapters.service_client import ServiceClient, error_of
from shared.errors import Conflict, DependencyUnavailable, Forbidden, Gone, NotFound
from shared.records import ReviewList


def answer(status: int, body: object = None) -> httpx.Response:
    return httpx.Response(status, json=body if body is not None else {})


def test_a_2xx_is_no_error():
    assert error_of("moderation", answer(200), own_token=False) is None
    assert error_of("renderer", answer(204), own_token=True) is None


@pytest.mark.parametrize(
    ("status", "kind"), [(403, Forbidden), (404, NotFound), (409, Conflict), (410, Gone)]
)
def test_a_4xx_is_relayed_with_the_services_code_and_detail(status, kind):
    error = error_of("ingest", answer(status, {"error": "x_y", "detail": "why"}), own_token=False)
    assert isinstance(error, kind)
    assert (error.code, error.detail) == ("x_y", "why")


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_operator_token_is_the_service_unavailable_not_the_visitors_fault(status):
    error = error_of("moderation", answer(status), own_token=True)
    assert isinstance(error, DependencyUnavailable)
    assert error.dependency == "moderation"


@pytest.mark.parametrize("status", [302, 500, 503])
def test_a_3xx_or_5xx_is_the_service_unavailable(status):
    error = error_of("renderer", answer(status, "not the error shape"), own_token=True)
    assert isinstance(error, DependencyUnavailable)
    assert error.detail == f"renderer answered {status}"


async def test_the_client_maps_no_answer_and_nonsense_to_unavailable_and_sends_the_token():
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/down":
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json={"nonsense": True})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
        calls = ServiceClient(http, "http://moderation/", "moderation", token=SecretStr("t"))
        with pytest.raises(DependencyUnavailable):
            await calls.get("/down", ReviewList)
        with pytest.raises(DependencyUnavailable, match="nonsense"):
            await calls.get("/reviews", ReviewList)
    assert seen[-1].headers["Authorization"] == "Bearer t"


async def test_transient_failures_are_retried_only_when_the_client_says_so():
    statuses = iter([503, 502, 202])

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(statuses))

    async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http:
        ingest = ServiceClient(http, "http://ingest", "ingest", retry_seconds=5)
        assert await ingest.send("PUT", "/submissions/a", content=b"photo") == b""
        once = ServiceClient(http, "http://ingest", "ingest")
        statuses = iter([503])
        with pytest.raises(DependencyUnavailable):
            await once.send("PUT", "/submissions/a", content=b"photo")
