import pytest

from shared.errors import Forbidden
from shared.leases import InvalidToken, LeaseClaims, LeaseGone, authorize, sign, verify

SECRET = b"test-secret-32-bytes-long-enough!"
CLAIMS = LeaseClaims(
    lease_id="lease-1",
    video="demo",
    frame=12,
    client_id="client-a",
    receipt_handle="rh-123",
    issued_at=1000.0,
    expires_at=1120.0,
    max_expires_at=1900.0,
)


def test_a_signed_token_verifies_to_its_claims():
    assert verify(sign(CLAIMS, SECRET), SECRET) == CLAIMS


def test_a_token_signed_with_another_secret_is_refused():
    with pytest.raises(InvalidToken):
        verify(sign(CLAIMS, b"another-secret"), SECRET)


def test_an_altered_claim_is_refused():
    body, _, signature = sign(CLAIMS, SECRET).partition(".")
    forged = sign(LeaseClaims(**{**CLAIMS.__dict__, "frame": 13}), b"x").partition(".")[0]
    with pytest.raises(InvalidToken):
        verify(f"{forged}.{signature}", SECRET)
    with pytest.raises(InvalidToken):
        verify(f"{body}.{signature[:-2]}AA", SECRET)


@pytest.mark.parametrize("garbage", ["", ".", "abc", "abc.def", "é.é", "a.b.c", "!!!.???"])
def test_garbage_is_refused_as_an_invalid_token(garbage):
    with pytest.raises(InvalidToken):
        verify(garbage, SECRET)


def test_another_clients_lease_is_forbidden():
    with pytest.raises(Forbidden) as caught:
        authorize(sign(CLAIMS, SECRET), SECRET, lease_id="lease-1", client_id="b", now=1001)
    assert caught.value.code == "not_your_lease"


def test_a_token_for_another_lease_is_forbidden():
    with pytest.raises(Forbidden):
        authorize(sign(CLAIMS, SECRET), SECRET, lease_id="lease-2", client_id="client-a", now=1)


def test_a_late_photo_within_the_maximum_is_authorized():
    claims = authorize(
        sign(CLAIMS, SECRET), SECRET, lease_id="lease-1", client_id="client-a", now=1500
    )
    assert not claims.is_live(1500)
    assert claims.is_within_maximum(1500)


def test_past_the_maximum_the_lease_is_gone():
    with pytest.raises(LeaseGone) as caught:
        authorize(sign(CLAIMS, SECRET), SECRET, lease_id="lease-1", client_id="client-a", now=1901)
    assert caught.value.status_code == 410


def test_heartbeats_extend_but_never_past_the_maximum():
    assert CLAIMS.extended(now=1100, lease_seconds=120).expires_at == 1220
    assert CLAIMS.extended(now=1850, lease_seconds=120).expires_at == 1900
