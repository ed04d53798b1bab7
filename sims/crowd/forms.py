"""Every request form real v1 clients send, read into one nested dict (pure, no I/O).

Clients of the v1 API spell the same call several ways, and the local crowd must take
all of them or refuse clearly — never answer 200 with data dropped:

- Rails-style keys (``job[title]``, ``unit[data][photo_url]``, ``channels[]``,
  ``debit[units_count]``) in a form body **or** in the query string;
- a JSON body (``{"job": {...}}``, ``{"unit": {"data": {...}}}``, ``{"debit": ...}``),
  also on a GET (Appen's ``adapapi`` sends ``{"page": N}`` that way);
- ``unit[data]`` as one JSON string (the Ruby gem);
- the API key as ``key`` in the query or the body, or ``Authorization: Token token=``.

Anything that cannot be read raises :class:`Unreadable`, answered 400
``{"error": {"message": ...}}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

KEY_PART = re.compile(r"\[([^\[\]]*)\]")
Fields = dict[str, Any]


class Unreadable(ValueError):
    """A request body or field the local crowd cannot read."""


def split_key(key: str) -> list[str]:
    """``unit[data][photo]`` → ``["unit", "data", "photo"]``; ``channels[]`` ends in ``""``."""
    head, bracket, rest = key.partition("[")
    if not bracket:
        return [key]
    parts = KEY_PART.findall("[" + rest)
    if not head or "".join(f"[{p}]" for p in parts) != "[" + rest:
        raise Unreadable(f"cannot read the field name {key!r}")
    return [head, *parts]


def place(target: Fields, path: list[str], value: Any) -> None:
    """Put ``value`` at ``path`` in ``target``; a trailing ``[]`` appends to a list."""
    *parents, last = path
    node = target
    for name in parents:
        child = node.setdefault(name, {})
        if not isinstance(child, dict):
            raise Unreadable(f"field {name!r} is both a value and a group")
        node = child
    if last == "":
        listed = node.setdefault("", [])
        listed.append(value)
    elif isinstance(node.get(last), dict):
        raise Unreadable(f"field {last!r} is both a value and a group")
    else:
        node[last] = value


def lists_resolved(node: Any) -> Any:
    """Turn the ``{"": [...]}`` groups left by ``name[]`` keys into plain lists."""
    if not isinstance(node, dict):
        return node
    if set(node) == {""}:
        return list(node[""])
    if "" in node:
        raise Unreadable("a field is both a list and a group")
    return {name: lists_resolved(child) for name, child in node.items()}


def nested(pairs: Iterable[tuple[str, str]]) -> Fields:
    """Rails-style key/value pairs as one nested dict."""
    target: Fields = {}
    for key, value in pairs:
        place(target, split_key(key), value)
    resolved: Fields = lists_resolved(target)
    return resolved


def json_body(raw: bytes) -> Fields:
    """A JSON object body; an empty body is an empty object."""
    if not raw.strip():
        return {}
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise Unreadable(f"the body is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise Unreadable("the JSON body must be an object")
    return document


def merged(*layers: Fields) -> Fields:
    """Later layers win; groups present in several layers are merged."""
    result: Fields = {}
    for layer in layers:
        for name, value in layer.items():
            old = result.get(name)
            if isinstance(old, dict) and isinstance(value, dict):
                value = merged(old, value)
            result[name] = value
    return result


def group(fields: Fields, name: str) -> Fields:
    """The group ``name`` (``job``, ``unit``, ``debit``); missing → empty."""
    value = fields.get(name, {})
    if not isinstance(value, dict):
        raise Unreadable(f"{name!r} must be a group of fields, got {type(value).__name__}")
    return value


def unit_data(unit: Fields) -> dict[str, str]:
    """A unit's ``data``: a group of columns or one JSON string (the Ruby gem's form)."""
    data = unit.get("data")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise Unreadable(f"unit[data] is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise Unreadable("a unit needs data: unit[data][column]=… or unit[data]={json}")
    return {str(column): text_of(value) for column, value in data.items()}


def text_of(value: Any) -> str:
    """A cell as text, the way v1 stores every column."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise Unreadable(f"a unit column holds {type(value).__name__}, not text or a number")


def is_true(value: Any) -> bool:
    """v1 booleans: ``true``/``1`` as text, JSON true."""
    return value is True or (isinstance(value, str) and value.strip().lower() in {"true", "1"})


def whole_number(value: Any, name: str, low: int = 1, high: int | None = None) -> int:
    """An integer field within bounds, or :class:`Unreadable`."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Unreadable(f"{name} must be a whole number, got {value!r}") from None
    if number < low or (high is not None and number > high):
        raise Unreadable(f"{name} must be between {low} and {high or 'any'}, got {number}")
    return number


def ndjson_rows(raw: bytes) -> list[dict[str, str]]:
    """A bulk upload: one JSON object per line (the columns of one unit)."""
    rows = []
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
        if line.strip():
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise Unreadable(f"line {number} of the upload is not JSON: {exc}") from exc
            rows.append(unit_data({"data": row}))
    if not rows:
        raise Unreadable("the upload holds no rows")
    return rows
