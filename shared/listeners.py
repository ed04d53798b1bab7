"""Bounds every listener enforces below the app: the request head's size and time, the body's time.

uvicorn's httptools protocol (its default here, and its fastest) has none of them: a
16 MiB header was buffered and answered, a head trickled at 1 byte/s held the connection
as long as the client liked, and so did a trickled body. :class:`BoundedHttpProtocol`
adds, per connection:

- the request head (request line and headers) may be at most ``max_header_bytes`` long;
  longer → ``431`` and the connection closes, before the app sees the request. Every
  byte of a head is counted as it arrives, whatever the writes: while a head is awaited
  the parser is fed no more than the bytes left under the bound, so a head that has not
  ended there is refused and the parser never holds more of it. Body bytes do not count.
  A head that begins inside a read after a previous request ended (pipelining) is
  measured from what the parser reports, its request line and headers (optional
  whitespace left out), and refused once it has ended;
- the head must be complete within ``header_timeout_seconds`` of the connection opening
  or of its first byte → else ``408`` (or a silent close if nothing was sent) and the
  connection closes; an idle keep-alive connection is closed earlier, by uvicorn's
  keep-alive timeout (5 s);
- the body must be complete within ``body_timeout_seconds`` of its first read → else
  ``408`` (when no answer has started) and the connection closes. Routes may bound it
  tighter (photo uploads: ``shared.photos``).

The clocks are timers only for what does not arrive in one read, so the usual small
request costs no timer at all.

Body *sizes* differ per route, so routes bound them (``shared.bodies``, ``shared.photos``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import ClassVar

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from shared.errors import error_body
from shared.settings import (
    BODY_TIMEOUT_SECONDS,
    HEADER_TIMEOUT_SECONDS,
    MAX_HEADER_BYTES,
    ServiceSettings,
)

# After refusing a request, how long the client may go on sending before the close.
LINGER_SECONDS = 2.0


@dataclass(frozen=True)
class ListenerLimits:
    """What a listener accepts from a client before the app sees the request."""

    max_header_bytes: int = MAX_HEADER_BYTES
    header_timeout_seconds: float = HEADER_TIMEOUT_SECONDS
    body_timeout_seconds: float = BODY_TIMEOUT_SECONDS

    @classmethod
    def of(cls, settings: ServiceSettings) -> ListenerLimits:
        """The limits a service's settings ask for."""
        return cls(
            settings.max_header_bytes,
            settings.header_timeout_seconds,
            settings.body_timeout_seconds,
        )


class BoundedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the bounds of the module doc (``limits``)."""

    limits: ClassVar[ListenerLimits] = ListenerLimits()
    _head_bytes = 0  # bytes of the awaited head fed to the parser so far
    _parsed_head_bytes = 0  # the current head as the parser reports it (see the module doc)
    _awaiting_head = True  # no request, or the previous one's body has ended
    _in_body = False
    _deadline: asyncio.TimerHandle | None = None
    _lingering = False

    # Typed as uvicorn's own override is (a stream transport), which mypy flags there too.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.limits.header_timeout_seconds, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        while data and not (self._lingering or self.transport.is_closing()):
            if not self._awaiting_head:  # body bytes: routes bound their size
                super().data_received(data)
                break
            data = self._feed_head(data)
        if self._deadline is None and not self._lingering:
            self._arm_if_partial()

    def _feed_head(self, data: bytes) -> bytes:
        """Feed the parser what fits under the head bound; return the rest of ``data``.

        The bound is reached with the head still open → 431, and nothing more is read.
        """
        room = self.limits.max_header_bytes - self._head_bytes
        if room <= 0:
            self._refuse_head()
            return b""
        self._head_bytes += min(room, len(data))
        super().data_received(data[:room])
        return data[room:]

    def _refuse_head(self) -> None:
        limit = self.limits.max_header_bytes
        self._refuse(431, f"the request head is larger than {limit} bytes")

    def _arm_if_partial(self) -> None:
        """Start the clock of a head or body that did not arrive whole in one read.

        A request that arrives in one read (the usual small one) sets no timer at all.
        """
        if self._awaiting_head and self._head_bytes:
            self._arm(self.limits.header_timeout_seconds, self._head_too_slow)
        elif self._in_body:
            self._arm(self.limits.body_timeout_seconds, self._body_too_slow)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # The request line around its URL (with the shortest method) and the blank line.
        self._parsed_head_bytes = len(b"GET  HTTP/1.1\r\n\r\n")

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._parsed_head_bytes += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._awaiting_head:  # not a chunked body's trailers
            self._parsed_head_bytes += len(name) + len(value) + len(b":\r\n")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        if self._parsed_head_bytes > self.limits.max_header_bytes:
            self._refuse_head()  # a pipelined head that began and ended in one read
            return
        self._awaiting_head, self._in_body = False, True
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._lingering:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._lingering:
            return
        super().on_message_complete()
        self._disarm()
        self._awaiting_head, self._in_body, self._head_bytes = True, False, 0

    def _arm(self, seconds: float, late: Callable[[], None]) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self._deadline = self.loop.call_later(seconds, late)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_too_slow(self) -> None:
        if self._head_bytes:
            seconds = self.limits.header_timeout_seconds
            self._refuse(408, f"the request head did not arrive within {seconds:g} s")
        else:
            self.transport.close()

    def _body_too_slow(self) -> None:
        seconds = self.limits.body_timeout_seconds
        self._refuse(408, f"the request body did not arrive within {seconds:g} s")

    def _refuse(self, status: int, detail: str) -> None:
        """Answer ``status`` (when the client may still read one) and close the connection."""
        self._disarm()
        if self.transport.is_closing():
            return
        if not self._may_answer():
            self.transport.close()
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app's own answer, if any comes, is dropped
            self.cycle.message_event.set()
        self.transport.write(_answer(status, detail))
        self._linger()

    def _linger(self) -> None:
        """Half-close and drop what the client still sends for a moment, then close.

        Closing at once with unread bytes in the socket makes the kernel send a reset,
        and a client still sending would lose our answer to it.
        """
        self._lingering = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._deadline = self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def _may_answer(self) -> bool:
        """False when an answer has begun that ours would corrupt."""
        if self.cycle is None:
            return True
        if self._awaiting_head:  # refusing a new head: the previous answer must be whole
            return self.cycle.response_complete
        return not self.cycle.response_started  # refusing this request's body


def _answer(status: int, detail: str) -> bytes:
    """A whole ``Connection: close`` answer with our error body."""
    code = HTTPStatus(status).phrase.lower().replace(" ", "_")
    body = json.dumps(error_body(code, detail)).encode()
    head = (
        b"content-type: application/json\r\n"
        + b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
    )
    return STATUS_LINE[status] + head + body


def bounded_protocol(limits: ListenerLimits) -> type[BoundedHttpProtocol]:
    """The protocol class to give ``uvicorn.Config(http=...)`` for ``limits``."""
    return type("BoundedHttpProtocol", (BoundedHttpProtocol,), {"limits": limits})
