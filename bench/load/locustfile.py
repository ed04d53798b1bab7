"""The visitor flow of ``make load``, for locust 2.x (runs in ``bench/.venv-load``).

Each iteration is a new visitor (fresh cookies) doing what the pages do: the home page
and its two API calls, a lease, the original frame, a 1280×720 webcam photo uploaded for
the lease, then a few polls of its review. A lease answered 503 ``no_frame_available``
is an expected outcome (the demo has 250 frames): it is counted as its own step, and the
visitor waits its ``Retry-After`` as the page does. Every answer's status is counted per
step and written as JSON when locust quits, so the runner can count the 5xx.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task

# The steps, as locust names them in its figures.
HOME = "home"
CLIP = "clip"
RECENT = "recent"
LEASE = "lease"
NO_FRAME = "lease: none free"
ORIGINAL = "original"
UPLOAD = "upload"
POLL = "poll"
STEPS = (HOME, CLIP, RECENT, LEASE, NO_FRAME, ORIGINAL, UPLOAD, POLL)
# What each step expects; anything else is a failure. The clip answers 404 until the
# first render is published.
EXPECTED = {CLIP: (200, 404), LEASE: (201,), NO_FRAME: (503,), UPLOAD: (202,)}
POLLS = 3
POLL_INTERVAL_SECONDS = 1.0
# Time a visitor takes to pose and shoot after the original frame is shown.
SHOOT_SECONDS = (1.0, 3.0)
# A visitor waits out Retry-After, but no longer than this, before trying again.
MAX_RETRY_WAIT_SECONDS = 15.0

statuses: defaultdict[str, Counter[str]] = defaultdict(Counter)


@cache
def photo() -> bytes:
    """The webcam photo every visitor uploads (written by the runner, see LOAD_PHOTO)."""
    return Path(os.environ["LOAD_PHOTO"]).read_bytes()


@events.request.add_listener
def count_status(name: str, response: Any = None, **_: Any) -> None:
    """Counts each step's answers by status (0: no answer, e.g. a dropped connection)."""
    statuses[name][str(getattr(response, "status_code", 0) or 0)] += 1


@events.quitting.add_listener
def write_statuses(**_: Any) -> None:
    """Leaves the status counts where the runner reads them."""
    path = os.environ.get("LOAD_STATUS_FILE")
    if path:
        Path(path).write_text(json.dumps({step: dict(c) for step, c in statuses.items()}))


class Visitor(HttpUser):
    """One visitor after another, each doing the whole flow once."""

    wait_time = between(1.0, 3.0)

    @task
    def visit(self) -> None:
        self.client.cookies.clear()
        self.step(HOME, "GET", "/")
        self.step(CLIP, "GET", "/api/clip")
        self.step(RECENT, "GET", "/api/frames/recent?limit=10")
        lease = self.lease()
        if lease is None:
            return
        self.step(ORIGINAL, "GET", lease["original_url"])
        gevent.sleep(random.uniform(*SHOOT_SECONDS))
        submission = self.upload(lease)
        if submission is not None:
            self.poll(submission["status_url"])

    def lease(self) -> dict[str, Any] | None:
        """A new lease, or None after waiting out a 503 "no frame free"."""
        with self.client.post("/api/leases", name=LEASE, catch_response=True) as answer:
            if answer.status_code == 503 and error_of(answer) == "no_frame_available":
                answer.request_meta["name"] = NO_FRAME
                answer.success()
                retry = float(answer.headers.get("Retry-After", MAX_RETRY_WAIT_SECONDS))
                gevent.sleep(min(retry, MAX_RETRY_WAIT_SECONDS))
                return None
            return json_if_expected(answer, LEASE)

    def upload(self, lease: dict[str, Any]) -> dict[str, Any] | None:
        """The photo for ``lease``; its acceptance, or None when refused."""
        with self.client.post(
            f"/api/leases/{lease['lease_id']}/photo",
            data=photo(),
            headers={"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"},
            name=UPLOAD,
            catch_response=True,
        ) as answer:
            return json_if_expected(answer, UPLOAD)

    def poll(self, status_url: str) -> None:
        """Polls the review a few times, as the page does, until it is decided."""
        for _ in range(POLLS):
            gevent.sleep(POLL_INTERVAL_SECONDS)
            with self.client.get(status_url, name=POLL, catch_response=True) as answer:
                review = json_if_expected(answer, POLL)
            if review is None or review["status"] in ("approved", "rejected"):
                return

    def step(self, name: str, method: str, path: str) -> None:
        with self.client.request(method, path, name=name, catch_response=True) as answer:
            json_if_expected(answer, name, parse=False)


def error_of(answer: Any) -> str | None:
    """The ``error`` code of an error body, if it is one."""
    try:
        return str(answer.json()["error"])
    except Exception:  # no body, not JSON, or not an error body
        return None


def json_if_expected(answer: Any, step: str, parse: bool = True) -> dict[str, Any] | None:
    """Marks the answer by the step's expected statuses; its JSON body when expected."""
    if answer.status_code not in EXPECTED.get(step, (200,)):
        answer.failure(f"{answer.status_code} {error_of(answer) or ''}".strip())
        return None
    answer.success()
    if not parse or answer.status_code != EXPECTED.get(step, (200,))[0]:
        return None
    body: dict[str, Any] = answer.json()
    return body
