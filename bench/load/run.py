"""``make load``: the whole visitor flow against ``make run``'s stack, then the figures.

Starts the stack as ``make run`` does (``deploy/devstack.py run`` with this checkout on
``PYTHONPATH``), waits for its ready line, runs locust headless (``bench/load/
locustfile.py``, from its own virtualenv ``bench/.venv-load``: locust pins gevent and
friends the project's lock does not need), stops every process it started, and prints
p50/p95/p99 per step, the status counts and the goals (``bench/load/summary.py``). The
exit status is non-zero when a goal is missed. Loopback only.

All simulated visitors come from 127.0.0.1, so the gateway's per-IP lease limit
(``GATEWAY_LEASE_RATE_PER_MINUTE``, 30) would refuse all but 30 leases a minute for the
whole crowd: the run raises it, as if each visitor came from an address of their own.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.load.summary import checks, read_stats, read_statuses, render  # noqa: E402
from bench.venvs import side_venv  # noqa: E402
from tests.launcher import FOREIGN_AWS, local_stack_environment  # noqa: E402
from tests.photo_sets import WEBCAM_720P, photo_jpeg  # noqa: E402
from tests.processes import free_port  # noqa: E402

LOAD_VENV = ROOT / "bench" / ".venv-load"
LOAD_PACKAGES = ["locust==2.47.0"]
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
OUTPUT = ROOT / "var" / "load"
SERVICES = ("GATEWAY", "INGEST", "MODERATION", "RENDERER")
READY_LINE = "One Frame Of Fame is ready: "
# Bootstrap, the demo import and four services on a busy 2-core machine.
READY_TIMEOUT_SECONDS = 240.0
# The stack's drain is 8 s per service and honcho waits 12 s before SIGKILL.
STOP_TIMEOUT_SECONDS = 30.0
# High enough that no lease of the run is refused for sharing 127.0.0.1.
LOAD_LEASE_RATE_PER_MINUTE = 1_000_000


def locust_command() -> Path:
    """locust in its own virtualenv, installed on first use."""
    return side_venv(LOAD_VENV, LOAD_PACKAGES).parent / "locust"


def stack_environment(free_ports: bool) -> tuple[dict[str, str], int]:
    """The stack's environment (this checkout, the raised lease limit) and gateway port."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GATEWAY_LEASE_RATE_PER_MINUTE": str(LOAD_LEASE_RATE_PER_MINUTE),
    }
    if free_ports:
        env.update({f"{name}_PORT": str(free_port()) for name in SERVICES})
        env.update(local_stack_environment(Path(tempfile.mkdtemp(prefix="ofof-load-"))))
        for key in FOREIGN_AWS:
            env.pop(key, None)
    return env, int(env.get("GATEWAY_PORT", "8000"))


def is_taken(port: int) -> bool:
    """True when something already listens on ``port`` (a ``make run`` left open)."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_ready(stack: subprocess.Popen[bytes], log: Path) -> None:
    """Returns once the stack announces it is ready; raises if it dies or takes too long."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while READY_LINE not in log.read_text(errors="replace"):
        if stack.poll() is not None:
            raise RuntimeError(f"the stack stopped (exit {stack.returncode}); see {log}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the stack was not ready after {READY_TIMEOUT_SECONDS:g} s")
        time.sleep(0.5)


def process_stats() -> dict[int, list[str]]:
    """Every process's ``/proc/<pid>/stat`` fields after its name (field 3 onwards)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            found[int(stat.parent.name)] = stat.read_text().rsplit(")", 1)[1].split()
    return found


def processes() -> dict[int, tuple[int, str]]:
    """Every process on the machine: its parent and its start time."""
    return {pid: (int(fields[1]), fields[19]) for pid, fields in process_stats().items()}


def cpu_seconds(pids: set[int]) -> float:
    """CPU time of ``pids`` so far, their reaped children's included (utime…cstime)."""
    ticks = sum(
        sum(int(f) for f in fields[11:15]) for pid, fields in process_stats().items() if pid in pids
    )
    return ticks / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> set[tuple[int, str]]:
    """Every process below ``pid`` (honcho starts each service in a session of its own),
    with its start time, so that a pid reused later is never mistaken for it."""
    table = processes()
    found: set[tuple[int, str]] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        below = [(child, started) for child, (ppid, started) in table.items() if ppid == parent]
        found.update(below)
        todo.extend(child for child, _ in below)
    return found


def stack_pids(stack: subprocess.Popen[bytes]) -> set[int]:
    """The stack's process and every process below it."""
    return {stack.pid} | {pid for pid, _ in descendants(stack.pid)}


def stop(stack: subprocess.Popen[bytes]) -> None:
    """SIGTERM the stack (honcho forwards it); SIGKILL whatever outlives the timeout."""
    below = descendants(stack.pid)
    if stack.poll() is None:
        stack.send_signal(signal.SIGTERM)
        try:
            stack.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            stack.kill()
            stack.wait()
    alive = processes()
    for pid, started in below:
        if pid in alive and alive[pid][1] == started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def run_locust(args: argparse.Namespace, host: str, folder: Path) -> None:
    """locust headless over the visitor flow; its CSV and status counts land in ``folder``."""
    photo = folder / "webcam-1280x720.jpg"
    photo.write_bytes(photo_jpeg(WEBCAM_720P, seed=0))
    env = {**os.environ, "LOAD_PHOTO": str(photo), "LOAD_STATUS_FILE": str(folder / "status.json")}
    command = [
        str(locust_command()), "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s",
        "--stop-timeout", "5", "--host", host, "--csv", str(folder / "locust"),
    ]  # fmt: skip
    with (folder / "locust.log").open("wb") as log:
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False,
                       timeout=args.seconds + 120)  # fmt: skip


def measured(work: Callable[[], None], stack: subprocess.Popen[bytes]) -> str:
    """Runs ``work``; says how much CPU the stack took meanwhile and how busy the machine was."""
    before = stack_pids(stack)
    cpu, load, started = cpu_seconds(before), os.getloadavg()[0], time.monotonic()
    work()
    # Processes started meanwhile (ingest's photo workers) count from zero.
    used = cpu_seconds(before | stack_pids(stack)) - cpu
    wall = time.monotonic() - started
    return (
        f"the stack used {used:.0f} CPU-seconds in {wall:.0f} s ({used / wall:.2f} cores); "
        f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-u", "--users", type=int, default=50, help="visitors at once")
    parser.add_argument("-r", "--spawn-rate", type=float, default=10, help="visitors per second")
    parser.add_argument("-t", "--seconds", type=int, default=60, help="length of the run")
    parser.add_argument("--free-ports", action="store_true", help="run the stack on free ports")
    args = parser.parse_args()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="run-", dir=OUTPUT))
    env, port = stack_environment(args.free_ports)
    if is_taken(port):
        print(f"port {port} is taken: stop that server or pass --free-ports", file=sys.stderr)
        return 2
    log = folder / "stack.log"
    with log.open("wb") as out:
        stack = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy" / "devstack.py"), "run"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            wait_ready(stack, log)
            print(measured(lambda: run_locust(args, f"http://127.0.0.1:{port}", folder), stack))
        finally:
            stop(stack)
    stats, statuses = read_stats(folder / "locust_stats.csv"), read_statuses(folder / "status.json")
    found = checks(stats, statuses)
    print(f"{args.users} visitors for {args.seconds} s; logs and CSV in {folder}")
    print(render(stats, statuses, found))
    return 0 if all(c.met for c in found) else 1


if __name__ == "__main__":
    sys.exit(main())
