"""The embedded local AWS of ``make run``: ministack (S3 + SQS) and dynalite (DynamoDB).

Both keep their durable data under one state directory (``var/localaws`` by default):
ministack writes every S3 object through to ``s3/`` as it is stored, dynalite keeps its
tables in LevelDB under ``dynamodb/``; either survives ``kill -9``. SQS is transport and
is kept in memory only: after a restart the queues are gone, bootstrap creates them
again and the sweep re-sends what durable state says is missing.

:func:`supervise` (run by ``devstack.py aws``, the Procfile's ``aws`` entry) keeps both
servers up: it restarts one that dies, on the same port and data, and bootstraps again
once it answers, so the queues come back while the services keep running (they answer
503 meanwhile). The servers die with their supervisor. The tests start the servers
with the same commands (``tests/processes.py``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Installed by `make localaws` (pinned in deploy/ministack/ and deploy/dynalite/).
MINISTACK_PYTHON = ROOT / ".venv-localaws" / "bin" / "python"
DYNALITE = ROOT / "deploy" / "dynalite" / "node_modules" / ".bin" / "dynalite"
DEFAULT_MINISTACK_PORT = 4566
DEFAULT_DYNALITE_PORT = 4567
DEFAULT_STATE_DIR = ROOT / "var" / "localaws"
# dynalite only checks that a request is signed; any signature passes.
DYNALITE_PROBE_HEADERS = {
    "X-Amz-Target": "DynamoDB_20120810.ListTables",
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Date": "20260101T000000Z",
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/"
    "aws4_request, SignedHeaders=host, Signature=0",
}
# Linux's prctl option: the signal a child gets when its parent dies.
PR_SET_PDEATHSIG = 1
# More restarts than this within a minute: a server that keeps dying is broken, not
# crashed, so the supervisor gives up (and honcho stops the stack).
RESTARTS_PER_MINUTE = 5


@dataclass(frozen=True)
class LocalAws:
    """Where the two servers listen and keep their data."""

    ministack_port: int = DEFAULT_MINISTACK_PORT
    dynalite_port: int = DEFAULT_DYNALITE_PORT
    state_dir: Path = DEFAULT_STATE_DIR

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> LocalAws:
        """Ports and state directory from ``OFOF_MINISTACK_PORT``, ``OFOF_DYNALITE_PORT``
        and ``OFOF_LOCALAWS_DIR``, each with its default."""
        return cls(
            int(environ.get("OFOF_MINISTACK_PORT", DEFAULT_MINISTACK_PORT)),
            int(environ.get("OFOF_DYNALITE_PORT", DEFAULT_DYNALITE_PORT)),
            Path(environ.get("OFOF_LOCALAWS_DIR", DEFAULT_STATE_DIR)),
        )

    @property
    def ministack_url(self) -> str:
        return f"http://127.0.0.1:{self.ministack_port}"

    @property
    def dynalite_url(self) -> str:
        return f"http://127.0.0.1:{self.dynalite_port}"

    def endpoints(self) -> dict[str, str]:
        """botocore's per-service endpoint variables (read by ``shared.settings``)."""
        return {
            "AWS_ENDPOINT_URL_S3": self.ministack_url,
            "AWS_ENDPOINT_URL_SQS": self.ministack_url,
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynalite_url,
        }

    def ministack_command(self) -> tuple[list[str], dict[str, str]]:
        """ministack's command line and its whole environment (names it reads only).

        Its own environment keeps the stack's ``GATEWAY_PORT`` (ministack's port
        variable too) and log settings away from it. ``PERSIST_STATE`` stays off: SQS
        state would be saved on a clean stop only, and queues are transport anyway.
        """
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(self.state_dir)),
            "GATEWAY_PORT": str(self.ministack_port),
            "BIND_HOST": "127.0.0.1",
            "MINISTACK_HOST": "127.0.0.1",
            "SERVICES": "s3,sqs",
            "S3_PERSIST": "1",
            "S3_DATA_DIR": str(self.state_dir / "s3"),
            "PERSIST_STATE": "0",
            "LOG_LEVEL": "WARNING",
        }
        return [str(MINISTACK_PYTHON), "-m", "ministack"], env

    def dynalite_command(self) -> list[str]:
        """dynalite on LevelDB under the state directory, tables active at once."""
        return [
            str(DYNALITE),
            "--host", "127.0.0.1",
            "--port", str(self.dynalite_port),
            "--path", str(self.state_dir / "dynamodb"),
            "--createTableMs", "0",
            "--deleteTableMs", "0",
            "--updateTableMs", "0",
        ]  # fmt: skip

    def ministack_answers(self) -> bool:
        """True when ministack's health endpoint answers."""
        return _answers(lambda: httpx.get(f"{self.ministack_url}/_ministack/health", timeout=1))

    def dynalite_answers(self) -> bool:
        """True when dynalite answers a ListTables."""
        return _answers(
            lambda: httpx.post(
                self.dynalite_url, headers=DYNALITE_PROBE_HEADERS, content=b"{}", timeout=1
            )
        )


