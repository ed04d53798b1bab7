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
import re
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

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


# An HTTP-aware fault proxy: faults chosen per request, by AWS service and call ----------

# The service a SigV4-signed request is for: ``Credential=KEY/DATE/REGION/SERVICE/aws4_request``.
SIGNED_SERVICE = re.compile(rb"Credential=[^/,]+/\d+/[^/,]+/([a-z0-9-]+)/aws4_request")
BODYLESS_STATUSES = (204, 304)
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
EXPECT_HEADER = re.compile(rb"(?i)\r\nexpect:[^\r]*")
UNAVAILABLE = {
    "s3": (b"application/xml", b"<Error><Code>ServiceUnavailable</Code></Error>"),
    "": (b"application/json", b'{"__type": "ServiceUnavailable", "message": "fault"}'),
}


@dataclass(frozen=True)
class Fault:
    """What happens to a request for ``service`` (``*`` any) whose ``METHOD path target``
    contains ``matching``: ``unavailable`` (a 503 answer), ``refused`` (the connection is
    reset) or ``slow`` (forwarded after ``seconds``)."""

    service: str
    matching: str
    action: Literal["unavailable", "refused", "slow"]
    seconds: float = 0.0

    def applies(self, service: str, call: str) -> bool:
        return self.service in ("*", service) and self.matching in call


@dataclass(frozen=True)
class Seen:
    """One request that reached the proxy, and what the proxy did with it."""

    service: str
    call: str
    outcome: str


class HttpFaultProxy:
    """Forwards HTTP/1.1 requests to ``target`` one by one, applying the first matching
    :class:`Fault`. Requests are told apart by AWS service (SigV4's credential scope, empty
    for unsigned ones like the crowd's) and by ``METHOD path X-Amz-Target``; ``seen``
    records every request. Its event loop runs in a thread, like :class:`FaultProxy`."""

    def __init__(self, target: str) -> None:
        host, _, port = target.removeprefix("http://").partition(":")
        self.target = (host, int(port))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()
        server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", self.port), self._loop
        )
        self._server = server.result(CALL_TIMEOUT_SECONDS)

    def inject(self, *faults: Fault) -> None:
        """Apply ``faults`` (in order, first match wins) from the next request on."""
        self.faults = list(faults)

    def heal(self) -> None:
        """Forward every request faithfully again: the dependency is back."""
        self.faults = []

    def calls(self, service: str, matching: str = "", outcome: str = "") -> list[Seen]:
        """The requests seen for ``service`` containing ``matching`` (with ``outcome``)."""
        return [
            s
            for s in list(self.seen)
            if s.service == service and matching in s.call and outcome in s.outcome
        ]

    def close(self) -> None:
        """Stop listening, end every connection, then stop the loop."""
        done = asyncio.run_coroutine_threadsafe(self._shut(), self._loop)
        done.result(CALL_TIMEOUT_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CALL_TIMEOUT_SECONDS)
        self._loop.close()

    async def _shut(self) -> None:
        self._server.close()
        connections = asyncio.all_tasks() - {asyncio.current_task()}
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while request := await _read_message(reader, is_request=True, asker=writer):
                head, body = request
                service, call = _describe(head)
                fault = next((f for f in self.faults if f.applies(service, call)), None)
                index = len(self.seen)
                self.seen.append(Seen(service, call, fault.action if fault else "forwarded"))
                if fault is not None and fault.action == "refused":
                    break
                if fault is not None and fault.action == "unavailable":
                    writer.write(_unavailable(service))
                    await writer.drain()
                    continue
                if fault is not None:
                    await asyncio.sleep(fault.seconds)
                upstream = upstream or await asyncio.open_connection(*self.target)
                upstream[1].write(head + body)
                answer = await _read_message(upstream[0], is_request=False, method=call)
                if answer is None:
                    break
                self.seen[index] = Seen(service, call, f"forwarded {_status(answer[0])}")
                writer.write(answer[0] + answer[1])
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.transport.abort()
            if upstream is not None:
                upstream[1].transport.abort()


def _describe(head: bytes) -> tuple[str, str]:
    """(AWS service, ``METHOD path target``) of a request head."""
    request_line, _, _ = head.partition(b"\r\n")
    method, path = request_line.split(b" ")[:2]
    headers = _headers(head)
    scope = SIGNED_SERVICE.search(headers.get(b"authorization", b""))
    target = headers.get(b"x-amz-target", b"")
    service = scope.group(1).decode() if scope else ""
    return service, f"{method.decode()} {path.decode()} {target.decode()}".strip()


def _headers(head: bytes) -> dict[bytes, bytes]:
    lines = head.split(b"\r\n")[1:]
    pairs = (line.partition(b":") for line in lines if b":" in line)
    return {name.strip().lower(): value.strip() for name, _, value in pairs}


def _status(head: bytes) -> int:
    return int(head.split(b" ")[1])


def _unavailable(service: str) -> bytes:
    content_type, body = UNAVAILABLE.get(service, UNAVAILABLE[""])
    return (
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: " + content_type + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


async def _read_message(
    reader: asyncio.StreamReader,
    *,
    is_request: bool,
    method: str = "",
    asker: asyncio.StreamWriter | None = None,
) -> tuple[bytes, bytes] | None:
    """One HTTP/1.1 message (head, body) as bytes, None at a clean end of stream. Bodies
    are framed by Content-Length or chunked encoding, else (answers) by the close. A
    request that expects ``100 Continue`` gets it from here (S3 uploads ask for it)."""
    try:
        head = await reader.readuntil(HEADERS_END)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise
        return None
    headers = _headers(head)
    if asker is not None and headers.get(b"expect", b"").lower() == b"100-continue":
        asker.write(CONTINUE)
        head = EXPECT_HEADER.sub(b"", head)
    status = 0 if is_request else _status(head)
    if method.startswith("HEAD ") or status in BODYLESS_STATUSES or 100 <= status < 200:
        return head, b""
    if b"chunked" in headers.get(b"transfer-encoding", b""):
        return head, await _read_chunks(reader)
    if b"content-length" in headers:
        return head, await reader.readexactly(int(headers[b"content-length"]))
    return head, b"" if is_request else await reader.read()


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    body = b""
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        body += size_line + await reader.readexactly(size + 2)
        if size == 0:
            return body


@contextmanager
def http_fault_proxy(endpoint: str) -> Iterator[HttpFaultProxy]:
    """A started :class:`HttpFaultProxy` in front of ``endpoint`` (``http://host:port``)."""
    proxy = HttpFaultProxy(endpoint)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
