"""`make run` as a subprocess on free loopback ports, for system tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import ROOT, answers, descendants, free_port, wait_for

SERVICES = ("GATEWAY", "INGEST", "MODERATION", "RENDERER")


@dataclass
class Launched:
    """A running `make run` and where its services listen."""

    make: subprocess.Popen[bytes]
    ports: dict[str, int]
    log_path: Path
    # The environment `make run` was started with (the stand-ins' ports among it).
    env: dict[str, str]

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service.upper()]}"

    def stand_in_pids(self, module: str) -> set[int]:
        """The processes of ``python -m <module>`` (a stand-in) in this stack."""
        return {pid for pid in descendants(self.make.pid) if module_of(pid) == module}

    def kill_stand_in(self, module: str, port: int) -> None:
        """``kill -9`` the stand-in ``module`` alone, as a crash would; wait until devstack
        has started it again and it answers on ``port``."""
        [pid] = self.stand_in_pids(module)
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: self.stand_in_pids(module) - {pid}, 30, f"{module} started again")
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 30, f"{module} back")

    def interrupt(self) -> None:
        """Ctrl-C: SIGINT to the whole process group, as a terminal sends it; wait until
        `make run` has stopped."""
        os.killpg(self.make.pid, signal.SIGINT)
        self.make.wait(60)


def module_of(pid: int) -> str | None:
    """The module a ``python -m <module>`` process runs, or None."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    found = [args[n + 1].decode() for n, arg in enumerate(args[:-1]) if arg == b"-m"]
    return found[0] if found else None


# Settings of the caller's environment that would point `make run` away from its own.
FOREIGN_AWS = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
)


def site_ports(state_dir: Path) -> dict[str, int]:
    """The ports of the site kept in ``state_dir``: chosen free once and kept beside its
    data, so a restart finds every server where the site's stored links point (the gold
    photos' presigned URLs, the crowd's webhook), as `make run`'s fixed ports do."""
    # Beside the folder, not in it: `make run` makes the folder itself.
    kept = state_dir.with_name(f"{state_dir.name}-ports.json")
    if kept.exists():
        return {name: int(port) for name, port in json.loads(kept.read_text()).items()}
    ports = {name: free_port() for name in (*SERVICES, "MINISTACK", "DYNALITE", "CROWD")}
    kept.write_text(json.dumps(ports))
    return ports


def local_stack_environment(state_dir: Path) -> dict[str, str]:
    """Ports for the local AWS and the crowd, and where the local AWS and the stand-ins
    keep their data (all in ``state_dir``, as under var/)."""
    ports = site_ports(state_dir)
    return {
        "OFOF_MINISTACK_PORT": str(ports["MINISTACK"]),
        "OFOF_DYNALITE_PORT": str(ports["DYNALITE"]),
        "OFOF_LOCALAWS_DIR": str(state_dir),
        "CROWD_PORT": str(ports["CROWD"]),
        "OFOF_OPERATOR_TOKEN_FILE": str(state_dir / "operator-token"),
        **{
            f"{prefix}_STATE_PATH": str(state_dir / name / f"{name}.sqlite3")
            for prefix, name in (("CROWD", "crowd"), ("MTURK_SIM", "mturk"), ("VIMEO", "vimeo"))
        },
    }


@contextmanager
def make_run(log_path: Path, state_dir: Path | None = None, **settings: str) -> Iterator[Launched]:
    """Start `make run` with every port free, keeping its local AWS data in
    ``state_dir`` (a fresh directory when None); wait until it announces it is ready."""
    if state_dir is None:
        with (
            tempfile.TemporaryDirectory(prefix="ofof-localaws-") as fresh,
            make_run(log_path, Path(fresh), **settings) as launched,
        ):
            yield launched
        return
    ports = {name: site_ports(state_dir)[name] for name in SERVICES}
    env = {
        **os.environ,
        **local_stack_environment(state_dir),
        **{f"{name}_PORT": str(port) for name, port in ports.items()},
        **settings,
    }
    for key in FOREIGN_AWS:
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
        launched = Launched(make, ports, log_path, env)
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
