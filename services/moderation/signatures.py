"""Crowdflower v1 webhook signatures: ``signature = SHA1(payload + api key)`` in hex.

Checked over the raw ``payload`` form field before anything parses it, in constant
time so an attacker learns nothing from how long a wrong guess takes.
"""

from __future__ import annotations

import hashlib
import hmac


def sign(payload: str, api_key: str) -> str:
    """The v1 signature of ``payload``: hex SHA1 of the payload followed by the key."""
    return hashlib.sha1((payload + api_key).encode(), usedforsecurity=False).hexdigest()


def is_valid_signature(payload: str, signature: str | None, api_key: str) -> bool:
    """Does ``signature`` sign ``payload`` with ``api_key``? False when either is missing."""
    if not signature or not api_key:
        return False
    expected = sign(payload, api_key)
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())
