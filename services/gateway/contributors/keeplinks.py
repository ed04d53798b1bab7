""" "Keep my frames" links: a visitor's client id, signed, so another browser can adopt it.

A link is ``/keep/{client_id}.{signature}``, the signature an HMAC-SHA256 of the client
id under the gateway's keep secret (base64url, unpadded). It is unguessable without the
secret and checked in constant time. Pure: no I/O.

Trade-off (docs/gateway.md): the link is a bearer credential for that visitor's frames:
whoever opens it sees them and may delete them, in every browser it is opened in, and it
does not expire; rotating the keep secret voids every link at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from services.gateway.core.cookies import is_client_id

_LABEL = b"ofof-keep-link:"


def keep_key(secret: bytes, derived_from_lease_secret: bool) -> bytes:
    """The signing key: the keep secret, or one derived from the lease secret so the two
    uses never share a key."""
    if not derived_from_lease_secret:
        return secret
    return hmac.new(secret, b"ofof-keep-links", hashlib.sha256).digest()


def _signature(key: bytes, client_id: str) -> str:
    digest = hmac.new(key, _LABEL + client_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def keep_token(key: bytes, client_id: str) -> str:
    """The token of ``client_id``'s keep link."""
    return f"{client_id}.{_signature(key, client_id)}"


def kept_client(key: bytes, token: str) -> str | None:
    """The client id a token carries if its signature is right, else None."""
    client_id, _, signature = token.partition(".")
    if not is_client_id(client_id) or not signature:
        return None
    expected = _signature(key, client_id)
    return client_id if hmac.compare_digest(expected, signature) else None
