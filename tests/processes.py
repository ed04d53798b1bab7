"""Starting and stopping real processes for integration and system tests."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from deploy.localaws import LocalAws, start_dynalite, start_ministack

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


# Ports handed to test servers come from below Linux's ephemeral range (32768-60999 by
# default): a server started again on its port (a restart test) must not find it taken
# by some process's outgoing connection meanwhile, as an ephemeral port can be.
TEST_PORTS = range(20000, 32768)
_ports = random.Random()


def free_port() -> int:
    """A TCP port on 127.0.0.1, outside the ephemeral range, that nothing uses right now."""
    while True:
        port = _ports.choice(TEST_PORTS)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def wait_for(predicate: Callable[[], bool], timeout_seconds: float, what: str) -> None:
    """Poll ``predicate`` every 50 ms until it holds; fail the test after the timeout."""
    deadline = time.monotonic() + timeout_seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_seconds} s waiting for {what}")
        time.sleep(0.05)


def answers(url: str, status: int = 200) -> bool:
    """True when ``url`` answers with ``status``."""
    try:
        return httpx.get(url, timeout=1.0).status_code == status
    except httpx.HTTPError:
        return False


@contextmanager
def running(
    args: list[str], *, env: dict[str, str] | None = None, log_path: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``args`` from the project root in its own session; stop it (and its group)."""
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        stop_group(proc)
        if log_path:
            log.close()  # type: ignore[union-attr]


def stop_group(proc: subprocess.Popen[bytes], timeout_seconds: float = 15.0) -> None:
    """SIGTERM the process group of ``proc``; SIGKILL it if it outlives the timeout."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout_seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


@contextmanager
def stand_in(
    module: str, env: dict[str, str], port: int, log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``python -m <module>`` (a stand-in under ``sims/``) with ``env``; yield its
    process once ``/healthz`` answers on ``port``."""
    with running([PYTHON, "-m", module], env=env, log_path=log_path) as proc:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 30, module)
        yield proc


def stop_with(proc: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    """Stop ``proc`` with ``signum`` as an operator or a crash would: SIGKILL to its
    whole group (nothing runs on), SIGINT/SIGTERM to the process itself (a clean stop,
    which must end within 15 s)."""
    if signum == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.send_signal(signum)
    proc.wait(15)


@contextmanager
def moto_server(log_path: Path | None = None, module: str = "moto.server") -> Iterator[str]:
    """A real moto server on a free loopback port; yields its endpoint URL. ``module``
    runs it (a patched one: ``tests.moto_iam_server``)."""
    port = free_port()
    args = [PYTHON, "-m", module, "-H", "127.0.0.1", "-p", str(port)]
    with running(args, log_path=log_path):
        endpoint = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{endpoint}/moto-api/"), 30, "moto server")
        yield endpoint


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (children, grandchildren, ...), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def is_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class LocalAwsServers:
    """The embedded local AWS of ``make run`` (ministack + dynalite) as test processes."""

    local: LocalAws
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str) -> None:
        """Start server ``name`` (``ministack`` or ``dynalite``) and wait until it answers."""
        with open(self.log_dir / f"{name}-{self.local.ministack_port}.log", "ab") as log:
            if name == "ministack":
                self.processes[name] = start_ministack(self.local, log)
                wait_for(self.local.ministack_answers, 60, "ministack")
            else:
                self.processes[name] = start_dynalite(self.local, log)
                wait_for(self.local.dynalite_answers, 60, "dynalite")

    def kill(self, name: str) -> None:
        """``kill -9`` server ``name``, as a crash would, and reap it."""
        self.processes[name].kill()
        self.processes[name].wait()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
                process.wait(15)


@contextmanager
def local_aws_servers(state_dir: Path, log_dir: Path) -> Iterator[LocalAwsServers]:
    """ministack and dynalite on free loopback ports, keeping their data in ``state_dir``."""
    servers = LocalAwsServers(LocalAws(free_port(), free_port(), state_dir), log_dir)
    try:
        servers.start("ministack")
        servers.start("dynalite")
        yield servers
    finally:
        servers.stop()
