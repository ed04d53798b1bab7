"""The local Vimeo (``sims/vimeo``) driven by Vimeo's official client, PyVimeo, and tuspy.

The stand-in is only as good as its strictness: these tests hold it to the answers,
status codes and error bodies of the real API 3.4 and of tus 1.0.0.
"""

import hashlib
import os

import httpx
import pytest
import vimeo
from tusclient import client as tus_client

from tests.processes import wait_for
from tests.vimeo_process import VIMEO_TOKEN, vimeo_server

AUTH = {"Authorization": f"bearer {VIMEO_TOKEN}"}
TUS = {"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream"}


@pytest.fixture(scope="module")
def vimeo_url(output_dir):
    with vimeo_server(log_path=output_dir / "vimeo.log", transcode_seconds=0.2) as url:
        yield url


@pytest.fixture
def official(vimeo_url):
    client = vimeo.VimeoClient(token=VIMEO_TOKEN)
    client.API_ROOT = vimeo_url
    return client


def a_file(tmp_path, name, size=250_000):
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def stored(vimeo_url, uri):
    return next(v for v in httpx.get(f"{vimeo_url}/_sim/videos").json() if v["uri"] == uri)


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_official_client_uploads_a_video_whose_bytes_arrive_whole(
    official, vimeo_url, tmp_path
):
    clip = a_file(tmp_path, "first.mp4")
    uri = official.upload(str(clip), data={"name": "One Frame", "privacy": {"view": "unlisted"}})
    assert uri.startswith("/videos/")
    video = stored(vimeo_url, uri)
    assert (video["name"], video["privacy"]["view"]) == ("One Frame", "unlisted")
    assert video["versions"][0]["sha256"] == sha(clip)
    shown = official.get(uri, params={"fields": "uri,upload.status"}).json()
    assert shown == {"uri": uri, "upload": {"status": "complete"}}


def test_replace_keeps_the_same_video_and_the_player_plays_the_new_file(
    official, vimeo_url, tmp_path
):
    uri = official.upload(str(a_file(tmp_path, "first.mp4")))
    second = a_file(tmp_path, "second.mp4", size=180_000)
    assert official.replace(uri, str(second)) == uri
    video = stored(vimeo_url, uri)
    assert [v["sha256"] for v in video["versions"]][-1] == sha(second)
    assert video["versions"][-1]["file_name"] == "second.mp4"
    source = f"{vimeo_url}/video/{uri.rsplit('/', 1)[1]}/source.mp4"
    wait_for(lambda: httpx.get(source).content == second.read_bytes(), 10, "the new version")
    shown = official.get(uri).json()
    assert shown["transcode"]["status"] == "complete"
    assert shown["player_embed_url"].startswith(f"{vimeo_url}/video/")


def test_a_missing_token_gets_vimeos_401_body(vimeo_url):
    answer = httpx.post(f"{vimeo_url}/me/videos", json={"upload": {"approach": "tus", "size": 1}})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/vnd.vimeo.error+json"
    assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    body = answer.json()
    assert set(body) == {"error", "link", "developer_message", "error_code"}
    assert body["error_code"] == 8003


def test_the_official_client_reports_a_wrong_token(vimeo_url, tmp_path):
    wrong = vimeo.VimeoClient(token="not-the-token")
    wrong.API_ROOT = vimeo_url
    with pytest.raises(vimeo.exceptions.UploadAttemptCreationFailure) as refused:
        wrong.upload(str(a_file(tmp_path, "clip.mp4")))
    assert refused.value.status_code == 401
    assert "valid authenticated access token" in refused.value.message


def test_replacing_an_unknown_video_is_a_404(official, tmp_path):
    with pytest.raises(vimeo.exceptions.UploadAttemptCreationFailure) as refused:
        official.replace("/videos/123", str(a_file(tmp_path, "clip.mp4")))
    assert refused.value.status_code == 404


