"""The README's import command, typed as written in a second terminal while `make run` is
going, imports a 3-minute video into the running local stack.

The command is read from README.md, so this test fails when the README's command
changes and no longer works. It runs with no AWS_* variable set, as in a fresh
terminal: the importer finds the stack through the file `make run` leaves for it
(``importer/target.py``) and says so. Its working directory holds the video and a
``.venv`` link, as the project directory would.
"""

import os
import re
import shlex
import subprocess
from contextlib import AsyncExitStack

import httpx
import pytest

from shared.aws import open_aws_clients
from shared.records import VideoRecord, originals_prefix, video_record_key
from shared.settings import AwsSettings
from tests.contribution import poll
from tests.launcher import make_run
from tests.media import tiny_video
from tests.processes import ROOT, free_port

pytestmark = pytest.mark.system

SECONDS, FPS = 180, 25  # a 3-minute video: 4,500 frames
IMPORTED_WITHIN_SECONDS = 240
SLOTS_OUT_WITHIN_SECONDS = 60


def readme_import_command() -> list[str]:
    """The README's import command line, its comment left out."""
    lines = (ROOT / "README.md").read_text().splitlines()
    found = [line for line in lines if re.match(r"^\S*python -m importer video ", line)]
    assert len(found) == 1, f"one import command in README.md, found {found}"
    argv = shlex.split(found[0], comments=True)
    assert argv[:4] == [".venv/bin/python", "-m", "importer", "video"], argv
    return argv


def fresh_terminal() -> dict[str, str]:
    """This environment without a single AWS_* variable."""
    return {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}


async def stored(ministack_port: int, video: str) -> tuple[list[str], VideoRecord]:
    """Every key under the video's originals, and its record, read from the local S3."""
    settings = AwsSettings(
        aws_endpoint_url=f"http://127.0.0.1:{ministack_port}",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    async with AsyncExitStack() as stack:
        aws = await open_aws_clients(settings, stack)
        pages = aws.s3.get_paginator("list_objects_v2").paginate(
            Bucket=settings.media_bucket, Prefix=originals_prefix(video)
        )
        keys = [item["Key"] async for page in pages for item in page.get("Contents", [])]
        answer = await aws.s3.get_object(Bucket=settings.media_bucket, Key=video_record_key(video))
        record = VideoRecord.model_validate_json(await answer["Body"].read())
    return keys, record


@pytest.mark.timeout(600)
async def test_the_readme_import_command_imports_a_3_minute_video_into_make_run(
    output_dir, tmp_path
):
    argv = readme_import_command()
    file_name, video = argv[4], argv[argv.index("--video") + 1]
    terminal = tmp_path / "terminal"
    terminal.mkdir()
    (terminal / ".venv").symlink_to(ROOT / ".venv")
    tiny_video(terminal / file_name, SECONDS, FPS)
    ministack_port = free_port()

    log = output_dir / "make-run-import.log"
    with make_run(log, OFOF_MINISTACK_PORT=str(ministack_port)) as launched:
        imported = subprocess.run(
            argv,
            cwd=terminal,
            env=fresh_terminal(),
            capture_output=True,
            text=True,
            timeout=IMPORTED_WITHIN_SECONDS,
        )
        (output_dir / "make-run-import.importer.log").write_text(imported.stderr)
        assert imported.returncode == 0, imported.stderr[-3000:]
        frames = SECONDS * FPS
        assert f"imported {video}: {frames} frames ({frames} uploaded)" in imported.stdout
        local = f"writing to the local stack of make run (S3 at http://127.0.0.1:{ministack_port},"
        assert local in imported.stderr

        keys, record = await stored(ministack_port, video)
        assert (record.video, record.frame_count, record.fps) == (video, frames, FPS)
        assert len(keys) == frames + 1  # every frame and the record (the video is silent)

        async with httpx.AsyncClient(base_url=launched.url("gateway"), timeout=30) as client:
            listed = (await client.get("/api/videos")).json()["videos"]
            summary = next(v for v in listed if v["video"] == video)
            assert summary["frame_count"] == frames
            for page in (summary["page_url"], summary["contribute_url"]):
                assert (await client.get(page)).status_code == 200, page
            clip = await client.get("/api/clip", params={"video": video})
            assert clip.status_code == 200, clip.text
            assert clip.json()["frame_count"] == frames
            lease = await poll(
                lambda: client.post("/api/leases", params={"video": video}),
                lambda r: r.status_code == 201,
                SLOTS_OUT_WITHIN_SECONDS,
                f"a frame of {video} handed out",
            )
            original = await client.get(lease.json()["original_url"])
            assert original.status_code == 200
            assert original.headers["content-type"] == "image/jpeg"
