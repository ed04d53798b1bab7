"""Every listener bounds the request head (size and time) and the body (time).

Against the gateway, the public edge, as a real process on loopback; the bounds come
from ``shared.listeners`` through ``shared.service.serve``, so every service has them.
"""

import asyncio
import contextlib
import time

import pytest

from tests.rawhttp import closes_within, connect, read_answer, trickle

HEAD_SECONDS = 2
BODY_SECONDS = 3
# Generous over the bounds: 2 loaded cores must not make these flaky.
MARGIN_SECONDS = 6
HEALTH = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n"


@pytest.fixture
def gateway(aws, stack_factory) -> str:
    stack = stack_factory(
        ["gateway"],
        OFOF_HEADER_TIMEOUT_SECONDS=str(HEAD_SECONDS),
        OFOF_BODY_TIMEOUT_SECONDS=str(BODY_SECONDS),
    )
    return stack.urls["gateway"]


async def test_normal_requests_keep_their_connection_alive(gateway):
    reader, writer = await connect(gateway)
    for _ in range(3):
        writer.write(HEALTH)
        assert (await read_answer(reader, 10))[0] == 200
    writer.close()


async def test_a_one_mib_header_gets_431_and_the_connection_closes(gateway):
    reader, writer = await connect(gateway)
    head = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Big: " + b"a" * 2**20 + b"\r\n\r\n"
    writer.write(head)
    status, body = await read_answer(reader, 10)
    assert status == 431
    assert b"request_header_fields_too_large" in body
    assert await closes_within(reader, 10)


async def test_a_head_trickled_at_one_byte_a_second_is_cut_off(gateway):
    reader, writer = await connect(gateway)
    started = time.monotonic()
    sending = asyncio.create_task(trickle(writer, HEALTH, 1.0))
    status, _ = await read_answer(reader, HEAD_SECONDS + MARGIN_SECONDS)
    assert status == 408
    assert await closes_within(reader, 5)
    assert time.monotonic() - started < HEAD_SECONDS + MARGIN_SECONDS
    sending.cancel()


async def test_a_silent_connection_is_closed_after_the_head_bound(gateway):
    reader, _ = await connect(gateway)
    assert await closes_within(reader, HEAD_SECONDS + MARGIN_SECONDS)


async def test_a_body_trickled_at_one_byte_a_second_is_cut_off(gateway):
    reader, writer = await connect(gateway)
    writer.write(
        b"POST /api/leases/x/photo HTTP/1.1\r\nHost: gateway\r\n"
        b"Content-Type: image/jpeg\r\nContent-Length: 100\r\n\r\n"
    )
    started = time.monotonic()
    sending = asyncio.create_task(trickle(writer, b"j" * 100, 1.0))
    assert await closes_within(reader, BODY_SECONDS + MARGIN_SECONDS)
    assert time.monotonic() - started < BODY_SECONDS + MARGIN_SECONDS
    sending.cancel()


KIB = 1024


def head_with(header: bytes, size: int) -> bytes:
    """A ``GET /healthz`` head of exactly ``size`` bytes, padded in the ``header`` field."""
    start, end = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n" + header + b": ", b"\r\n\r\n"
    return start + b"a" * (size - len(start) - len(end)) + end


async def answer_to(gateway: str, *writes: bytes) -> int:
    """The status of the answer to ``writes``, each sent as one write (drained)."""
    reader, writer = await connect(gateway)
    for data in writes:
        writer.write(data)
        await writer.drain()
    status, _ = await read_answer(reader, 10)
    writer.close()
    return status


async def test_a_64_kib_header_sent_in_one_write_gets_431(gateway):
    assert await answer_to(gateway, head_with(b"X-Big", 64 * KIB)) == 431


async def test_a_96_kib_cookie_sent_in_one_write_gets_431(gateway):
    assert await answer_to(gateway, head_with(b"Cookie", 96 * KIB)) == 431


async def test_a_31_kib_head_sent_in_one_write_is_answered(gateway):
    assert await answer_to(gateway, head_with(b"X-Big", 31 * KIB)) == 200


async def test_a_head_at_the_bound_is_answered_and_one_byte_more_gets_431(gateway):
    assert await answer_to(gateway, head_with(b"X-Big", 32 * KIB)) == 200
    assert await answer_to(gateway, head_with(b"X-Big", 32 * KIB + 1)) == 431


async def test_a_40_kib_head_in_many_small_writes_gets_431(gateway):
    head = head_with(b"X-Big", 40 * KIB)
    writes = [head[start : start + 512] for start in range(0, len(head), 512)]
    assert await answer_to(gateway, *writes) == 431


async def test_a_head_split_in_two_writes_across_the_bound_gets_431(gateway):
    head = head_with(b"Cookie", 48 * KIB)
    assert await answer_to(gateway, head[: 20 * KIB], head[20 * KIB :]) == 431


async def test_a_64_kib_head_on_a_kept_alive_connection_gets_431(gateway):
    reader, writer = await connect(gateway)
    writer.write(HEALTH)
    assert (await read_answer(reader, 10))[0] == 200
    writer.write(head_with(b"X-Big", 64 * KIB))
    assert (await read_answer(reader, 10))[0] == 431
    assert await closes_within(reader, 10)


async def answers_until_closed(reader: asyncio.StreamReader) -> list[int]:
    """The statuses of every answer on a connection, until the server closes it."""
    statuses = []
    with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
        while True:
            statuses.append((await read_answer(reader, 10))[0])
    return statuses


async def test_a_64_kib_head_pipelined_behind_a_small_request_is_never_served(gateway):
    reader, writer = await connect(gateway)
    writer.write(HEALTH + head_with(b"X-Big", 64 * KIB))
    # The first answer may still be on its way when the big head ends: then the
    # connection closes without one (a 431 cannot be put in front of it).
    assert await answers_until_closed(reader) in ([200, 431], [200], [])


async def test_a_big_body_behind_a_small_head_does_not_count_as_head(gateway):
    body = b"j" * (256 * KIB)
    head = (
        b"POST /api/leases/x/photo HTTP/1.1\r\nHost: gateway\r\n"
        b"Content-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    status = await answer_to(gateway, head + body)
    assert status != 431
    assert status < 500
