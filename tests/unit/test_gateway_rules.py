import pytest
from pydantic import ValidationError

from services.gateway.core.ratelimits import SlidingWindowLimiter
from services.gateway.settings import GatewaySettings
from shared.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType
from shared.photos import check_declared_length, clean_display_name, photo_content_type


def test_the_limit_allows_n_events_per_window_then_says_when_to_retry():
    limiter = SlidingWindowLimiter(limit=3, window_seconds=60)
    assert [limiter.retry_after("1.2.3.4", t) for t in (0, 1, 2)] == [None, None, None]
    assert limiter.retry_after("1.2.3.4", 3) == 57
    assert limiter.retry_after("5.6.7.8", 3) is None
    assert limiter.retry_after("1.2.3.4", 60.5) is None


def test_display_names_lose_control_characters_and_extra_spaces():
    assert clean_display_name("  Ada\x00\x07  Lovelace\u200b\n") == "Ada Lovelace"
    assert clean_display_name("   ") is None
    assert clean_display_name(None) is None
    assert clean_display_name("Zoë 🎬") == "Zoë 🎬"


def test_display_names_over_forty_characters_are_refused():
    with pytest.raises(Unprocessable):
        clean_display_name("x" * 41)


@pytest.mark.parametrize("header", ["image/jpeg", "IMAGE/PNG", "image/webp; charset=binary"])
def test_photo_types_are_accepted(header):
    assert photo_content_type(header).startswith("image/")


@pytest.mark.parametrize("header", [None, "", "image/gif", "image/svg+xml", "text/plain"])
def test_other_types_are_refused_with_415(header):
    with pytest.raises(UnsupportedMediaType):
        photo_content_type(header)


def test_a_declared_length_over_the_limit_is_refused_before_reading():
    check_declared_length("100", 100)
    with pytest.raises(PayloadTooLarge):
        check_declared_length("101", 100)


def test_trusted_proxies_are_addresses_or_networks_and_a_typo_is_refused():
    settings = GatewaySettings(trusted_proxies=" 10.0.0.0/16, 192.0.2.7 ,::1,")
    assert settings.trusted_proxy_list() == ["10.0.0.0/16", "192.0.2.7", "::1"]
    assert GatewaySettings(trusted_proxies="").trusted_proxy_list() == []
    assert GatewaySettings().trusted_proxy_list() == ["127.0.0.1", "::1"]
    for wrong in ("10.0.0.0/16,10.0.0.l", "*"):
        with pytest.raises(ValidationError):
            GatewaySettings(trusted_proxies=wrong)
