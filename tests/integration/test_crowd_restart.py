"""The local crowd keeps its state like the platform: stopped by SIGKILL (a crash), by
SIGINT (Ctrl-C) or SIGTERM (honcho), then started again on the same state file, it knows
every job, unit, judgment, gold unit and its funds; units ordered before the stop are
judged after it; webhooks pending at the stop are delivered after it; and new ids go on
from the old ones.

The first jobs are made by Appen's published client (``adapapi``, as in
``test_crowd_conformance.py``) and by plain v1 form calls; after the restart adapapi
reads its units back.

Under ``make run`` devstack supervises the crowd: killed alone, it is started again on
its state while the rest of the stack runs on; a killed supervisor takes it along.
"""

import json
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from tests.integration.test_crowd_conformance import KEY, adapapi_python, drive  # noqa: F401
from tests.mturk_process import image_server
from tests.processes import (
    PYTHON,
    answers,
    descendants,
    free_port,
    is_alive,
    running,
    stand_in,
    stop_with,
    wait_for,
)

CML = """<img src="{{photo_url}}"><img src="{{original_url}}">
<cml:radios name="nudity" validates="required"><cml:radio value="yes"/><cml:radio value="no"/>
</cml:radios><cml:ratings name="mimic" validates="required" points="5"/>
<cml:radios name="trying" validates="required"><cml:radio value="yes"/><cml:radio value="no"/>
</cml:radios>"""
SETTINGS = {
    # Slow enough that the units adapapi orders are still waiting at the stop.
    "CROWD_JUDGMENT_DELAY_SECONDS": "1.5",
    "CROWD_JUDGMENT_JITTER_SECONDS": "0",
    "CROWD_UNTRUSTED_SHARE": "0",
    "CROWD_CARELESS_SHARE": "0",
    "CROWD_FUNDS_CENTS": "1000",
    # A refused webhook is tried again only after the restart.
    "CROWD_WEBHOOK_BACKOFF_SECONDS": "60",
    "CROWD_SEED": "5",
}
STOPS = [signal.SIGKILL, signal.SIGINT, signal.SIGTERM]


