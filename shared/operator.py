"""Operator-only routes: ``Authorization: Bearer <token>``, checked in constant time.

One guard for every service, with the same answers everywhere: 403 when the service has
no operator token configured (operator routes are off), 401 when the header is missing
or wrong.
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr

from shared.errors import Forbidden, Unauthorized


def bearer_matches(authorization: str | None, expected: str) -> bool:
    """True when ``authorization`` is ``Bearer <expected>`` (and a token is configured)."""
    scheme, _, offered = (authorization or "").partition(" ")
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(offered.encode(), expected.encode())
    )


def require_operator(authorization: str | None, token: SecretStr | str) -> None:
    """Raise unless ``authorization`` carries the operator ``token`` (see module doc)."""
    expected = token.get_secret_value() if isinstance(token, SecretStr) else token
    if not expected:
        raise Forbidden("operator routes are disabled (no operator token set)")
    if not bearer_matches(authorization, expected):
        raise Unauthorized("a valid operator token is required")
