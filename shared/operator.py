"""Operator-only routes: ``Authorization: Bearer <token>``, checked in constant time."""

from __future__ import annotations

import hmac


def bearer_matches(authorization: str | None, expected: str) -> bool:
    """True when ``authorization`` is ``Bearer <expected>`` (and a token is configured)."""
    scheme, _, offered = (authorization or "").partition(" ")
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(offered.encode(), expected.encode())
    )
