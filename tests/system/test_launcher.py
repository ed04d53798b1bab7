"""`make run` as a person would start it: every service ready, then a clean stop."""

import os
import signal
import subprocess
import time

import pytest

from tests.processes import ROOT, answers, descendants, free_port, is_alive, wait_for

pytestmark = pytest.mark.system

SERVICES = ("GATEWAY", "INGEST", "MODERATION", "RENDERER")


def test_make_run_starts_all_four_services_and_sigterm_stops_every_child(output_dir):
    ports = {name: free_port() for name in SERVICES}
    env = {
        **os.environ,
        "OFOF_MOTO_PORT": str(free_port()),
        "CROWD_PORT": str(free_port()),
        **{f"{name}_PORT": str(port) for name, port in ports.items()},
    }
    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(key, None)
    log_path = output_dir / "make-run.log"
    with open(log_path, "wb") as log:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            for name, port in ports.items():
                wait_for(lambda p=port: answers(f"http://127.0.0.1:{p}/readyz"), 60, f"{name}")
            ready_line = f"One Frame Of Fame is ready: http://127.0.0.1:{ports['GATEWAY']}/"
            wait_for(lambda: ready_line in log_path.read_text(), 30, "the ready announcement")
            children = descendants(make.pid)
            # honcho + moto + setup + four services + the local crowd
            assert len(children) >= 8, children

            make.send_signal(signal.SIGTERM)
            stopped_by = time.monotonic() + 15
            wait_for(lambda: not any(is_alive(pid) for pid in children), 15, "every child to exit")
            assert time.monotonic() <= stopped_by
            make.wait(5)
        finally:
            if make.poll() is None:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait()
    text = log_path.read_text()
    for name in ("gateway", "ingest", "moderation", "renderer"):
        assert f'"service": "{name}"' in text