@pytest.mark.parametrize(
    ("body", "error_code"),
    [
        ({"name": "no upload"}, 2204),
        ({"upload": {"approach": "tus"}}, 2204),
        ({"upload": {"approach": "tus", "size": -5}}, 2204),
        ({"upload": {"approach": "pull", "link": "https://example.com/a.mp4"}}, 2230),
        ({"type": "streaming", "upload": {"approach": "tus", "size": 5}}, 3116),
        ({"upload": {"approach": "tus", "size": 5}, "privacy": {"view": "everyone"}}, 2204),
    ],
)
def test_a_create_vimeo_would_refuse_is_refused_in_its_shape(vimeo_url, body, error_code):
    answer = httpx.post(f"{vimeo_url}/me/videos", json=body, headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["error_code"] == error_code


def test_a_file_larger_than_the_account_may_hold_is_vimeos_4101(vimeo_url):
    body = {"upload": {"approach": "tus", "size": 10**12}}
    answer = httpx.post(f"{vimeo_url}/me/videos", json=body, headers=AUTH)
    assert (answer.status_code, answer.json()["error_code"]) == (403, 4101)


def test_a_body_that_is_not_json_is_2205_and_a_version_needs_a_file_name(vimeo_url, official):
    answer = httpx.post(f"{vimeo_url}/me/videos", content=b"{nope", headers=AUTH)
    assert (answer.status_code, answer.json()["error_code"]) == (400, 2205)
    created = official.post("/me/videos", data={"upload": {"approach": "tus", "size": 3}})
    version = official.post(
        created.json()["uri"] + "/versions", data={"upload": {"approach": "tus", "size": 3}}
    )
    assert version.status_code == 400
    assert version.json()["invalid_parameters"][0]["field"] == "file_name"


def test_fields_narrow_the_answer_as_vimeos_filter_does(official):
    answer = official.post(
        "/me/videos",
        data={"upload": {"approach": "tus", "size": 10}},
        params={"fields": "uri,upload.upload_link"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"uri", "upload"}
    assert set(body["upload"]) == {"upload_link"}


def new_upload_link(official, size):
    created = official.post("/me/videos", data={"upload": {"approach": "tus", "size": size}})
    return created.json()["upload"]["upload_link"]


def test_tus_refuses_what_tus_1_0_0_refuses(official):
    link = new_upload_link(official, 10)
    no_version = httpx.patch(link, content=b"abc", headers={**TUS, "Tus-Resumable": "0.2.2"})
    assert no_version.status_code == 412
    assert no_version.headers["tus-version"] == "1.0.0"
    wrong_type = httpx.patch(
        link, content=b"abc", headers={**TUS, "Upload-Offset": "0", "Content-Type": "video/mp4"}
    )
    assert wrong_type.status_code == 415
    assert httpx.patch(link, content=b"abc", headers=TUS).status_code == 400
    assert (
        httpx.patch(link, content=b"abc", headers={**TUS, "Upload-Offset": "3"}).status_code == 409
    )
    too_long = httpx.patch(link, content=b"x" * 11, headers={**TUS, "Upload-Offset": "0"})
    assert too_long.status_code == 413
    assert httpx.head(link.rsplit("/", 1)[0] + "/unknown", headers=TUS).status_code == 404


def test_tus_offsets_move_with_each_patch_and_head_tells_them(official):
    link = new_upload_link(official, 6)
    first = httpx.patch(link, content=b"abc", headers={**TUS, "Upload-Offset": "0"})
    assert (first.status_code, first.headers["upload-offset"]) == (204, "3")
    assert first.headers["tus-resumable"] == "1.0.0"
    head = httpx.head(link, headers=TUS)
    assert (head.headers["upload-offset"], head.headers["upload-length"]) == ("3", "6")
    assert head.headers["cache-control"] == "no-store"
    assert httpx.head(link).status_code == 412


def test_tuspy_resumes_an_interrupted_upload_from_the_servers_offset(official, vimeo_url, tmp_path):
    clip = a_file(tmp_path, "clip.mp4", size=100_000)
    created = official.post(
        "/me/videos", data={"upload": {"approach": "tus", "size": 100_000}}
    ).json()
    tus = tus_client.TusClient(vimeo_url)
    with clip.open("rb") as stream:
        tus.uploader(
            file_stream=stream, url=created["upload"]["upload_link"], chunk_size=30_000
        ).upload(stop_at=30_000)
    with clip.open("rb") as stream:
        resumed = tus.uploader(
            file_stream=stream, url=created["upload"]["upload_link"], chunk_size=30_000
        )
        assert resumed.offset == 30_000
        resumed.upload()
    assert stored(vimeo_url, created["uri"])["versions"][0]["sha256"] == sha(clip)
