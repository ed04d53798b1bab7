"""A TCP fault proxy for tests: a dependency (the moto server) that fails and comes back.

The service under test is pointed at the proxy instead of the real endpoint. Faults:
``cut()`` stops listening and resets every connection through it (unreachable: new
connections are refused, pooled ones fail); ``truncate_answers()`` lets requests through
but cuts every answer one byte into its body (the dependency dies mid-answer, after its
headers). ``restore()`` forwards faithfully again. Each fault resets the live connections
so pooled ones see it too. Its event loop runs in a thread: sync and async tests can use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

from tests.processes import free_port

COPY_BYTES = 64 * 1024
CALL_TIMEOUT_SECONDS = 10.0
HEADERS_END = b"\r\n\r\n"


class FaultProxy:
    """Forwards ``127.0.0.1:port`` to ``target`` faithfully, or with the fault asked for."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._truncate = False

    def start(self) -> None:
        self._thread.start()
        self.restore()

    def restore(self) -> None:
        """Listen (again) and forward faithfully: the dependency is back."""
        self._run(self._change(listening=True, truncate=False))

    def cut(self) -> None:
        """Refuse new connections and reset the live ones: the dependency is gone."""
        self._run(self._change(listening=False, truncate=False))

    def truncate_answers(self) -> None:
        """Cut every answer one byte after its headers: the dependency dies mid-answer."""
        self._run(self._change(listening=True, truncate=True))

    def close(self) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CALL_TIMEOUT_SECONDS)

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        future: Future[None] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        future.result(CALL_TIMEOUT_SECONDS)

    async def _change(self, *, listening: bool, truncate: bool) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        self._truncate = truncate
        if not listening and self._server is not None:
            self._server.close()
            self._server = None
        if listening and self._server is None:
            self._server = await asyncio.start_server(
                self._forward, "127.0.0.1", self.port, reuse_address=True
            )

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        answers = _truncated(up_reader, writer, up_writer) if self._truncate else None
        await asyncio.gather(_pipe(reader, up_writer), answers or _pipe(up_reader, writer))
        self._writers -= {writer, up_writer}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while chunk := await reader.read(COPY_BYTES):
            writer.write(chunk)
            await writer.drain()
    writer.close()


async def _truncated(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upstream: asyncio.StreamWriter
) -> None:
    """Pass the answer's headers and one byte of its body, then reset both sides."""
    seen = b""
    with contextlib.suppress(OSError):
        while HEADERS_END not in seen and (chunk := await reader.read(COPY_BYTES)):
            seen += chunk
        end = seen.find(HEADERS_END)
        writer.write(seen[: end + len(HEADERS_END) + 1] if end >= 0 else seen)
        await writer.drain()
    writer.transport.abort()
    upstream.transport.abort()


@contextmanager
def fault_proxy(endpoint: str) -> Iterator[FaultProxy]:
    """A started :class:`FaultProxy` in front of ``endpoint`` (``http://host:port``)."""
    host, _, port = endpoint.removeprefix("http://").partition(":")
    proxy = FaultProxy(host, int(port))
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
