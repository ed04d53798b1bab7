"""Keep-my-frames links: signed client ids, pure."""

from services.gateway.contributors.keeplinks import keep_key, keep_token, kept_client
from services.gateway.contributors.previews import Preview, meta_tags

ALICE = "alice-client-id-0001"


def test_a_token_carries_its_client_id_and_a_changed_byte_is_refused():
    key = keep_key(b"secret", derived_from_lease_secret=False)
    token = keep_token(key, ALICE)
    assert kept_client(key, token) == ALICE
    assert kept_client(key, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert kept_client(keep_key(b"other", False), token) is None
    assert kept_client(key, f"{ALICE}.") is None
    assert kept_client(key, "short." + token.split(".")[1]) is None


def test_a_key_derived_from_the_lease_secret_is_not_the_lease_secret():
    assert keep_key(b"lease", derived_from_lease_secret=True) != b"lease"
    assert keep_key(b"lease", derived_from_lease_secret=False) == b"lease"


def test_preview_tags_escape_every_value():
    preview = Preview('a "b" <c>', "d & e", "https://x/s/1", "https://x/s/1/image.jpg", "alt")
    tags = meta_tags(preview)
    assert 'content="a &quot;b&quot; &lt;c&gt;"' in tags
    assert 'content="d &amp; e"' in tags
    assert '<meta name="twitter:card" content="summary_large_image">' in tags
