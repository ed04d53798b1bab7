"""SigV4: the ``Authorization`` header recomputed with botocore's own signer and compared.

Only the headers the client named in ``SignedHeaders`` take part, as on AWS; the time
comes from ``X-Amz-Date`` and must be within 15 minutes of now. Refusals use AWS's
front-end errors: ``MissingAuthenticationTokenException``,
``IncompleteSignatureException``, ``UnrecognizedClientException``,
``InvalidSignatureException``.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sims.mturk.errors import AwsError

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "mturk-requester"
SKEW_SECONDS = 15 * 60
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


@dataclass(frozen=True)
class Authorization:
    """The parts of one ``Authorization: AWS4-HMAC-SHA256 …`` header."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(header: str | None) -> Authorization:
    """The header's parts, or AWS's refusal of a missing or malformed one."""
    if not header:
        raise AwsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    algorithm, _, rest = header.partition(" ")
    parts = dict(p.strip().partition("=")[::2] for p in rest.split(","))
    scope = parts.get("Credential", "").split("/")
    if algorithm != ALGORITHM or len(scope) != 5 or scope[4] != "aws4_request":
        raise AwsError(
            400, "IncompleteSignatureException", f"Authorization header is invalid: {header[:60]}"
        )
    if not parts.get("SignedHeaders") or not parts.get("Signature"):
        raise AwsError(
            400, "IncompleteSignatureException", "Signature and SignedHeaders are required."
        )
    return Authorization(
        scope[0],
        scope[1],
        scope[2],
        scope[3],
        tuple(parts["SignedHeaders"].split(";")),
        parts["Signature"],
    )


def check_time(amz_date: str, now: datetime) -> None:
    """AWS's refusal of a request signed more than 15 minutes away from now."""
    try:
        signed = datetime.strptime(amz_date, SIGV4_TIMESTAMP).replace(tzinfo=UTC)
    except ValueError:
        raise AwsError(
            400, "IncompleteSignatureException", "X-Amz-Date is missing or malformed."
        ) from None
    if abs((now - signed).total_seconds()) > SKEW_SECONDS:
        raise AwsError(
            400,
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is not within 15 minutes of now.",
        )


def expected_signature(
    auth: Authorization, url: str, headers: Mapping[str, str], body: bytes, secret: str
) -> str:
    """The signature botocore computes for this request with ``secret``."""
    signed = {name: headers.get(name, "") for name in auth.signed_headers}
    request = AWSRequest(method="POST", url=url, headers=signed, data=body)
    request.context["timestamp"] = headers.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(auth.access_key_id, secret), auth.service, auth.region)
    canonical = signer.canonical_request(request)
    return str(signer.signature(signer.string_to_sign(request, canonical), request))


def verify(
    url: str, headers: Mapping[str, str], body: bytes, key_id: str, secret: str, now: datetime
) -> None:
    """Accept a request signed with the configured key, or raise AWS's refusal."""
    auth = parse_authorization(headers.get("authorization"))
    if not hmac.compare_digest(auth.access_key_id.encode(), key_id.encode()):
        raise AwsError(
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    if auth.service != SERVICE or "host" not in auth.signed_headers:
        raise AwsError(403, "InvalidSignatureException", MISMATCH)
    check_time(headers.get("x-amz-date", ""), now)
    expected = expected_signature(auth, url, headers, body, secret)
    if not hmac.compare_digest(expected.encode(), auth.signature.encode()):
        raise AwsError(403, "InvalidSignatureException", MISMATCH)
