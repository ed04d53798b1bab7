"""`make run` as a subprocess on free loopback ports, for system tests."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import ROOT, answers, free_port, wait_for

SERVICES = ("GATEWAY", "INGEST", "MODERATION", "RENDERER")


@dataclass
class Launched:
    """A running `make run` and where its services listen."""

    make: subprocess.Popen[bytes]
    ports: dict[str, int]
    log_path: Path

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service.upper()]}"


@contextmanager
def make_run(log_path: Path, **settings: str) -> Iterator[Launched]:
    """Start `make run` with every port free; wait until it announces it is ready."""
    ports = {name: free_port() for name in SERVICES}
    env = {
        **os.environ,
        "OFOF_MOTO_PORT": str(free_port()),
        "CROWD_PORT": str(free_port()),
        **{f"{name}_PORT": str(port) for name, port in ports.items()},
        **settings,
    }
    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(key, None)
    with open(log_path, "wb") as log:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        launched = Launched(make, ports, log_path)
        try:
            for name in ports:
                wait_for(lambda n=name: answers(f"{launched.url(n)}/readyz"), 60, name)
            ready_line = f"One Frame Of Fame is ready: {launched.url('gateway')}/"
            wait_for(lambda: ready_line in log_path.read_text(), 30, "the ready announcement")
            yield launched
        finally:
            if make.poll() is None:
                make.send_signal(signal.SIGTERM)
                try:
                    make.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(make.pid, signal.SIGKILL)
                    make.wait()
