"""Starting and stopping real processes for integration and system tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
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