def _answers(call: Callable[[], httpx.Response]) -> bool:
    try:
        return call().status_code == 200
    except httpx.HTTPError:
        return False


def start_ministack(
    local: LocalAws, log: IO[bytes] | None = None, *, supervised: bool = False
) -> subprocess.Popen[bytes]:
    """Start ministack (S3 data directory created first); output to ``log`` if given."""
    args, env = local.ministack_command()
    (local.state_dir / "s3").mkdir(parents=True, exist_ok=True)
    return _start(args, env, log, supervised)


def start_dynalite(
    local: LocalAws, log: IO[bytes] | None = None, *, supervised: bool = False
) -> subprocess.Popen[bytes]:
    """Start dynalite (its LevelDB directory's parent created first)."""
    local.state_dir.mkdir(parents=True, exist_ok=True)
    return _start(local.dynalite_command(), None, log, supervised)


def _start(
    args: list[str], env: dict[str, str] | None, log: IO[bytes] | None, supervised: bool
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
        preexec_fn=die_with_parent if supervised else None,
    )


def die_with_parent() -> None:
    """In the child: SIGTERM when the supervisor dies, even by ``kill -9``, so no server
    outlives it holding its port (and honcho sees the ``aws`` process end)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def wait_until(predicate: Callable[[], bool], timeout_seconds: float, what: str) -> None:
    """Poll ``predicate`` every 100 ms; raise ``TimeoutError`` after the timeout."""
    deadline = time.monotonic() + timeout_seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not answer within {timeout_seconds:g} s")
        time.sleep(0.1)


@dataclass
class Supervised:
    """One server of the local AWS, kept running by :func:`supervise`."""

    name: str
    start: Callable[[], subprocess.Popen[bytes]]
    answers: Callable[[], bool]
    # Run once the server answers again after a restart (bootstrap, for ministack).
    after_restart: Callable[[], None]
    process: subprocess.Popen[bytes] | None = None


def supervise(servers: list[Supervised], startup_timeout_seconds: float) -> None:
    """Start every server; restart one that exits, on the same port and data, until
    stopped. Raises ``RuntimeError`` when one keeps dying (the stack then stops)."""
    restarts: list[float] = []
    for server in servers:
        server.process = server.start()
    while True:
        time.sleep(0.5)
        for server in servers:
            if server.process is None or server.process.poll() is None:
                continue
            now = time.monotonic()
            restarts = [t for t in restarts if now - t < 60] + [now]
            if len(restarts) > RESTARTS_PER_MINUTE:
                raise RuntimeError(f"{server.name} keeps exiting; giving up")
            print(f"{server.name} exited ({server.process.returncode}); restarting", flush=True)
            server.process = server.start()
            wait_until(server.answers, startup_timeout_seconds, server.name)
            server.after_restart()


def stop(servers: list[Supervised]) -> None:
    """SIGTERM every server and reap it (ministack saves nothing; S3 is on disk)."""
    for server in servers:
        if server.process is not None and server.process.poll() is None:
            server.process.terminate()
    for server in servers:
        if server.process is not None:
            server.process.wait()
