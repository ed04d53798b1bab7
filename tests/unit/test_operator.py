from shared.operator import bearer_matches


def test_only_the_configured_bearer_token_matches():
    assert bearer_matches("Bearer s3cret", "s3cret")
    assert bearer_matches("bearer s3cret", "s3cret")
    assert not bearer_matches("Bearer wrong", "s3cret")
    assert not bearer_matches("Basic s3cret", "s3cret")
    assert not bearer_matches(None, "s3cret")


def test_no_configured_token_matches_nothing():
    assert not bearer_matches("Bearer ", "")
    assert not bearer_matches(None, "")
