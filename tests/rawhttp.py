"""HTTP/1.1 over a raw loopback socket, for tests of what a listener does with bad clients."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def connect(url: str) -> Connection:
    """A TCP connection to the host and port of ``url``."""
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    return await asyncio.open_connection(parts.hostname, parts.port)


async def read_answer(reader: asyncio.StreamReader, timeout_seconds: float) -> tuple[int, bytes]:
    """The status and body of the next answer (``Content-Length`` bodies only)."""
    async with asyncio.timeout(timeout_seconds):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(lines[0].split()[1]), body


async def closes_within(reader: asyncio.StreamReader, timeout_seconds: float) -> bool:
    """True when the server closes (or resets) the connection within ``timeout_seconds``."""
    try:
        async with asyncio.timeout(timeout_seconds):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


async def trickle(writer: asyncio.StreamWriter, data: bytes, seconds_per_byte: float) -> None:
    """Send ``data`` one byte at a time, until it is sent or the server hangs up."""
    try:
        for byte in data:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(seconds_per_byte)
    except ConnectionError:
        pass


def rss_bytes(pid: int) -> int:
    """The resident memory of process ``pid`` now, from ``/proc/<pid>/status``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")
