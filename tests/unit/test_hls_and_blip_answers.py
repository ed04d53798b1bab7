import pytest

from services.renderer.publishing.adapters.blip import BlipRejected, parse_answer
from services.renderer.publishing.hls import media_playlist
from shared.errors import Forbidden, Unauthorized
from shared.operator import require_operator


def test_the_playlist_maps_the_init_segment_and_lists_every_segment_with_its_length():
    text = media_playlist("init.mp4", [("seg-00000.m4s", 2.0), ("seg-00001.m4s", 0.28)])
    assert text.startswith("#EXTM3U\n")
    assert '#EXT-X-MAP:URI="init.mp4"' in text
    assert "#EXTINF:2.000000,\nseg-00000.m4s\n#EXTINF:0.280000,\nseg-00001.m4s" in text
    assert "#EXT-X-TARGETDURATION:2" in text
    assert text.endswith("#EXT-X-ENDLIST\n")


def test_an_ok_blip_answer_gives_the_item_id():
    answer = (
        "<response><status>OK</status>"
        "<payload><asset><item_id>4242</item_id></asset></payload></response>"
    )
    assert parse_answer(answer) == "4242"


def test_an_error_blip_answer_becomes_a_clear_failure():
    answer = (
        "<response><status>ERROR</status><error><code>AUTHENTICATION_REQUIRED</code>"
        "<message>Bad password</message></error></response>"
    )
    with pytest.raises(BlipRejected, match="AUTHENTICATION_REQUIRED") as caught:
        parse_answer(answer)
    assert caught.value.code == "blip_authentication_required"


def test_a_blip_answer_that_is_not_xml_is_a_failure():
    with pytest.raises(BlipRejected):
        parse_answer("<html>oops")


def test_forcing_a_render_needs_the_exact_bearer_token():
    require_operator("Bearer s3cret", "s3cret")
    for header in (None, "Bearer wrong", "Basic s3cret", "s3cret"):
        with pytest.raises(Unauthorized):
            require_operator(header, "s3cret")
    with pytest.raises(Forbidden):
        require_operator("Bearer anything", "")