class Receiver:
    """Webhooks as the crowd posts them; refused (503) until ``accepting`` is set."""

    def __init__(self) -> None:
        self.accepting = threading.Event()
        self.tried: list[dict[str, str]] = []
        self.taken: list[dict[str, str]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                receiver.tried.append(form)
                ok = receiver.accepting.is_set()
                if ok:
                    receiver.taken.append(form)
                self.send_response(200 if ok else 503)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@contextmanager
def receiving() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def v1(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=f"{base_url}/v1", params={"key": KEY}, timeout=10)


def unit_of(crowd: httpx.Client, job: int, unit: int) -> dict:
    return crowd.get(f"/jobs/{job}/units/{unit}.json").json()


def finalized(crowd: httpx.Client, job: int, unit: int) -> bool:
    return unit_of(crowd, job, unit)["state"] == "finalized"


def snapshot(crowd: httpx.Client, jobs: list[int]) -> dict:
    """Everything the API shows of ``jobs``, their units and judgments, and the funds."""
    shown: dict = {"jobs": crowd.get("/jobs.json").json()}
    for job in jobs:
        units = crowd.get(f"/jobs/{job}/units.json").json()
        shown[job] = {
            "ping": crowd.get(f"/jobs/{job}/ping.json").json(),
            "units": units,
            "judgments": crowd.get(f"/jobs/{job}/judgments.json").json(),
            "states": {uid: unit_of(crowd, job, int(uid))["state"] for uid in units},
        }
    return shown


def first_run(crowd: httpx.Client, python: Path, base_url: str, hook: str, images: str) -> dict:
    """A job with gold and one unit judged (its webhook refused, so pending), and a job
    of adapapi's with two units ordered and not yet judged."""
    fields = {"job[title]": "restart", "job[cml]": CML, "job[webhook_uri]": hook}
    job = crowd.post("/jobs.json", data=fields | {"job[judgments_per_unit]": "2"}).json()["id"]
    data = {"unit[data][photo_url]": f"{images}/photo.jpg"}
    data["unit[data][original_url]"] = f"{images}/original.jpg"
    gold = {"unit[golden]": "true", "unit[data][nudity_gold]": "no"}
    crowd.post(f"/jobs/{job}/units.json", data=data | gold).raise_for_status()
    judged = crowd.post(f"/jobs/{job}/units.json", data=data).json()["id"]
    order = {"debit[units_count]": "1", "channels[]": "cf_internal"}
    crowd.post(f"/jobs/{job}/orders.json", data=order).raise_for_status()
    wait_for(lambda: finalized(crowd, job, judged), 30, "the first unit judged")
    rows = [
        {"submission_id": f"a{n}", "photo_url": f"{images}/photo.jpg"}
        | {"original_url": f"{images}/original.jpg"}
        for n in range(3)
    ]
    launched = drive(python, base_url, "launch", CML, json.dumps(rows))
    return {"job": job, "judged": judged, "adapapi_job": int(launched["job_id"])}


@pytest.mark.parametrize("stop", STOPS, ids=[s.name for s in STOPS])
def test_the_local_crowd_goes_on_after_a_restart_with_everything_it_knew(
    adapapi_python,  # noqa: F811
    output_dir,
    tmp_path,
    stop,
):
    port = free_port()
    env = SETTINGS | {
        "CROWD_PORT": str(port),
        "CROWD_API_KEY": KEY,
        "CROWD_STATE_PATH": str(tmp_path / "crowd" / "crowd.sqlite3"),
    }
    base_url = f"http://127.0.0.1:{port}"
    log = output_dir / f"crowd-restart-{stop.name}"
    with image_server(tmp_path) as images, receiving() as (receiver, hook), v1(base_url) as crowd:
        with stand_in("sims.crowd", env, port, Path(f"{log}-1.log")) as first:
            made = first_run(crowd, adapapi_python, base_url, hook, images)
            jobs = [made["job"], made["adapapi_job"]]
            wait_for(lambda: receiver.tried, 10, "a webhook attempt")
            funds = crowd.post(f"{base_url}/sim/funds", data={"cents": "0"}).json()
            before = snapshot(crowd, jobs)
            stop_with(first, stop)
        receiver.accepting.set()
        with stand_in("sims.crowd", env, port, Path(f"{log}-2.log")):
            after = snapshot(crowd, jobs)
            assert crowd.post(f"{base_url}/sim/funds", data={"cents": "0"}).json() == funds
            assert after[made["job"]] == before[made["job"]]
            # adapapi's job may finish any moment now; the first job's listing is fixed.
            assert [j["id"] for j in after["jobs"]] == [j["id"] for j in before["jobs"]]
            assert after["jobs"][-1] == before["jobs"][-1]
            # The refused unit_complete of the first job is delivered after the restart.
            wait_for(lambda: receiver.taken, 15, "the pending webhook")
            signals = {form["signal"] for form in receiver.taken}
            assert "unit_complete" in signals
            payload = json.loads(receiver.taken[0]["payload"])
            payload = payload[0] if isinstance(payload, list) else payload
            assert payload["id"] in (made["judged"], made["job"])
            # adapapi's two ordered units are judged after the restart; it reads them back.
            adapapi_job = made["adapapi_job"]
            unit_ids = list(after[adapapi_job]["units"])
            ordered = [uid for uid in unit_ids if after[adapapi_job]["states"][uid] != "new"]
            assert len(ordered) == 2
            for uid in ordered:
                wait_for(lambda u=uid: finalized(crowd, adapapi_job, int(u)), 30, "judging")
            read = drive(adapapi_python, base_url, "inspect", str(adapapi_job), ",".join(unit_ids))
            assert sorted(read["states"].values()) == ["canceled", "finalized", "finalized"]
            assert read["units"][ordered[0]]["results"]["mimic"]["agg"] in {"4", "5"}
            # New ids go on from the old ones.
            newer = crowd.post("/jobs.json", data={"job[title]": "after"}).json()["id"]
            assert newer == adapapi_job + 1
            unit = crowd.post(f"/jobs/{newer}/units.json", data={"unit[data][a]": "b"}).json()
            assert unit["id"] > max(int(uid) for uid in unit_ids)
            earlier = before[made["job"]]["judgments"].values()
            old = [j["id"] for results in earlier for j in results["judgments"]]
            judged_after = unit_of(crowd, adapapi_job, int(ordered[0]))["results"]["judgments"]
            assert min(j["id"] for j in judged_after) > max(old)


def test_devstack_starts_the_crowd_again_on_its_state_when_it_is_killed(output_dir, tmp_path):
    port = free_port()
    env = {
        "CROWD_PORT": str(port),
        "CROWD_API_KEY": KEY,
        "CROWD_STATE_PATH": str(tmp_path / "crowd.sqlite3"),
    }
    devstack = [PYTHON, "deploy/devstack.py", "crowd"]
    base_url = f"http://127.0.0.1:{port}"
    log = output_dir / "crowd-devstack.log"
    with running(devstack, env=env, log_path=log) as supervisor, v1(base_url) as crowd:
        wait_for(lambda: answers(f"{base_url}/healthz"), 30, "the crowd under devstack")
        job = crowd.post("/jobs.json", data={"job[title]": "kept"}).json()["id"]
        [child] = descendants(supervisor.pid)
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: descendants(supervisor.pid) - {child}, 30, "a new crowd process")
        wait_for(lambda: answers(f"{base_url}/healthz"), 30, "the crowd back")
        assert crowd.get(f"/jobs/{job}.json").json()["title"] == "kept"
        assert supervisor.poll() is None
        # A killed supervisor takes the crowd along: nothing is left holding its port.
        [again] = descendants(supervisor.pid)
        supervisor.kill()
        supervisor.wait()
        wait_for(lambda: not is_alive(again), 15, "the crowd to stop with its supervisor")
    assert "sims.crowd exited (-9); restarting" in log.read_text()
