"""Reading one v1 request: the suffix or ``Accept`` rule, the API key, the merged fields.

The fields of a call are its query string and its body (form or JSON) read by
:mod:`sims.crowd.forms` and merged, body winning. The API key may come as ``key`` in
either, or as ``Authorization: Token token=…``; a missing or wrong key is 401.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Request

from sims.crowd.errors import V1Error
from sims.crowd.forms import Fields, json_body, merged, nested

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class V1Request:
    """The fields of one call, the key already checked."""

    fields: Fields


def offered_key(fields: Fields, authorization: str | None) -> str:
    """The API key a request carries: ``key`` in its fields or the ``Token`` header."""
    key = fields.get("key")
    if isinstance(key, str) and key:
        return key
    scheme, _, rest = (authorization or "").partition(" ")
    return rest.strip().removeprefix("token=").strip('"') if scheme.lower() == "token" else ""


def wants_json(request: Request) -> bool:
    """v1 answers JSON for a ``.json`` path, or for ``Accept: application/json``."""
    path = request.url.path
    return path.endswith(".json") or "json" in request.headers.get("accept", "").lower()


async def body_fields(request: Request) -> Fields:
    """The body's fields: a form, a JSON object, or nothing. Uploads are read apart."""
    if request.url.path.removesuffix(".json").endswith("/upload"):
        return {}
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in FORM_TYPES:
        form = await request.form()
        return nested((name, value) for name, value in form.multi_items() if isinstance(value, str))
    raw = await request.body()
    if kind.endswith("json") or (raw.strip()[:1] == b"{"):
        return json_body(raw)
    if raw.strip():
        raise V1Error(400, f"cannot read a body of type {kind or 'unknown'}")
    return {}


async def read_v1(request: Request) -> V1Request:
    """Dependency: the call's fields, after the format and key checks."""
    if request.url.path.startswith("/v1") and not wants_json(request):
        raise V1Error(406, "ask for JSON: a .json path or Accept: application/json")
    fields = merged(nested(request.query_params.multi_items()), await body_fields(request))
    expected = request.app.state.settings.api_key.get_secret_value()
    offered = offered_key(fields, request.headers.get("authorization"))
    if not expected or not hmac.compare_digest(offered.encode(), expected.encode()):
        raise V1Error(401, "a valid API key is required")
    return V1Request(fields)
