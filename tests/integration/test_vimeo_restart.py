"""The local Vimeo keeps the account like Vimeo: stopped by SIGKILL (a crash), SIGINT
(Ctrl-C) or SIGTERM (honcho) and started again on the same state, it shows every video
and version as before, plays the same file, lets tuspy resume an upload cut at the stop
from the offset it had, and gives new videos ids after the old ones. Driven by Vimeo's
official client (PyVimeo) and tuspy, as ``test_local_vimeo.py``.
"""

import signal
from pathlib import Path

import httpx
import pytest
import vimeo
from tusclient import client as tus_client

from tests.integration.test_local_vimeo import a_file, sha, stored
from tests.processes import free_port, stand_in, stop_with, wait_for
from tests.vimeo_process import VIMEO_TOKEN

STOPS = [signal.SIGKILL, signal.SIGINT, signal.SIGTERM]
SIZE = 100_000
CUT_AT = 30_000


def official_client(base_url: str) -> vimeo.VimeoClient:
    client = vimeo.VimeoClient(token=VIMEO_TOKEN)
    client.API_ROOT = base_url
    return client


def uploader(base_url: str, link: str, stream):
    return tus_client.TusClient(base_url).uploader(file_stream=stream, url=link, chunk_size=CUT_AT)


@pytest.mark.parametrize("stop", STOPS, ids=[s.name for s in STOPS])
def test_the_local_vimeo_goes_on_after_a_restart_with_every_video_and_upload(
    output_dir, tmp_path, stop
):
    port = free_port()
    env = {
        "VIMEO_PORT": str(port),
        "VIMEO_ACCESS_TOKEN": VIMEO_TOKEN,
        "VIMEO_TRANSCODE_SECONDS": "0.2",
        "VIMEO_STATE_PATH": str(tmp_path / "vimeo" / "vimeo.sqlite3"),
    }
    base_url = f"http://127.0.0.1:{port}"
    official = official_client(base_url)
    second, cut = a_file(tmp_path, "second.mp4", 180_000), a_file(tmp_path, "cut.mp4", SIZE)
    log = output_dir / f"vimeo-restart-{stop.name}"
    with stand_in("sims.vimeo", env, port, Path(f"{log}-1.log")) as first:
        uri = official.upload(str(a_file(tmp_path, "first.mp4")), data={"name": "Kept"})
        assert official.replace(uri, str(second)) == uri
        source = f"{base_url}/video/{uri.rsplit('/', 1)[1]}/source.mp4"
        wait_for(lambda: httpx.get(source).content == second.read_bytes(), 10, "the new version")
        created = official.post("/me/videos", data={"upload": {"approach": "tus", "size": SIZE}})
        link = created.json()["upload"]["upload_link"]
        with cut.open("rb") as stream:
            uploader(base_url, link, stream).upload(stop_at=CUT_AT)
        videos = httpx.get(f"{base_url}/_sim/videos").json()
        shown = official.get(uri).json()
        stop_with(first, stop)
    with stand_in("sims.vimeo", env, port, Path(f"{log}-2.log")):
        assert httpx.get(f"{base_url}/_sim/videos").json() == videos
        assert official.get(uri).json() == shown
        assert httpx.get(source).content == second.read_bytes()
        with cut.open("rb") as stream:
            resumed = uploader(base_url, link, stream)
            assert resumed.offset == CUT_AT
            resumed.upload()
        assert stored(base_url, created.json()["uri"])["versions"][0]["sha256"] == sha(cut)
        newer = official.upload(str(a_file(tmp_path, "third.mp4", 1_000)))
        ids = [int(v["uri"].rsplit("/", 1)[1]) for v in videos]
        ids += [version["version_id"] for v in videos for version in v["versions"]]
        assert int(newer.rsplit("/", 1)[1]) > max(ids)
