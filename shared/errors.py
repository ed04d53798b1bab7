"""One error hierarchy for every service, and the one handler that turns it into HTTP.

Domain code and adapters raise these; third-party errors (botocore ``ClientError``,
``httpx.HTTPError``) are translated at the adapter boundary with ``raise ... from exc``
and never reach a route. Every error answer has the body
``{"error": code, "detail": text}``.

    OfofError (500 internal)
    ├── BadRequest (400 bad_request)
    ├── Unauthorized (401 unauthorized)
    ├── Forbidden (403 forbidden)
    ├── NotFound (404 not_found)
    ├── RequestTimeout (408 request_timeout)
    ├── Conflict (409 conflict)
    │   └── ConditionFailed                   a DynamoDB write's condition did not hold
    ├── Gone (410 gone)
    │   └── StaleReceipt                      an SQS receipt handle is no longer current
    ├── PayloadTooLarge (413 payload_too_large)
    ├── UnsupportedMediaType (415 unsupported_media_type)
    ├── Unprocessable (422 unprocessable)
    ├── RateLimited (429 rate_limited)        carries retry_after_seconds
    └── DependencyUnavailable (503 dependency_unavailable)
        │   carries the dependency name and retry_after_seconds
        ├── Throttled                         AWS refused the rate, after botocore's retries
        └── MissingResource                   a bucket, queue or table does not exist
            ├── QueueMissing
            └── TableMissing

The classes without a code of their own answer their parent's: callers branch on the
class, clients see the same answer as before the distinction was drawn.

Where AWS errors become these: S3 in :mod:`shared.objects`, SQS in :mod:`shared.queues`,
DynamoDB in :mod:`shared.tables` — one map per outside kind.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class OfofError(Exception):
    """Base of every error the project raises on purpose."""

    status_code: ClassVar[int] = 500
    default_code: ClassVar[str] = "internal"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.retry_after_seconds = retry_after_seconds


class BadRequest(OfofError):
    status_code = 400
    default_code = "bad_request"


class Unauthorized(OfofError):
    status_code = 401
    default_code = "unauthorized"


class Forbidden(OfofError):
    status_code = 403
    default_code = "forbidden"


class NotFound(OfofError):
    status_code = 404
    default_code = "not_found"


class RequestTimeout(OfofError):
    status_code = 408
    default_code = "request_timeout"


class Conflict(OfofError):
    status_code = 409
    default_code = "conflict"


class Gone(OfofError):
    status_code = 410
    default_code = "gone"


class PayloadTooLarge(OfofError):
    status_code = 413
    default_code = "payload_too_large"


class UnsupportedMediaType(OfofError):
    status_code = 415
    default_code = "unsupported_media_type"


class Unprocessable(OfofError):
    status_code = 422
    default_code = "unprocessable"


class RateLimited(OfofError):
    status_code = 429
    default_code = "rate_limited"


class DependencyUnavailable(OfofError):
    """A service we depend on (AWS, another service, the crowd) did not answer."""

    status_code = 503
    default_code = "dependency_unavailable"

    def __init__(
        self,
        dependency: str,
        detail: str,
        *,
        code: str | None = None,
        retry_after_seconds: int | None = 5,
    ) -> None:
        super().__init__(detail, code=code, retry_after_seconds=retry_after_seconds)
        self.dependency = dependency


class ConditionFailed(Conflict):
    """A conditional write was refused: the item was not as the condition expected."""


class StaleReceipt(Gone):
    """An SQS receipt handle is no longer current (received again, or deleted already)."""


class Throttled(DependencyUnavailable):
    """AWS kept refusing the request rate after botocore's own retries."""


class MissingResource(DependencyUnavailable):
    """A bucket, queue or table a service uses does not exist.

    Services never create their resources (the stack or ``shared.bootstrap`` does), so
    it is the dependency that is unavailable (503), not the caller's item (404).
    """


class QueueMissing(MissingResource):
    """The named SQS queue does not exist (yet, or any more)."""


class TableMissing(MissingResource):
    """The named DynamoDB table does not exist."""


def error_body(code: str, detail: str) -> dict[str, str]:
    """The JSON body of every error answer."""
    return {"error": code, "detail": detail}


def error_response(exc: OfofError) -> JSONResponse:
    """Render one of our errors as its HTTP answer."""
    headers = {}
    if exc.retry_after_seconds is not None:
        headers["Retry-After"] = str(exc.retry_after_seconds)
    return JSONResponse(
        error_body(exc.code, exc.detail), status_code=exc.status_code, headers=headers
    )


async def _ofof_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OfofError)
    return error_response(exc)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return JSONResponse(error_body(code, detail), status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in err.get('loc', ()))}: {err.get('msg', '')}"
        for err in exc.errors()
    )
    return JSONResponse(error_body("invalid_request", problems), status_code=422)


async def _unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return JSONResponse(error_body("internal", "internal server error"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Make every failure of ``app`` answer ``{"error", "detail"}`` with the right status."""
    app.add_exception_handler(OfofError, _ofof_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
    _declare_validation_errors(app)


ERROR_SCHEMA: dict[str, object] = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
}


def _declare_validation_errors(app: FastAPI) -> None:
    # FastAPI declares every 422 as its own list of problems (``HTTPValidationError``);
    # ``_validation_error`` answers the error shape, so the spec must say that instead.
    build = app.openapi

    def openapi() -> dict[str, Any]:
        spec = build()
        schemas = spec.get("components", {}).get("schemas", {})
        if "HTTPValidationError" in schemas:
            schemas["HTTPValidationError"] = {"title": "HTTPValidationError", **ERROR_SCHEMA}
            schemas.pop("ValidationError", None)
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {
        "description": HTTPStatus(status).phrase,
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    }
    for status in (400, 401, 403, 404, 408, 409, 410, 413, 415, 422, 429, 503)
}


def error_responses(
    *statuses: int, **extra: dict[str, object]
) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses=`` entries for the error answers a route can give.

    ``extra`` adds non-error entries keyed by status as a string, e.g. ``_200={...}``.
    """
    responses: dict[int | str, dict[str, object]] = {s: ERROR_RESPONSES[s] for s in statuses}
    for key, value in extra.items():
        responses[int(key.lstrip("_"))] = value
    return responses


_BY_STATUS: dict[int, type[OfofError]] = {
    cls.status_code: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        RequestTimeout,
        Conflict,
        Gone,
        PayloadTooLarge,
        UnsupportedMediaType,
        Unprocessable,
        RateLimited,
    )
}


def error_for_status(status: int, code: str, detail: str) -> OfofError:
    """Rebuild the error another service answered with, to relay it to our caller."""
    cls = _BY_STATUS.get(status, BadRequest if 400 <= status < 500 else OfofError)
    return cls(detail, code=code)
