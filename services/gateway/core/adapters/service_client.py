"""The one client for the gateway's calls to the other services (ingest, moderation, the
renderer), and its one status → error map.

``httpx.HTTPError`` never leaves this module. Every answer becomes the shared error tree
by one rule (:func:`error_of`):

    no answer (connection refused, reset, timeout)  → DependencyUnavailable
    2xx                                             → the body (nonsense: DependencyUnavailable)
    401, 403 to the gateway's own operator token    → DependencyUnavailable (the services
                                                      disagree on the token: the console says so)
    any other 4xx                                   → the same error, relayed: status, code and
                                                      detail of the service's error body
    3xx, 5xx                                        → DependencyUnavailable

A refusal of a credential the visitor brought (the lease token ingest checks) is the
visitor's to see, so it is relayed like any other 4xx.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from shared.errors import DependencyUnavailable, OfofError, error_for_status
from shared.retry import is_transient_http_error, transient_retry

M = TypeVar("M", bound=BaseModel)
Params = Mapping[str, str | int]
REFUSED = (401, 403)
TRANSIENT = (502, 503, 504)


def relayed_body(answer: httpx.Response) -> tuple[str, str] | None:
    """The ``(code, detail)`` of a service's error body, if it sent the shared shape."""
    try:
        body = answer.json()
        return str(body["error"]), str(body["detail"])
    except (ValueError, KeyError, TypeError):
        return None


def error_of(service: str, answer: httpx.Response, *, own_token: bool) -> OfofError | None:
    """The error an answer of ``service`` means, or None for a 2xx (see the module's map);
    ``own_token``: the request carried the gateway's operator token."""
    status = answer.status_code
    if 200 <= status < 300:
        return None
    body = relayed_body(answer)
    code, detail = body or (f"{service}_error", f"{service} answered {status}")
    if status in REFUSED and own_token:
        return DependencyUnavailable(service, f"{service} refused the gateway's operator token")
    if 400 <= status < 500:
        return error_for_status(status, code, detail)
    return DependencyUnavailable(service, detail)


class ServiceClient:
    """JSON calls to one service, over the app's one ``httpx.AsyncClient``.

    With ``token``, every call carries it as a Bearer token (operator routes). With
    ``retry_seconds``, transient failures (no answer, 502/503/504) are retried that long:
    only for services whose calls are safe to repeat (ingest is idempotent per lease).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        service: str,
        *,
        token: SecretStr | None = None,
        retry_seconds: float = 0.0,
    ) -> None:
        self.http, self.base_url, self.service = http, base_url.rstrip("/"), service
        self.token = token
        self.retry_seconds = retry_seconds

    async def send(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        content: bytes | None = None,
        params: Params | None = None,
        headers: dict[str, str] | None = None,
    ) -> bytes:
        """``method path``; the answer's body, or the error it means."""
        sent = dict(headers or {})
        if body is not None:
            content = body.model_dump_json().encode()
            sent["Content-Type"] = "application/json"
        if self.token is not None:
            sent["Authorization"] = f"Bearer {self.token.get_secret_value()}"
        request = self.http.build_request(
            method, f"{self.base_url}{path}", content=content, params=params, headers=sent
        )
        answer = await self._answer(request)
        error = error_of(self.service, answer, own_token=self.token is not None)
        if error is not None:
            raise error
        return answer.content

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        try:
            async for attempt in transient_retry(
                is_transient_http_error, max_elapsed_seconds=self.retry_seconds
            ):
                with attempt:
                    answer = await self.http.send(request)
                    if self.retry_seconds and answer.status_code in TRANSIENT:
                        answer.raise_for_status()
        except httpx.HTTPStatusError as exc:
            return exc.response
        except httpx.HTTPError as exc:
            raise DependencyUnavailable(
                self.service, f"{self.service} is unavailable right now; try again"
            ) from exc
        return answer

    def parsed(self, content: bytes, model: type[M]) -> M:
        """An answer's body as ``model``; nonsense is the service failing."""
        try:
            return model.model_validate_json(content)
        except ValidationError as exc:
            raise DependencyUnavailable(self.service, f"{self.service} answered nonsense") from exc

    async def get(self, path: str, model: type[M], params: Params | None = None) -> M:
        """GET ``path`` as ``model``."""
        return self.parsed(await self.send("GET", path, params=params), model)

    async def post(self, path: str, model: type[M], body: BaseModel | None = None) -> M:
        """POST ``body`` to ``path``, answered as ``model``."""
        return self.parsed(await self.send("POST", path, body=body), model)

    async def delete(self, path: str, model: type[M]) -> M:
        """DELETE ``path``, answered as ``model``."""
        return self.parsed(await self.send("DELETE", path), model)
