"""`make run` as a person would start it: every service ready, then a clean stop."""

import time

import pytest

from tests.launcher import make_run
from tests.processes import descendants, is_alive, wait_for

pytestmark = pytest.mark.system


def test_make_run_starts_all_four_services_and_sigterm_stops_every_child(output_dir):
    log_path = output_dir / "make-run.log"
    with make_run(log_path) as launched:
        children = descendants(launched.make.pid)
        # honcho + the local AWS (supervisor, ministack, dynalite) + setup + four services
        # + the local crowd
        assert len(children) >= 8, children
        launched.make.terminate()  # SIGTERM to make, as an init system would send
        stopped_by = time.monotonic() + 15
        wait_for(lambda: not any(is_alive(pid) for pid in children), 15, "every child to exit")
        assert time.monotonic() <= stopped_by
        launched.make.wait(5)
    text = log_path.read_text()
    for name in ("gateway", "ingest", "moderation", "renderer"):
        assert f'"service": "{name}"' in text
