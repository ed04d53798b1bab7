"""Which of the local stack's loopback ports are already taken, and by whom.

``make run`` binds a dozen ports on 127.0.0.1. When a stack of an earlier run is still
up (a test killed without its process group, a second terminal), the new one would
start half its processes, see the others die on "address already in use" and stop, with
the reason buried in the interleaved output. Checking first gives one clear sentence:
the port, what the stack wanted it for, and the process that holds it (Linux's
``/proc``, read where it is readable).
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Mapping
from pathlib import Path

LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's state column


def is_taken(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing can bind ``host:port`` because something listens there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def listening_inodes(port: int, proc: Path = Path("/proc")) -> set[str]:
    """Socket inodes listening on ``port`` (IPv4 and IPv6)."""
    inodes = set()
    for table in ("net/tcp", "net/tcp6"):
        path = proc / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def holder(port: int, proc: Path = Path("/proc")) -> str | None:
    """``pid N (command line)`` of a process listening on ``port``, when it can be seen."""
    wanted = {f"socket:[{inode}]" for inode in listening_inodes(port, proc)}
    for entry in proc.iterdir() if wanted else ():
        if not entry.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
            if links & wanted:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").strip()
                return f"pid {entry.name} ({command.decode(errors='replace')[:120]})"
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return None


def taken(wanted: Mapping[str, int]) -> list[str]:
    """One sentence per port of ``wanted`` (purpose → port) that is already taken."""
    problems = []
    for purpose, port in wanted.items():
        if is_taken(port):
            who = holder(port) or "a process this user cannot see"
            problems.append(f"port {port} ({purpose}) is taken by {who}")
    return problems
