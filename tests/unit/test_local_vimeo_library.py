"""The local Vimeo's rules, without a server: versions, transcoding, tus offsets."""

from datetime import UTC, datetime

import pytest

from sims.vimeo.library import KEPT_VERSIONS, Library, VimeoError

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TRANSCODE_SECONDS = 10.0


def tus_body(size):
    return {"upload": {"approach": "tus", "size": size}}


def test_the_player_keeps_the_last_transcoded_version_while_a_new_one_is_processed():
    library = Library()
    video = library.create_video(tus_body(3), NOW)
    first = video.versions[0]
    first.upload.append(0, b"abc", now=100.0)
    assert video.playing(105.0, TRANSCODE_SECONDS) is None
    assert video.playing(110.0, TRANSCODE_SECONDS) is first
    _, second = library.add_version(video.video_id, {"file_name": "b.mp4", **tus_body(2)}, NOW)
    assert video.status(111.0, TRANSCODE_SECONDS) == "uploading"
    second.upload.append(0, b"de", now=112.0)
    assert video.status(113.0, TRANSCODE_SECONDS) == "transcoding"
    assert video.playing(113.0, TRANSCODE_SECONDS) is first
    assert video.playing(122.0, TRANSCODE_SECONDS) is second
    assert video.status(122.0, TRANSCODE_SECONDS) == "available"


def test_a_chunk_at_the_wrong_offset_or_past_the_size_is_refused():
    upload = Library().create_video(tus_body(4), NOW).versions[0].upload
    assert upload.append(0, b"ab", now=1.0) == 2
    with pytest.raises(VimeoError) as wrong_offset:
        upload.append(0, b"ab", now=1.0)
    assert wrong_offset.value.status == 409
    with pytest.raises(VimeoError) as too_long:
        upload.append(2, b"abc", now=1.0)
    assert too_long.value.status == 413
    assert upload.completed_at is None


def test_old_versions_are_forgotten_with_their_uploads():
    library = Library()
    video = library.create_video(tus_body(1), NOW)
    for _ in range(KEPT_VERSIONS + 2):
        library.add_version(video.video_id, {"file_name": "x.mp4", **tus_body(1)}, NOW)
    assert len(video.versions) == KEPT_VERSIONS
    assert set(library.uploads) == {v.upload.upload_id for v in video.versions}


def test_an_unknown_video_is_vimeos_404():
    with pytest.raises(VimeoError) as missing:
        Library().add_version(5, {"file_name": "x.mp4", **tus_body(1)}, NOW)
    assert (missing.value.status, missing.value.error_code) == (404, 5000)
