"""Crowdflower v1 webhook signatures, in the three forms the platform used (no I/O).

- ``none``: 2010's v1 signed nothing; anyone who knows the webhook URL can post, so use
  it only with an unguessable URL.
- ``api_key``: ``signature = SHA1(payload + API key)`` in hex (about 2014–2018).
- ``webhook_token``: ``signature = SHA1(payload + webhook token)``, a separate secret
  (Appen's ADAP today).

Checked over the raw ``payload`` form field before anything parses it, in constant
time so an attacker learns nothing from how long a wrong guess takes.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

SignatureMode = Literal["none", "api_key", "webhook_token"]


def sign(payload: str, api_key: str) -> str:
    """The v1 signature of ``payload``: hex SHA1 of the payload followed by the key."""
    return hashlib.sha1((payload + api_key).encode(), usedforsecurity=False).hexdigest()


def is_valid_signature(payload: str, signature: str | None, api_key: str) -> bool:
    """Does ``signature`` sign ``payload`` with ``api_key``? False when either is missing."""
    if not signature or not api_key:
        return False
    expected = sign(payload, api_key)
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())


def is_signed(
    mode: SignatureMode, payload: str, signature: str | None, *, api_key: str, token: str
) -> bool:
    """Is ``payload`` signed as ``mode`` wants? (``none`` accepts everything.)"""
    if mode == "none":
        return True
    return is_valid_signature(payload, signature, api_key if mode == "api_key" else token)
