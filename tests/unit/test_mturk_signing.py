"""The local MTurk's SigV4 check against requests botocore's signer signed (pure)."""

from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sims.mturk.errors import AwsError
from sims.mturk.signing import verify

URL = "http://127.0.0.1:8006/"
BODY = b'{"HITId": "3ABC"}'


def signed(secret: str = "secret", body: bytes = BODY) -> dict[str, str]:
    """The headers botocore's signer puts on a GetHIT request, lower-cased as servers see them."""
    request = AWSRequest(
        method="POST",
        url=URL,
        data=body,
        headers={
            "X-Amz-Target": "MTurkRequesterServiceV20170117.GetHIT",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    SigV4Auth(Credentials("AKIAKEY", secret), "mturk-requester", "us-east-1").add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    return headers | {"host": "127.0.0.1:8006"}


def check(headers: dict[str, str], body: bytes = BODY, now: datetime | None = None) -> None:
    verify(URL, headers, body, "AKIAKEY", "secret", now or datetime.now(UTC))


def refused(headers: dict[str, str], body: bytes = BODY, now: datetime | None = None) -> str:
    with pytest.raises(AwsError) as refusal:
        check(headers, body, now)
    return refusal.value.kind


def test_a_request_botocore_signed_with_the_key_is_accepted():
    check(signed())


def test_a_wrong_secret_a_changed_body_or_a_changed_target_is_refused():
    assert refused(signed(secret="other")) == "InvalidSignatureException"
    assert refused(signed(), body=b'{"HITId": "3XYZ"}') == "InvalidSignatureException"
    retargeted = signed() | {"x-amz-target": "MTurkRequesterServiceV20170117.DeleteHIT"}
    assert refused(retargeted) == "InvalidSignatureException"


def test_a_signature_older_than_15_minutes_is_refused():
    later = datetime.now(UTC) + timedelta(minutes=16)
    assert refused(signed(), now=later) == "InvalidSignatureException"


def test_a_missing_or_malformed_authorization_is_refused_as_aws_does():
    headers = signed()
    assert refused({k: v for k, v in headers.items() if k != "authorization"}) == (
        "MissingAuthenticationTokenException"
    )
    assert refused(headers | {"authorization": "AWS4-HMAC-SHA256 nonsense"}) == (
        "IncompleteSignatureException"
    )
    other_key = headers["authorization"].replace("AKIAKEY", "AKIAOTHER")
    assert refused(headers | {"authorization": other_key}) == "UnrecognizedClientException"
