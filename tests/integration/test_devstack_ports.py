"""`make run` refuses to start on a taken port, naming the port, its use and its holder."""

import os
import socket
import subprocess
import sys

from tests.launcher import FOREIGN_AWS, SERVICES, local_stack_environment
from tests.processes import ROOT, free_port


def test_a_taken_port_stops_make_run_before_anything_starts_and_names_its_holder(tmp_path):
    env = {
        **os.environ,
        **local_stack_environment(tmp_path / "localaws"),
        **{f"{name}_PORT": str(free_port()) for name in SERVICES},
    }
    for key in FOREIGN_AWS:
        env.pop(key, None)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env["GATEWAY_PORT"] = str(port)
        done = subprocess.run(
            [sys.executable, "deploy/devstack.py", "run"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"port {port} (gateway) is taken by pid {os.getpid()} (" in done.stderr
    assert "make run cannot start" in done.stderr
    # Nothing was started: honcho prints a line per process it starts.
    assert "started with pid" not in done.stdout + done.stderr
    assert not (tmp_path / "localaws").exists()
