"""The local MTurk (``python -m sims.mturk``) as a real process on a free loopback port,
and what its tests share: boto3's client for it, HTMLQuestion pages, a loopback image server."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.pictures import good_copy, jpeg, original_frame
from tests.processes import PYTHON, answers, free_port, running, wait_for

MTURK_KEY_ID = "AKIALOCALMTURK"
MTURK_SECRET = "local-mturk-secret"


@contextmanager
def mturk_server(
    log_path: Path | None = None, port: int | None = None, **settings: object
) -> Iterator[str]:
    """Run the local MTurk with ``MTURK_SIM_<NAME>`` settings (on ``port``, else a free
    one); yield its endpoint URL (requests must be signed with MTURK_KEY_ID / MTURK_SECRET)."""
    port = port or free_port()
    env = {
        "MTURK_SIM_PORT": str(port),
        "MTURK_SIM_ACCESS_KEY_ID": MTURK_KEY_ID,
        "MTURK_SIM_SECRET_ACCESS_KEY": MTURK_SECRET,
    }
    env |= {f"MTURK_SIM_{name.upper()}": str(value) for name, value in settings.items()}
    with running([PYTHON, "-m", "sims.mturk"], env=env, log_path=log_path):
        endpoint = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{endpoint}/healthz"), 30, "the local MTurk")
        yield endpoint


NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
FAST = {"judgment_delay_seconds": 0.3, "judgment_jitter_seconds": 0, "assignment_gap_seconds": 0.05}
HIT_TYPE = {
    "Title": "Does the photo mimic the frame?",
    "Description": "Look at a photo beside a video frame and answer three questions.",
    "Reward": "0.05",
    "AssignmentDurationInSeconds": 600,
    "AutoApprovalDelayInSeconds": 86400,
    "Keywords": "image, comparison",
}
INPUTS = """
<p><label><input type="radio" name="nudity" value="yes" required> yes</label>
<label><input type="radio" name="nudity" value="no"> no</label></p>
<p><select name="mimic" required><option value="">?</option><option value="1">1</option>
<option value="2">2</option><option value="3">3</option><option value="4">4</option>
<option value="5">5</option></select></p>
<p><input type="radio" name="trying" value="yes" required>
<input type="radio" name="trying" value="no"></p>
"""


def question(images: list[str], inputs: str = INPUTS, action: str | None = None) -> str:
    """An HTMLQuestion showing ``images`` with the three questions in an MTurk form."""
    shown = "".join(f'<img src="{url}" alt="">' for url in images)
    target = action or "https://workersandbox.mturk.com/mturk/externalSubmit"
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<form name="mturk_form" method="post" id="mturk_form" action="{target}">
<input type="hidden" value="" name="assignmentId" id="assignmentId">
<input type="hidden" name="submission" value="sub-1">
{shown}{inputs}<input type="submit"></form></body></html>"""
    return (
        f'<HTMLQuestion xmlns="{NS}"><HTMLContent><![CDATA[{html}]]></HTMLContent>'
        "<FrameHeight>0</FrameHeight></HTMLQuestion>"
    )


def client(endpoint: str, key: str = MTURK_KEY_ID, secret: str = MTURK_SECRET):
    """boto3's own ``mturk`` client, aimed at the local MTurk, trying each call once."""
    return boto3.client(
        "mturk",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )


def fresh_hit_type(mturk) -> str:
    """A HIT type of its own (a new title), so notification settings do not leak between
    tests (the same values would give the same type)."""
    fields = {**HIT_TYPE, "Title": f"{HIT_TYPE['Title']} {uuid.uuid4().hex[:6]}"}
    return str(mturk.create_hit_type(**fields)["HITTypeId"])


def create_hit(mturk, hit_type: str, shown: str, **extra: object) -> str:
    """Publish a HIT of ``hit_type`` showing the HTMLQuestion ``shown``; its id."""
    fields = {"LifetimeInSeconds": 3600, **extra}
    hit = mturk.create_hit_with_hit_type(HITTypeId=hit_type, Question=shown, **fields)["HIT"]
    return str(hit["HITId"])


def assignments(mturk, hit_id: str, **extra: object) -> list[dict]:
    """The first page of the HIT's assignments."""
    return list(mturk.list_assignments_for_hit(HITId=hit_id, **extra)["Assignments"])


def answered(mturk, hit_id: str, count: int) -> list[dict]:
    """The HIT's assignments once ``count`` are in (bounded wait)."""
    wait_for(lambda: len(assignments(mturk, hit_id)) >= count, 30, f"{count} assignments")
    return assignments(mturk, hit_id)


@contextmanager
def image_server(root: Path) -> Iterator[str]:
    """A loopback web server showing a photo (``photo.jpg``) and its original frame
    (``original.jpg``); yield its base URL."""
    (root / "photo.jpg").write_bytes(good_copy(3))
    (root / "original.jpg").write_bytes(jpeg(original_frame(3)))
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def refusal(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, str]:
    """A refusal's error code, message and TurkErrorCode."""
    error = exc.value.response["Error"]
    return error["Code"], error.get("Message", ""), exc.value.response.get("TurkErrorCode", "")
